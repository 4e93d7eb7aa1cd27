import { EDGE_ADMINS, EDGE_TEAMS } from '../../sandbox/generate-admin';
import { EDGE_COMPANIES } from '../../sandbox/generate-company';
import { EDGE_TAGS } from '../../sandbox/generate-tag';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import {
  DEFAULT_TAGS,
  type Admin,
  type Company,
  type Conversation,
  type Team,
  type Ticket,
  type WorkspaceTag,
} from '../../sandbox/workspace';

// The streams besides contacts and conversations, read over real HTTP as an extractor reads them:
// they must link up with each other and with contacts and conversations.

type Json = Record<string, unknown>;

async function call(sandbox: Sandbox, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { Authorization: `Bearer ${sandbox.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function getOk<T>(sandbox: Sandbox, path: string): Promise<T> {
  const { status, body } = await call(sandbox, path);
  expect(status).toBe(200);
  return body as T;
}

/** Every company of one scroll, in order; fails the test on anything but 200. */
async function scrollAll(sandbox: Sandbox): Promise<Company[]> {
  const companies: Company[] = [];
  let param: string | undefined;
  for (;;) {
    const page = await getOk<{ data: Company[]; scroll_param: string }>(
      sandbox,
      `/companies/scroll${param ? `?scroll_param=${param}` : ''}`,
    );
    if (page.data.length === 0) return companies;
    companies.push(...page.data);
    param = page.scroll_param;
  }
}

/** Every ticket that `query` matches, over all pages of `per_page`. */
async function searchTickets(sandbox: Sandbox, query: unknown, perPage: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const { status, body } = await call(sandbox, '/tickets/search', {
      query,
      pagination: { per_page: perPage, ...(cursor ? { starting_after: cursor } : {}) },
    });
    expect(status).toBe(200);
    const page = body as { tickets: Ticket[]; pages: { next?: { starting_after: string } } };
    expect(page.tickets.length).toBeLessThanOrEqual(Math.min(perPage, 150));
    ids.push(...page.tickets.map((t) => t.id));
    cursor = page.pages.next?.starting_after;
  } while (cursor);
  return ids;
}

describe('sandbox streams link up', () => {
  let sandbox: Sandbox;
  let admins: Admin[];
  let teams: Team[];
  let tags: WorkspaceTag[];
  let companies: Company[];
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, contacts: 80, conversations: 60, companies: 30, tickets: 50 });
    admins = (await getOk<{ admins: Admin[] }>(sandbox, '/admins')).admins;
    teams = (await getOk<{ teams: Team[] }>(sandbox, '/teams')).teams;
    tags = (await getOk<{ data: WorkspaceTag[] }>(sandbox, '/tags')).data;
    companies = await scrollAll(sandbox);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('lists every admin, team, tag and company once, and the edge cases are there', () => {
    const ws = sandbox.workspace;
    expect(admins.map((a) => a.id)).toEqual(
      Array.from({ length: ws.adminCount }, (_, n) => ws.adminAt(n).id),
    );
    expect(new Set(teams.map((t) => t.id)).size).toBe(ws.teamCount);
    expect(new Set(tags.map((t) => t.id)).size).toBe(ws.tagCount);
    expect(companies).toEqual(Array.from({ length: ws.companyCount }, (_, n) => ws.companyAt(n)));
    expect(admins[EDGE_ADMINS.noTeams]?.team_ids).toEqual([]);
    expect(admins[EDGE_ADMINS.away]).toMatchObject({ away_mode_enabled: true, away_mode_reassign: true });
    expect(teams[EDGE_TEAMS.noAdmins]?.admin_ids).toEqual([]);
    expect(companies[EDGE_COMPANIES.noContacts]?.user_count).toBe(0);
  });

  it('GET /me is admin 0 of GET /admins', async () => {
    const me = await getOk<Json>(sandbox, '/me');
    expect(admins[0]).toMatchObject({ id: me.id, name: me.name, email: me.email });
  });

  it('team.admin_ids and admin.team_ids hold the same pairs', () => {
    const fromTeams = teams.flatMap((t) => t.admin_ids.map((a) => `${t.id}/${a}`)).sort();
    const fromAdmins = admins.flatMap((a) => a.team_ids.map((t) => `${t}/${a.id}`)).sort();
    expect(fromTeams.length).toBeGreaterThan(admins.length / 2);
    expect(fromTeams).toEqual(fromAdmins);
  });

  it('every conversation assignee, teammate and admin part author is a listed admin or team', async () => {
    const adminIds = new Set(admins.map((a) => a.id));
    const teamIds = new Set(teams.map((t) => t.id));
    let assignedToTeams = 0;
    for (let j = 0; j < sandbox.workspace.conversationCount; j++) {
      const id = sandbox.workspace.conversationSummaryAt(j).id;
      const c = await getOk<Conversation>(sandbox, `/conversations/${id}`);
      if (c.admin_assignee_id != null) expect(adminIds).toContain(String(c.admin_assignee_id));
      if (c.team_assignee_id != null) {
        expect(teamIds).toContain(String(c.team_assignee_id));
        assignedToTeams += 1;
      }
      for (const t of c.teammates?.admins ?? []) expect(adminIds).toContain(t.id);
      for (const p of c.conversation_parts.conversation_parts) {
        if (p.author.type === 'admin') expect(adminIds).toContain(p.author.id);
        if (p.assigned_to?.type === 'admin') expect(adminIds).toContain(p.assigned_to.id);
      }
    }
    expect(assignedToTeams).toBeGreaterThan(0);
  });

  it('every company and tag a contact carries is listed, under one name per tag id everywhere', async () => {
    const names = new Map(tags.map((t) => [t.id, t.name]));
    const companyIds = new Set(companies.map((c) => c.id));
    const usedTags = new Set<string>();
    const usedCompanies = new Set<string>();
    const expectListedTag = (t: { id: string; name?: string }): void => {
      expect(names.has(t.id)).toBe(true);
      if (t.name !== undefined) expect(t.name).toBe(names.get(t.id));
      usedTags.add(t.id);
    };
    for (let i = 0; i < sandbox.workspace.contactCount; i++) {
      const contact = sandbox.workspace.contactAt(i);
      const listed = await getOk<{ data: WorkspaceTag[] }>(sandbox, `/contacts/${contact.id}/tags`);
      for (const t of listed.data) expectListedTag(t);
      for (const t of contact.tags.data) expectListedTag(t);
      const own = await getOk<{ data: Company[] }>(sandbox, `/contacts/${contact.id}/companies`);
      for (const c of [...own.data, ...contact.companies.data]) {
        expect(companyIds).toContain(c.id);
        usedCompanies.add(c.id);
      }
      // The sub-list gives the very company GET /companies/{id} gives.
      for (const c of own.data) expect(c).toEqual(companies.find((listed) => listed.id === c.id));
    }
    for (let j = 0; j < sandbox.workspace.conversationCount; j++) {
      for (const t of sandbox.workspace.conversationSummaryAt(j).tags.tags) expectListedTag(t);
    }
    for (const c of companies) for (const t of c.tags.tags) expectListedTag(t);
    // Companies are shared, and the edge cases stay unused.
    expect(usedCompanies.size).toBeLessThan(sandbox.workspace.contactCount);
    expect(usedCompanies.has(companies[EDGE_COMPANIES.noContacts]?.id ?? '')).toBe(false);
    const quirkTags = sandbox.workspace.tagCount - DEFAULT_TAGS;
    expect(usedTags.has(tags[quirkTags + EDGE_TAGS.unused]?.id ?? '')).toBe(false);
  });

  it('every ticket refers to listed contacts, admins and teams', async () => {
    const adminIds = new Set(admins.map((a) => a.id));
    const teamIds = new Set(teams.map((t) => t.id));
    let assigned = 0;
    for (let j = 0; j < sandbox.workspace.ticketCount; j++) {
      const t = await getOk<Ticket>(sandbox, `/tickets/${sandbox.workspace.ticketAt(j).id}`);
      if (t.admin_assignee_id !== '0') {
        expect(adminIds).toContain(t.admin_assignee_id);
        assigned += 1;
      }
      if (t.team_assignee_id !== '0') expect(teamIds).toContain(t.team_assignee_id);
      for (const c of t.contacts.contacts) expect(sandbox.workspace.contactIndex(c.id)).toBeDefined();
      for (const p of t.ticket_parts.ticket_parts) {
        if (p.author.type === 'admin') expect(adminIds).toContain(p.author.id);
        else expect(t.contacts.contacts.map((c) => c.id)).toContain(p.author.id);
      }
      for (const link of t.linked_objects.data) {
        const found =
          link.type === 'ticket'
            ? sandbox.workspace.ticketIndex(link.id)
            : sandbox.workspace.conversationIndex(link.id);
        expect(found).toBeDefined();
      }
    }
    expect(assigned).toBeGreaterThan(sandbox.workspace.ticketCount / 2);
  });
});

describe('POST /tickets/search', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, contacts: 20, conversations: 5, tickets: 320 });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const times = (): { id: string; created_at: number; updated_at: number }[] =>
    Array.from({ length: sandbox.workspace.ticketCount }, (_, j) => sandbox.workspace.ticketSearchFields(j));

  it('pages through every ticket exactly once, at most 150 a page', async () => {
    const ids = await searchTickets(sandbox, { field: 'created_at', operator: '>', value: 0 }, 1000);
    expect(ids).toEqual(times().map((t) => t.id));
    const small = await searchTickets(sandbox, { field: 'updated_at', operator: '>', value: 0 }, 7);
    expect(small).toEqual(ids);
  });

  it('filters by updated_at and created_at with AND and OR, and by id', async () => {
    const all = times();
    const pivot = all[100]?.updated_at ?? 0;
    const early = all[40]?.created_at ?? 0;
    const and = await searchTickets(
      sandbox,
      {
        operator: 'AND',
        value: [
          { field: 'updated_at', operator: '>', value: pivot },
          { field: 'updated_at', operator: '<=', value: pivot + 3_000 },
        ],
      },
      13,
    );
    const expectedAnd = all
      .filter((t) => t.updated_at > pivot && t.updated_at <= pivot + 3_000)
      .map((t) => t.id);
    expect(expectedAnd.length).toBeGreaterThan(3);
    expect(and).toEqual(expectedAnd);
    const or = await searchTickets(
      sandbox,
      {
        operator: 'OR',
        value: [
          { field: 'created_at', operator: '<', value: early },
          { field: 'updated_at', operator: '>=', value: pivot },
        ],
      },
      50,
    );
    expect(or).toEqual(all.filter((t) => t.created_at < early || t.updated_at >= pivot).map((t) => t.id));
    const one = all[7]?.id ?? '';
    expect(await searchTickets(sandbox, { field: 'id', operator: '=', value: one }, 20)).toEqual([one]);
  });
});

describe('GET /companies/scroll', () => {
  let sandbox: Sandbox;
  beforeEach(async () => {
    sandbox = await startSandbox({
      contacts: 5,
      conversations: 1,
      includeQuirks: false,
      companies: 25,
      scrollPageSize: 10,
      scrollIdleMs: 200,
    });
  });
  afterEach(async () => {
    await sandbox.close();
  });

  it('refuses a second scroll while one is open with 400 scroll_exists, and allows one after the end', async () => {
    const first = await call(sandbox, '/companies/scroll');
    expect(first.status).toBe(200);
    const second = await call(sandbox, '/companies/scroll');
    expect(second.status).toBe(400);
    expect((second.body.errors as { code: string }[])[0]?.code).toBe('scroll_exists');
    let param = first.body.scroll_param as string;
    for (;;) {
      const page = await call(sandbox, `/companies/scroll?scroll_param=${param}`);
      if ((page.body.data as unknown[]).length === 0) break;
      param = page.body.scroll_param as string;
    }
    // The empty page ended the scroll: its param fails and a new scroll may start.
    expect((await call(sandbox, `/companies/scroll?scroll_param=${param}`)).status).toBe(404);
    expect((await call(sandbox, '/companies/scroll')).status).toBe(200);
  });

  it('expires a scroll left idle longer than scrollIdleMs', async () => {
    const first = await call(sandbox, '/companies/scroll');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const later = await call(sandbox, `/companies/scroll?scroll_param=${String(first.body.scroll_param)}`);
    expect(later.status).toBe(404);
    expect((await call(sandbox, '/companies/scroll')).status).toBe(200);
  });

  it('answers the documented 500 mid-scroll with scrollFailAfterPages, after which only a new scroll gets every company', async () => {
    sandbox.setFaults({ scrollFailAfterPages: 2 });
    const first = await call(sandbox, '/companies/scroll');
    const second = await call(sandbox, `/companies/scroll?scroll_param=${String(first.body.scroll_param)}`);
    expect(second.status).toBe(200);
    const broken = await call(sandbox, `/companies/scroll?scroll_param=${String(second.body.scroll_param)}`);
    expect(broken.status).toBe(500);
    expect((broken.body.errors as { message: string }[])[0]?.message).toContain('restart the scroll');
    expect(
      (await call(sandbox, `/companies/scroll?scroll_param=${String(second.body.scroll_param)}`)).status,
    ).toBe(404);
    const all = await scrollAll(sandbox);
    expect(all.map((c) => c.id)).toEqual(
      Array.from({ length: sandbox.workspace.companyCount }, (_, n) => sandbox.workspace.companyAt(n).id),
    );
    expect(sandbox.stats.faults).toBe(1);
  });
});

describe('rate limit and faults on the new endpoints', () => {
  it('counts GET /admins against the rate limit and answers 429 past it', async () => {
    const sandbox = await startSandbox({
      contacts: 1,
      conversations: 1,
      includeQuirks: false,
      rateLimitPerWindow: 2,
    });
    try {
      const statuses = [];
      for (let n = 0; n < 3; n++) statuses.push((await call(sandbox, '/admins')).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect(sandbox.stats.rateLimited).toBe(1);
    } finally {
      await sandbox.close();
    }
  });

  it('injects 5xx into ticket search and truncates scroll pages with malformedEvery', async () => {
    const sandbox = await startSandbox({
      contacts: 1,
      conversations: 1,
      includeQuirks: false,
      companies: 5,
    });
    try {
      sandbox.setFaults({ rate5xx: 1 });
      const failed = await call(sandbox, '/tickets/search', {
        query: { field: 'id', operator: '=', value: '1' },
      });
      expect([500, 502, 503]).toContain(failed.status);
      sandbox.setFaults({ malformedEvery: 1 });
      const res = await fetch(`${sandbox.url}/companies/scroll`, {
        headers: { Authorization: `Bearer ${sandbox.token}` },
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
      expect(sandbox.stats.faults).toBe(2);
    } finally {
      await sandbox.close();
    }
  });
});
