import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { SyncError } from '../lib/errors';
import { runMain } from '../lib/run-main';
import {
  LICENSE_FIXTURE_PATH,
  SCHEMAS_FIXTURE_PATH,
  SHARED_LICENSE_PATH,
  SHARED_SPEC_PATH,
  serializeSubset,
  subsetHeader,
  subsetOpenApi,
  type OpenApiDocument,
} from './openapi-subset';

async function readSource(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new SyncError(
      `Cannot read ${file}. This script needs Intercom's OpenAPI spec and its licence beside the project (../shared/intercom/); the committed ${path.relative(process.cwd(), SCHEMAS_FIXTURE_PATH)} is what the tests use without them.`,
      { cause: error },
    );
  }
}

// `npm run intercom:schemas`: wiring only; the cut is subsetOpenApi in openapi-subset.ts.
void runMain('intercom-schemas', async ({ log }) => {
  const specBytes = await readSource(SHARED_SPEC_PATH);
  const licenseText = (await readSource(SHARED_LICENSE_PATH)).toString('utf8');
  const spec = parse(specBytes.toString('utf8')) as OpenApiDocument;
  const subset = subsetOpenApi(spec, subsetHeader(specBytes, licenseText));
  await mkdir(path.dirname(SCHEMAS_FIXTURE_PATH), { recursive: true });
  await writeFile(SCHEMAS_FIXTURE_PATH, serializeSubset(subset));
  await writeFile(LICENSE_FIXTURE_PATH, licenseText);
  log.info(
    { schemas: Object.keys(subset.schemas).length, paths: Object.keys(subset.paths).length },
    'openapi schemas written',
  );
});
