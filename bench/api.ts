import { createReadStream } from 'node:fs';
import os from 'node:os';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { buildApiApp } from '../lib/api/app';
import { MAX_IMPORT_BYTES } from '../lib/api/imports/spool-body';
import { openApiDependencies } from '../lib/api/open-api-dependencies';
import { serveApi } from '../lib/api/serve';
import { loadApiConfig } from '../lib/config';
import { silentLogger } from '../lib/logger';
import { REPORTS } from '../lib/reports/registry';
import { migrateWarehouse } from '../lib/warehouse/migrate';
import { slsPackageOffline } from '../scripts/sls-offline';
import { createTestDatabase, queryServer } from '../tests/helpers/database';
import { machineLine, table, writeSection } from './lib/report';
import { timeStep } from './lib/step';
import { withTempFolder } from './lib/temp-folder';

const HEADER = 'id,team_id,amount,active,day,at,label';
const IMPORT_RUNS = 3;
const REPORT_RUNS = 5;

/** One CSV row of the bench file: every inferred type, a quoted label with a comma in every tenth. */
function csvRow(i: number): string {
  const day = `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
  const label = i % 10 === 0 ? `"account ${i}, tier ${i % 3}"` : `account ${i} 🚀`;
  return `${i},${i % 50},${(i % 10_000) / 100}.5,${i % 2 === 0 ? 'true' : 'false'},${day},${day} ${String(i % 24).padStart(2, '0')}:15:00,${label}`;
}

/** A CSV of just under `bytes` bytes; returns its row count. */
async function writeCsv(file: string, bytes: number): Promise<number> {
  const lines = [HEADER];
  let size = HEADER.length + 1;
  for (let i = 1; ; i++) {
    const line = csvRow(i);
    const next = Buffer.byteLength(line) + 1;
    if (size + next > bytes) break;
    lines.push(line);
    size += next;
  }
  await writeFile(file, lines.join('\n') + '\n');
  return lines.length - 1;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Seconds LOAD DATA LOCAL INFILE takes for the same file into a copy of the imported table. */
async function timeLoadData(databaseUrl: string, schema: string, file: string): Promise<number> {
  const connection = await mysql.createConnection({ uri: databaseUrl, charset: 'utf8mb4' });
  try {
    const runs: number[] = [];
    for (let run = 0; run < IMPORT_RUNS; run++) {
      await connection.query(`DROP TABLE IF EXISTS \`${schema}\`.floor_copy`);
      await connection.query(`CREATE TABLE \`${schema}\`.floor_copy LIKE \`${schema}\`.bench_import`);
      const started = performance.now();
      await connection.query({
        // The file's booleans are words: LOAD DATA converts them with SET, as the import does in JS.
        sql: `LOAD DATA LOCAL INFILE 'bench.csv' INTO TABLE \`${schema}\`.floor_copy CHARACTER SET utf8mb4
              FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\n' IGNORE 1 LINES
              (id, team_id, amount, @active, day, at, label) SET active = (@active = 'true')`,
        infileStreamFactory: () => createReadStream(file),
      });
      runs.push((performance.now() - started) / 1000);
    }
    return median(runs);
  } finally {
    await connection.end();
  }
}

/** `INSERT ... SELECT` of `count` conversations over 50 teams and 200 admins, created across 2024–2026. */
async function insertConversations(databaseUrl: string, count: number): Promise<void> {
  const connection = await mysql.createConnection({ uri: databaseUrl, charset: 'utf8mb4' });
  try {
    const teams = Array.from({ length: 50 }, (_, i) => [String(i + 1), `team ${i + 1}`, '{}']);
    const admins = Array.from({ length: 200 }, (_, i) => [String(1000 + i), `admin ${i}`, '{}']);
    await connection.query('INSERT INTO team (id, name, raw) VALUES ?', [teams]);
    await connection.query('INSERT INTO admin (id, name, raw) VALUES ?', [admins]);
    const batch = 5000;
    for (let start = 0; start < count; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(count, start + batch); i++) {
        const created = new Date(Date.UTC(2024, 0, 1) + ((i * 7919) % (3 * 365 * 86_400)) * 1000);
        rows.push([
          `c${i}`,
          created.toISOString().slice(0, 19).replace('T', ' '),
          i % 17 === 0 ? null : String((i % 60) + 1),
          i % 13 === 0 ? null : String(1000 + (i % 200)),
          0,
          1,
          '{}',
        ]);
      }
      await connection.query(
        'INSERT INTO conversation (id, created_at, team_assignee_id, admin_assignee_id, parts_count, parts_complete, raw) VALUES ?',
        [rows],
      );
    }
  } finally {
    await connection.end();
  }
}

/** The API bench's figures. */
export interface ApiBenchResult {
  csvBytes: number;
  csvRows: number;
  importSeconds: number[];
  loadDataSeconds: number;
  conversations: number;
  /** Per report: each request's wall time (SQL, CSV, lake write and link), ms. */
  reportMs: Record<string, number[]>;
  zipBytes: number | undefined;
}

/**
 * Import throughput of `POST /imports` (real HTTP, a CSV just under 10 MB) against LOAD DATA LOCAL
 * INFILE of the same file, and the latency of each report over `conversations` conversations.
 */
