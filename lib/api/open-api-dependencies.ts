import type { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../errors';
import type { ApiConfig } from '../config';
import { openLake } from '../lake/open-lake';
import { defaultS3Client } from '../lake/s3-store';
import { isS3Url } from '../lake/s3-url';
import type { Logger } from '../logger';
import { openWarehouse, type Warehouse } from '../warehouse/connection';
import type { ApiDependencies } from './dependencies';
import { S3UploadLinks, SignedUploadLinks, type UploadLinks } from './imports/upload-links';
import { S3ReportLinks, SignedReportLinks, type ReportLinks } from './report-links';

/** The API's dependencies and how to release them. */
export interface OpenedApi {
  deps: ApiDependencies;
  warehouse: Warehouse;
  close(): Promise<void>;
}

/**
 * Build what the API's routes use from its configuration: a warehouse pool (the sync's database),
 * the lake, and report and upload links (S3 presigned for an `s3://` lake, signed by the API for a folder).
 *
 * @param databaseUrl the URL to use (in Lambda read from Secrets Manager by the handler).
 * @param options.s3Client a ready client instead of one from `config.aws` (tests: s3rver).
 * @throws ConfigError when a folder lake has no link key (set API_TOKEN or REPORT_LINK_KEY);
 *   TransientError/ConfigError from opening the warehouse.
 */
export async function openApiDependencies(
  config: ApiConfig,
  databaseUrl: string,
  options: { log: Logger; s3Client?: S3Client; clock?: () => Date; tmpDir?: string },
): Promise<OpenedApi> {
  let links: ReportLinks;
  let uploads: UploadLinks;
  let s3Client: S3Client | undefined;
  if (isS3Url(config.lakeUrl)) {
    s3Client = options.s3Client ?? defaultS3Client(config.aws);
    links = new S3ReportLinks(s3Client, config.lakeUrl);
    uploads = new S3UploadLinks(s3Client, config.lakeUrl);
  } else {
    if (!config.reportLinkKey) {
      throw new ConfigError([
        `The lake ${config.lakeUrl} is a folder, so the API signs report links itself: set REPORT_LINK_KEY (or API_TOKEN, from which it is derived).`,
      ]);
    }
    links = new SignedReportLinks(config.reportLinkKey);
    uploads = new SignedUploadLinks(config.reportLinkKey);
  }
  const lake = openLake(config.lakeUrl, { s3: config.aws, s3Client });
  const warehouse = await openWarehouse(databaseUrl, { connectionLimit: 4 });
  return {
    warehouse,
    deps: {
      auth: config.auth,
      pool: warehouse.pool,
      syncDatabase: warehouse.settings.database,
      lake,
      links,
      uploads,
      importSchemas: config.importSchemas,
      reportUrlExpiresS: config.reportUrlExpiresS,
      clock: options.clock ?? (() => new Date()),
      log: options.log,
      tmpDir: options.tmpDir,
    },
    close: () => warehouse.close(),
  };
}
