import path from 'node:path';
import { dataFileKey } from '../../lib/lake/keys';
import { refineJobNamed } from '../../lib/refine/jobs/registry';
import { runRefine } from '../../lib/refine/run-refine';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
  fixtureContact,
  fixtureConversation,
  writeFixtureLake,
  type FixtureLake,
} from '../helpers/fixture-lake';
import { putJsonArray, quietLog, readParquet } from '../helpers/refine-lake';

// The sandbox serves the seven streams other branches are registering (admins, teams, tags,
// segments, data attributes, companies, tickets). Their records, fetched over HTTP as the extract
// will fetch them and written as data/<stream>.json, must refine with the declared columns.
jest.setTimeout(120_000);

let sandbox: Sandbox;
let lake: FixtureLake;

async function get(pathAndQuery: string, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}${pathAndQuery}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${sandbox.token}`,
      'Intercom-Version': '2.14',
      'Content-Type': 'application/json',
    },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

async function companies(): Promise<unknown[]> {
  const all: unknown[] = [];
  let param: unknown;
  for (;;) {
    const page = await get(`/companies/scroll${param ? `?scroll_param=${String(param)}` : ''}`);
    const data = page.data as unknown[];
    if (data.length === 0) return all;
    all.push(...data);
    param = page.scroll_param;
  }
}

async function tickets(): Promise<unknown[]> {
  const all: unknown[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await get('/tickets/search', {
      method: 'POST',
      body: JSON.stringify({
        query: { field: 'created_at', operator: '>', value: 0 },
        pagination: { per_page: 150, ...(startingAfter ? { starting_after: startingAfter } : {}) },
      }),
    });
    all.push(...(page.tickets as unknown[]));
    startingAfter = (page.pages as { next?: { starting_after?: string } } | undefined)?.next?.starting_after;
    if (!startingAfter) return all;
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, contacts: 40, conversations: 10 });
  lake = await writeFixtureLake({ users: [fixtureContact(1)], conversations: [fixtureConversation(1)] });
});

afterAll(async () => {
  await sandbox?.close();
  await lake?.remove();
});

test('the sandbox records of every other stream refine into silver, one row per record', async () => {
  const attributes = [];
  for (const model of ['contact', 'company', 'conversation']) {
    attributes.push(...((await get(`/data_attributes?model=${model}`)).data as unknown[]));
  }
  const streams: Record<string, unknown[]> = {
    admins: (await get('/admins')).admins as unknown[],
    teams: (await get('/teams')).teams as unknown[],
    tags: (await get('/tags')).data as unknown[],
    segments: (await get('/segments')).segments as unknown[],
    data_attributes: attributes,
    companies: await companies(),
    tickets: await tickets(),
  };
  for (const [stream, records] of Object.entries(streams)) {
    expect([stream, records.length > 0]).toEqual([stream, true]);
    await putJsonArray(lake.store, dataFileKey(`${stream}.json`), records);
  }

  const result = await runRefine({
    job: refineJobNamed('silver'),
    inputUrl: lake.folder,
    outputUrl: lake.folder,
    options: { now: new Date() },
    memoryLimit: '256MB',
    threads: 1,
    log: quietLog,
  });

  for (const [stream, records] of Object.entries(streams)) {
    expect([stream, result.outputs[`silver/${stream}/`]]).toEqual([stream, records.length]);
  }
  const [team] = await readParquet(
    path.join(lake.folder, 'silver', 'teams'),
    'SELECT admin_ids FROM t WHERE len(admin_ids) > 0 LIMIT 1',
  );
  expect((team!.admin_ids as string[]).every((id) => /^\d+$/.test(id))).toBe(true);
  const [ticket] = await readParquet(
    path.join(lake.folder, 'silver', 'tickets'),
    "SELECT ticket_type_name, json_extract_string(ticket_state, '$.category') AS state FROM t LIMIT 1",
  );
  expect(ticket).toEqual({ ticket_type_name: expect.any(String), state: expect.any(String) });
});