export async function benchApi(options: { quick: boolean }): Promise<ApiBenchResult> {
  const db = await createTestDatabase();
  const schema = `bench_imp_${Date.now().toString(36)}`;
  try {
    return await withTempFolder('bench-api-', async (folder) => {
      const csv = path.join(folder, 'bench.csv');
      const csvRows = await writeCsv(csv, options.quick ? 1024 * 1024 : MAX_IMPORT_BYTES - 1024);
      const csvBytes = (await stat(csv)).size;
      const token = 'bench-'.padEnd(32, 'x');
      const config = loadApiConfig({
        API_TOKEN: token,
        DATABASE_URL: db.url,
        LAKE_URL: path.join(folder, 'lake'),
        IMPORT_SCHEMAS: schema,
      });
      const opened = await openApiDependencies(config, db.url, { log: silentLogger() });
      const server = await serveApi(buildApiApp(opened.deps), 0);
      try {
        await migrateWarehouse(opened.warehouse);
        const body = await readFile(csv);
        const importSeconds = await timeStep('api/import', async () => {
          const runs: number[] = [];
          for (let run = 0; run < IMPORT_RUNS; run++) {
            const started = performance.now();
            const response = await fetch(`${server.url}/imports?table=bench_import`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
              body,
            });
            if (response.status !== 201)
              throw new Error(`import answered ${response.status}: ${await response.text()}`);
            runs.push((performance.now() - started) / 1000);
          }
          return runs;
        });
        const loadDataSeconds = await timeStep('api/load-data', () => timeLoadData(db.url, schema, csv));
        const conversations = options.quick ? 10_000 : 100_000;
        await timeStep('api/conversations', () => insertConversations(db.url, conversations));
        const reportMs: Record<string, number[]> = {};
        await timeStep('api/reports', async () => {
          for (const report of REPORTS) {
            const runs: number[] = [];
            for (let run = 0; run < REPORT_RUNS; run++) {
              const started = performance.now();
              const response = await fetch(`${server.url}/reports/${report.name}?year=2025`, {
                headers: { authorization: `Bearer ${token}` },
              });
              if (response.status !== 200) throw new Error(`${report.name} answered ${response.status}`);
              await response.json();
              runs.push(performance.now() - started);
            }
            reportMs[report.name] = runs;
          }
        });
        const zipBytes = options.quick
          ? undefined
          : await withTempFolder('bench-api-package-', async (dir) => {
              await timeStep('api/package', () => slsPackageOffline(dir, 'prod', 120_000));
              return (await stat(path.join(dir, 'api.zip'))).size;
            });
        return { csvBytes, csvRows, importSeconds, loadDataSeconds, conversations, reportMs, zipBytes };
      } finally {
        await server.close();
        await opened.close();
      }
    });
  } finally {
    await db.drop();
    await queryServer(`DROP DATABASE IF EXISTS \`${schema}\``);
  }
}

/** Run the API bench and write the `## API` section of `file` (docs/BENCHMARKS.md by default). */
export async function runApiBench(options: { quick: boolean; file?: string }): Promise<void> {
  const load = os.loadavg()[0] as number;
  const r = await benchApi(options);
  process.stderr.write(`api: ${JSON.stringify(r)}\n`);
  const importS = median(r.importSeconds);
  const rate = (seconds: number): string =>
    `${Math.round(r.csvRows / seconds).toLocaleString('en-US')} rows/s`;
  const body = [
    machineLine(),
    `Load average when the bench started: ${load.toFixed(1)} (the machine is shared: compare the two rows of a table, measured side by side, rather than runs).`,
    '',
    `Reproduce: \`npm run bench -- --only api${options.quick ? ' --quick' : ''}\` (MariaDB on 127.0.0.1:3306).`,
    '',
    `### Import: \`POST /imports\` against LOAD DATA LOCAL INFILE`,
    '',
    `One CSV of ${r.csvBytes.toLocaleString('en-US')} bytes (${r.csvRows.toLocaleString('en-US')} rows; integer, decimal, boolean, date,`,
    'datetime and text columns, a tenth of the labels quoted with a comma, emoji in the rest), sent over HTTP to',
    `the local API (replace mode: a staging table filled and swapped in),`,
    `median of ${IMPORT_RUNS}; LOAD DATA reads the same file into an empty copy of the imported table (booleans`,
    'converted with SET), median of the same number of runs. The import parses the CSV once in JavaScript',
    "(csv-parse), checking every cell and inferring the types while it saves the rows as TSV in the load's format;",
    'nothing is written before the whole file is checked. It then streams that TSV to the server with LOAD DATA',
    'LOCAL INFILE (straight from the file when no column needs converting; in 4 MB batches here, since booleans',
    'and datetimes are converted), or by INSERT where the server refuses LOAD DATA. LOAD DATA alone parses once,',
    'in the server.',
    '',
    table(
      ['path', 'seconds', 'rows/s', 'against LOAD DATA'],
      [
        [
          '`POST /imports`',
          importS.toFixed(2),
          rate(importS),
          `${(r.loadDataSeconds / importS).toFixed(2)}×`,
        ],
        ['LOAD DATA LOCAL INFILE', r.loadDataSeconds.toFixed(2), rate(r.loadDataSeconds), '1×'],
      ],
    ),
    '',
    `### Reports at ${r.conversations.toLocaleString('en-US')} conversations`,
    '',
    `Each request runs the SQL, writes the CSV to a folder lake and signs the link; ${REPORT_RUNS} requests each, year=2025,`,
    'over 50 teams and 200 admins.',
    '',
    table(
      ['report', 'median ms', 'slowest ms'],
      Object.entries(r.reportMs).map(([name, ms]) => [
        `\`${name}\``,
        median(ms).toFixed(0),
        Math.max(...ms).toFixed(0),
      ]),
    ),
    ...(r.zipBytes === undefined
      ? []
      : [
          '',
          '### Lambda bundle',
          '',
          `\`api.zip\` as \`npx sls package\` builds it: ${r.zipBytes.toLocaleString('en-US')} bytes (${Math.round(r.zipBytes / 1024)} KiB); mysql2's iconv-lite`,
          'tables and the RDS CA bundle are most of it.',
        ]),
  ].join('\n');
  await writeSection('API', body, options.file);
}
