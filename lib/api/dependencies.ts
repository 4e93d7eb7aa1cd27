import type { Pool } from 'mysql2/promise';
import type { ApiAuth } from '../config';
import type { LakeStore } from '../lake/store';
import type { Logger } from '../logger';
import type { UploadLinks } from './imports/upload-links';
import type { ReportLinks } from './report-links';

/** Everything the API's routes use, built once by the entrypoint (or a test) and passed in. */
export interface ApiDependencies {
  auth: ApiAuth;
  /** A pool on the sync's database (reports read it; imports write other databases through it). */
  pool: Pool;
  /** The sync's own database, which imports never write. */
  syncDatabase: string;
  /** Where reports are written (`reports/<name>/<stamp>.csv`). */
  lake: LakeStore;
  links: ReportLinks;
  /** Links to upload a CSV to `imports/incoming/` for `POST /imports?upload=<id>`. */
  uploads: UploadLinks;
  /** Databases imports may write; the first is the default. */
  importSchemas: readonly string[];
  /** How long a report link works, seconds. */
  reportUrlExpiresS: number;
  clock: () => Date;
  log: Logger;
  /** Folder for the upload being imported (the system's temporary folder by default). */
  tmpDir?: string;
}
