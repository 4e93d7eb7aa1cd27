import { startSandbox, type Sandbox } from '../../sandbox/server';

async function get(sandbox: Sandbox, path: string): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, { headers: { Authorization: `Bearer ${sandbox.token}` } });
}

describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({ seed: 9, contacts: 30, conversations: 10, includeQuirks: false });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('answers 429 with Intercom’s body and headers for every request when rate429 is 1', async () => {
    sandbox.setFaults({ rate429: 1 });
    const res = await get(sandbox, '/contacts');
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(res.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    const body = (await res.json()) as { errors: { code: string }[] };
    expect(body.errors[0]?.code).toBe('rate_limit_exceeded');
    expect(sandbox.stats).toMatchObject({ faults: 1, rateLimited: 1 });
  });

  it('answers 500, 502 or 503 with an error.list body when rate5xx is 1', async () => {
    sandbox.setFaults({ rate5xx: 1 });
    const statuses = new Set<number>();
    for (let n = 0; n < 20; n++) {
      const res = await get(sandbox, '/me');
      statuses.add(res.status);
      expect(((await res.json()) as { type: string }).type).toBe('error.list');
    }
    expect([...statuses].every((s) => [500, 502, 503].includes(s))).toBe(true);
    expect(sandbox.stats.faults).toBe(20);
  });

  it('destroys the socket without an answer when rateReset is 1', async () => {
    sandbox.setFaults({ rateReset: 1 });
    await expect(get(sandbox, '/contacts')).rejects.toThrow();
    expect(sandbox.stats.faults).toBe(1);
  });

  it('delays answers by slowMs when rateSlow is 1', async () => {
    sandbox.setFaults({ rateSlow: 1, slowMs: 50 });
    const res = await get(sandbox, '/me');
    expect(res.status).toBe(200);
    expect(sandbox.stats.faults).toBe(1);
  });

  it('injects a fraction of faults, not all or none, for a fraction in between', async () => {
    sandbox.setFaults({ rate5xx: 0.5 });
    const statuses = [];
    for (let n = 0; n < 60; n++) statuses.push((await get(sandbox, '/me')).status);
    const failed = statuses.filter((s) => s >= 500).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(55);
    expect(sandbox.stats.faults).toBe(failed);
  });

  it('truncates every Nth list page body while keeping status 200', async () => {
    sandbox.setFaults({ malformedEvery: 2 });
    const first = await get(sandbox, '/contacts?per_page=5');
    const firstText = await first.text();
    expect(() => JSON.parse(firstText) as unknown).not.toThrow();
    const second = await get(sandbox, '/conversations?per_page=5');
    expect(second.status).toBe(200);
    const secondText = await second.text();
    expect(() => JSON.parse(secondText) as unknown).toThrow(SyntaxError);
    expect(sandbox.stats.faults).toBe(1);
  });

  it('repeats the last item of a page at the start of the next one with repeatAcrossPages', async () => {
    sandbox.setFaults({ repeatAcrossPages: true });
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await get(sandbox, `/contacts?per_page=10${cursor ? `&starting_after=${cursor}` : ''}`);
      const body = (await res.json()) as {
        data: { id: string }[];
        pages: { next?: { starting_after: string } };
      };
      if (pages > 0) expect(body.data[0]?.id).toBe(ids[ids.length - 1]);
      ids.push(...body.data.map((c) => c.id));
      cursor = body.pages.next?.starting_after;
      pages += 1;
    } while (cursor);
    // Every contact still arrives; the duplicates are the page boundaries.
    expect(new Set(ids).size).toBe(sandbox.workspace.contactCount);
    expect(ids.length - new Set(ids).size).toBe(pages - 1);
  });

  it('counts requests by route', async () => {
    await get(sandbox, '/me');
    await get(sandbox, '/contacts');
    await get(sandbox, '/contacts');
    await get(sandbox, `/conversations/${sandbox.workspace.conversationSummaryAt(0).id}`);
    expect(sandbox.stats.requests).toBe(4);
    expect(sandbox.stats.byRoute).toEqual({ 'GET /me': 1, 'GET /contacts': 2, 'GET /conversations/{id}': 1 });
  });
});
