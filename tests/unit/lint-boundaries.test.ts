import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** One import, linted as if it were the first line of a file at `file` (relative to the repo). */
interface Case {
  file: string;
  from: string;
}

/**
 * The messages of rule `no-restricted-imports` for each case, from the repository's own
 * eslint.config.mjs through ESLint's Node API (`lintText` with a file path), in a child process:
 * ESLint loads its config with `import()`, which jest's module sandbox does not run.
 */
function restrictedImportMessages(cases: Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const c of cases) {
      const [result] = await eslint.lintText("import { x } from '" + c.from + "';\\nexport const y = x;\\n", { filePath: c.file });
      out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const stdout = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases)],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return JSON.parse(stdout) as string[][];
}

describe('import boundaries (eslint no-restricted-imports)', () => {
  it('refuses the warehouse on the extract side, the Intercom client on the load side, both in the declarations and either in the wrong half of the webhook consumer, and allows what each side shares', () => {
    const forbidden: Case[] = [
      { file: 'tasks/extract/new-phase.ts', from: '../../lib/warehouse/batch-writer' },
      { file: 'tasks/extract/new-phase.ts', from: '../../drizzle/schema' },
      { file: 'lib/intercom/new-call.ts', from: '../warehouse/tables' },
      { file: 'tasks/load/new-step.ts', from: '../../lib/intercom/client' },
      { file: 'lib/warehouse/new-writer.ts', from: '../intercom/stream-source' },
      { file: 'lib/streams/admins.ts', from: '../intercom/client' },
      { file: 'lib/streams/admins.ts', from: '../warehouse/rows' },
      { file: 'lib/records/map-admin.ts', from: '../warehouse/rows' },
      { file: 'lib/events/receiver.ts', from: '../intercom/client' },
      { file: 'lib/events/receiver.ts', from: '../warehouse/connection' },
      { file: 'lib/events/fetch/fetch-changes.ts', from: '../../warehouse/rows' },
      { file: 'lib/events/fetch/fetch-changes.ts', from: '../../../drizzle/schema' },
      { file: 'lib/events/apply/apply-event.ts', from: '../../intercom/client' },
    ];
    const allowed: Case[] = [
      { file: 'tasks/extract/new-phase.ts', from: '../../lib/streams/registry' },
      { file: 'tasks/extract/new-phase.ts', from: '../../lib/intercom/client' },
      { file: 'tasks/load/new-step.ts', from: '../../lib/warehouse/batch-writer' },
      { file: 'lib/warehouse/new-writer.ts', from: '../streams/registry' },
      { file: 'lib/streams/admins.ts', from: '../records/fields' },
      { file: 'lib/events/fetch/fetch-changes.ts', from: '../../intercom/stream-source' },
      { file: 'lib/events/apply/apply-event.ts', from: '../../warehouse/rows' },
      { file: 'tasks/stream/run-stream.ts', from: '../../lib/events/apply/apply-event' },
    ];
    const messages = restrictedImportMessages([...forbidden, ...allowed]);
    const refused = messages.map((m) => m.length > 0);
    expect(refused).toEqual([...forbidden.map(() => true), ...allowed.map(() => false)]);
    expect(messages[0]?.[0]).toMatch(/Only the load side imports lib\/warehouse/);
    expect(messages[3]?.[0]).toMatch(/Only the extract side imports lib\/intercom/);
  });
  it('refuses the Intercom client in the API, its reports and their entrypoints, and allows the warehouse there', () => {
    const forbidden: Case[] = [
      { file: 'lib/api/new-route.ts', from: '../intercom/client' },
      { file: 'lib/reports/new-report.ts', from: '../intercom/client' },
      { file: 'tasks/api/main.ts', from: '../../lib/intercom/client' },
      { file: 'handlers/api.ts', from: '../lib/intercom/client' },
    ];
    const allowed: Case[] = [{ file: 'lib/api/new-route.ts', from: '../warehouse/connection' }];
    const messages = restrictedImportMessages([...forbidden, ...allowed]);
    expect(messages.map((m) => m.length > 0)).toEqual([...forbidden.map(() => true), false]);
    expect(messages[0]?.[0]).toMatch(/Only the extract side imports lib\/intercom/);
  });

  it('keeps the refine a lake reader: no Intercom client, no warehouse, no drizzle; the lake and the declarations allowed', () => {
    const forbidden: Case[] = [
      { file: 'lib/refine/jobs/new-job.ts', from: '../../intercom/client' },
      { file: 'lib/refine/jobs/new-job.ts', from: '../../warehouse/connection' },
      { file: 'tasks/refine/main.ts', from: '../../drizzle/schema' },
    ];
    const allowed: Case[] = [
      { file: 'lib/refine/jobs/new-job.ts', from: '../../lake/keys' },
      { file: 'tasks/refine/main.ts', from: '../../lib/streams/registry' },
    ];
    const refused = restrictedImportMessages([...forbidden, ...allowed]).map((m) => m.length > 0);
    expect(refused).toEqual([true, true, true, false, false]);
  });
});
