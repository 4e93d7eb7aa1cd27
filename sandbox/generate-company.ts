import { BASE_TIME, STREAM, type WorkspaceContext } from './context';
import { generateTag, skipIndex, usableTag, usableTagCount } from './generate-tag';
import { hash32, rngFor } from './prng';
import type { Company } from './types';
import { COMPANY_NAMES } from './vocabulary';

/** Edge cases at fixed company indexes. */
export const EDGE_COMPANIES = {
  /** No contact belongs to it (`user_count` 0). */
  noContacts: 1,
  /** Emoji, accents and CJK in the name. */
  unicodeName: 2,
  /** Only what Intercom always sends: no plan, size, website, industry or custom attributes. */
  bare: 3,
} as const;

/** The id of company `n`: 24 hex digits ending in `n`, so it decodes in O(1). */
export function companyId(ctx: WorkspaceContext, n: number): string {
  return `6${hash32(ctx.seed, STREAM.company, n).toString(16).padStart(8, '0')}c0ffee${n.toString(16).padStart(9, '0')}`;
}

/** The index of a company id, or undefined. */
export function decodeCompanyId(ctx: WorkspaceContext, id: string): number | undefined {
  if (id.length !== 24 || !/^6[0-9a-f]{8}c0ffee[0-9a-f]{9}$/.test(id)) return undefined;
  const n = Number.parseInt(id.slice(15), 16);
  return n < ctx.companyCount && companyId(ctx, n) === id ? n : undefined;
}

/** How many companies contacts may belong to: all but {@link EDGE_COMPANIES.noContacts}. */
export function usableCompanyCount(ctx: WorkspaceContext): number {
  return ctx.companyCount > EDGE_COMPANIES.noContacts ? ctx.companyCount - 1 : ctx.companyCount;
}

/** The company index of usable company `k`. */
export function usableCompany(ctx: WorkspaceContext, k: number): number {
  return ctx.companyCount > EDGE_COMPANIES.noContacts ? skipIndex(k, EDGE_COMPANIES.noContacts) : k;
}

/** Company `n` as `GET /companies/scroll`, `GET /companies/{id}` and a contact's companies return it. */
export function generateCompany(ctx: WorkspaceContext, n: number): Company {
  const rng = rngFor(ctx.seed, STREAM.company, n);
  const created = BASE_TIME - 86_400 * rng.int(1, 900);
  const bare = n === EDGE_COMPANIES.bare;
  const tagCount = usableTagCount(ctx) === 0 ? 0 : rng.int(0, 2);
  const firstTag = rng.int(0, Math.max(0, usableTagCount(ctx) - 1));
  const name =
    n === EDGE_COMPANIES.unicodeName
      ? 'Société Générale 🥐 & Fils — 東京支社'
      : `${COMPANY_NAMES[n % COMPANY_NAMES.length] ?? 'Company'} ${n + 1}`;
  const company: Company = {
    type: 'company',
    id: companyId(ctx, n),
    company_id: String(n + 1),
    app_id: ctx.workspaceId,
    name,
    remote_created_at: created,
    created_at: created,
    updated_at: created + rng.int(0, 86_400 * 30),
    last_request_at: created + rng.int(0, 86_400 * 60),
    monthly_spend: bare ? 0 : rng.int(0, 5_000),
    session_count: rng.int(0, 500),
    user_count: n === EDGE_COMPANIES.noContacts ? 0 : rng.int(1, 40),
    tags: {
      type: 'tag.list',
      tags: bare
        ? []
        : Array.from({ length: Math.min(tagCount, usableTagCount(ctx)) }, (_, k) =>
            generateTag(usableTag(ctx, (firstTag + k) % usableTagCount(ctx))),
          ),
    },
    segments: { type: 'segment.list', segments: [] },
    plan: {},
    // The spec types company custom attribute values as strings.
    custom_attributes: !bare && n % 3 === 0 ? { tier: n % 2 === 0 ? 'gold' : 'silver', region: 'EMEA' } : {},
  };
  if (!bare && n % 4 !== 3) {
    company.plan = {
      type: 'plan',
      id: String(300 + (n % 3)),
      name: ['Starter', 'Pro', 'Premium'][n % 3] ?? 'Pro',
    };
    company.size = rng.int(1, 5_000);
    company.website = `https://company${n + 1}.example.com`;
    company.industry = rng.pick(['Software', 'Retail', 'Finance', 'Santé']);
  }
  return company;
}
