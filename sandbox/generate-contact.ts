import { BASE_TIME, CONTACT_SPACING_S, STREAM, generatedContactId, type WorkspaceContext } from './context';
import { pickAdmin, teammateAt } from './generate-admin';
import { companyId, generateCompany, usableCompany, usableCompanyCount } from './generate-company';
import { tagId, tagName, usableTag, usableTagCount } from './generate-tag';
import { hash32, rngFor, type Rng } from './prng';
import type { Company, Contact, NestedList, Note, Tag } from './types';
import { BROWSERS, FIRST_NAMES, LAST_NAMES, PLACES } from './vocabulary';

/**
 * Edge cases at fixed offsets after the quirk contacts, so that even a small workspace has them:
 * contact `quirkCount + EDGE_CONTACTS.x`.
 */
export const EDGE_CONTACTS = {
  /** A lead with null email, null name and null phone. */
  nullEverythingLead: 0,
  /** A user with email "" and a name with 4-byte emoji. */
  emptyEmailEmojiName: 1,
  /** 25 tags, 12 companies, 11 notes: every nested list has 10 items and `has_more: true`. */
  moreThanTen: 2,
  /** Exactly 10 tags, companies and notes: nested lists complete, `has_more: false`. */
  exactlyTen: 3,
  /** Custom attributes with nested objects and a ~50 KB string. */
  largeAttributes: 4,
  /** `signed_up_at` in 2049 and a full location. */
  farFuture: 5,
} as const;

/** Nested lists on a contact hold at most this many items; the sub-endpoints hold all. */
export const NESTED_LIST_LIMIT = 10;

/** Size of the large custom attribute string. */
export const LARGE_ATTRIBUTE_BYTES = 50_000;

/** 2043-01-01 and 2056-12-31: the far-future `signed_up_at` range that records from a live workspace show. */
const FAR_FUTURE_MIN = 2_303_596_800;
const FAR_FUTURE_MAX = 2_745_964_800;

/** `created_at` and `updated_at` of generated contact `i`, without building the contact (for search). */
export function contactTimes(ctx: WorkspaceContext, i: number): { created_at: number; updated_at: number } {
  const h = hash32(ctx.seed, STREAM.contactTimes, i);
  const created = BASE_TIME + i * CONTACT_SPACING_S + (h % CONTACT_SPACING_S);
  // About a third were never updated after creation, as in real workspaces.
  const updated = h % 3 === 0 ? created : created + ((h >>> 8) % (120 * 86_400));
  return { created_at: created, updated_at: updated };
}

/** Role of generated contact `i`, cheap enough to call for every conversation author. */
export function contactRole(ctx: WorkspaceContext, i: number): 'user' | 'lead' {
  const g = i - ctx.quirkContacts;
  if (g === EDGE_CONTACTS.nullEverythingLead) return 'lead';
  if (g === EDGE_CONTACTS.emptyEmailEmojiName) return 'user';
  return hash32(ctx.seed, STREAM.contactRole, i) % 4 === 0 ? 'lead' : 'user';
}

/**
 * How many tags, companies and notes generated contact `i` has in total; never more tags or
 * companies than the workspace has, so a contact carries each at most once.
 */
export function contactListSizes(
  ctx: WorkspaceContext,
  i: number,
): { tags: number; companies: number; notes: number } {
  const g = i - ctx.quirkContacts;
  const wanted = (): { tags: number; companies: number; notes: number } => {
    if (g === EDGE_CONTACTS.moreThanTen) return { tags: 25, companies: 12, notes: 11 };
    if (g === EDGE_CONTACTS.exactlyTen) return { tags: 10, companies: 10, notes: 10 };
    const rng = rngFor(ctx.seed, STREAM.contactLists, i);
    return {
      tags: rng.chance(0.04) ? rng.int(11, 30) : rng.int(0, 3),
      companies: rng.chance(0.02) ? rng.int(11, 15) : rng.int(0, 2),
      notes: rng.chance(0.02) ? rng.int(11, 20) : rng.int(0, 2),
    };
  };
  const sizes = wanted();
  return {
    tags: Math.min(sizes.tags, usableTagCount(ctx)),
    companies: Math.min(sizes.companies, usableCompanyCount(ctx)),
    notes: sizes.notes,
  };
}

/** Tag indexes of contact `i`: consecutive workspace tags, leaving out the tag on nothing. */
function tagIndexes(ctx: WorkspaceContext, i: number, count: number): number[] {
  const usable = usableTagCount(ctx);
  if (usable === 0) return [];
  const start = hash32(ctx.seed, STREAM.contactLists, i, 1) % usable;
  return Array.from({ length: count }, (_, k) => usableTag(ctx, (start + k) % usable));
}

/** Company indexes of contact `i`: consecutive workspace companies, leaving out the company without contacts. */
function companyIndexes(ctx: WorkspaceContext, i: number, count: number): number[] {
  const usable = usableCompanyCount(ctx);
  if (usable === 0) return [];
  const start = hash32(ctx.seed, STREAM.contactLists, i, 2) % usable;
  return Array.from({ length: count }, (_, k) => usableCompany(ctx, (start + k) % usable));
}

function noteId(i: number, k: number): string {
  // 32 ids per contact: more than the 20 notes a generated contact can have.
  return String(i * 32 + k + 1);
}

function nested(
  kind: 'tags' | 'notes' | 'companies',
  contactId: string,
  items: NestedList['data'],
  total: number,
): NestedList {
  return {
    type: 'list',
    data: items.slice(0, NESTED_LIST_LIMIT),
    url: `/contacts/${contactId}/${kind}`,
    total_count: total,
    has_more: total > NESTED_LIST_LIMIT,
  };
}

/** Every tag of generated contact `i`, as `GET /contacts/{id}/tags` returns them. */
export function generateContactTags(ctx: WorkspaceContext, i: number): Tag[] {
  const { tags } = contactListSizes(ctx, i);
  const { created_at } = contactTimes(ctx, i);
  return tagIndexes(ctx, i, tags).map((n, k) => ({
    type: 'tag',
    id: tagId(n),
    name: tagName(n),
    applied_at: created_at + k * 3_600,
    applied_by: { type: 'admin', id: teammateAt(ctx, n % ctx.adminCount).id },
  }));
}

/** Every company of generated contact `i`, as `GET /contacts/{id}/companies` returns them: workspace companies. */
export function generateContactCompanies(ctx: WorkspaceContext, i: number): Company[] {
  const { companies } = contactListSizes(ctx, i);
  return companyIndexes(ctx, i, companies).map((n) => generateCompany(ctx, n));
}

/** Every note of generated contact `i`, as `GET /contacts/{id}/notes` returns them (newest first). */
export function generateContactNotes(ctx: WorkspaceContext, i: number): Note[] {
  const { notes } = contactListSizes(ctx, i);
  const { created_at } = contactTimes(ctx, i);
  const contactId = generatedContactId(ctx, i);
  return Array.from({ length: notes }, (_, n) => {
    const k = notes - 1 - n;
    const admin = teammateAt(ctx, (i + k) % ctx.adminCount);
    return {
      type: 'note',
      id: noteId(i, k),
      created_at: created_at + 600 * (k + 1),
      contact: { type: 'contact', id: contactId },
      author: {
        type: 'admin',
        id: admin.id,
        name: admin.name,
        email: admin.email,
        away_mode_enabled: false,
        away_mode_reassign: false,
      },
      body: `<p>Note ${k + 1} about this customer ✍️</p>`,
    };
  });
}

function largeText(i: number): string {
  const unit = `Row ${i}: lorem ipsum dolor sit amet — ünïcödé 🚀 `;
  return unit.repeat(Math.ceil(LARGE_ATTRIBUTE_BYTES / unit.length)).slice(0, LARGE_ATTRIBUTE_BYTES);
}

function customAttributes(rng: Rng, i: number, large: boolean): Record<string, unknown> {
  if (!large && rng.chance(0.4)) return {};
  const attributes: Record<string, unknown> = {
    plan: rng.pick(['free', 'pro', 'enterprise']),
    seats: rng.int(1, 250),
    trial: rng.chance(0.3),
    mrr: Math.round(rng.next() * 100_000) / 100,
    preferences: { theme: rng.pick(['dark', 'light']), notifications: { email: rng.chance(0.5), sms: null } },
    signup_source: rng.chance(0.5) ? null : rng.pick(['ads', 'referral', 'organic']),
  };
  if (large) attributes.support_history = largeText(i);
  return attributes;
}

function maybeTime(rng: Rng, p: number, from: number, spanS: number): number | null {
  return rng.chance(p) ? from + rng.int(0, spanS) : null;
}

/** Generated contact `i` exactly as `GET /contacts` lists it. */
export function generateContact(ctx: WorkspaceContext, i: number): Contact {
  const g = i - ctx.quirkContacts;
  const rng = rngFor(ctx.seed, STREAM.contact, i);
  const id = generatedContactId(ctx, i);
  const role = contactRole(ctx, i);
  const { created_at, updated_at } = contactTimes(ctx, i);
  const sizes = contactListSizes(ctx, i);

  let name: string | null = rng.chance(0.05) ? null : `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
  let email: string | null = `user${i}@${rng.pick(['example.com', 'example.org', 'mail.example.net'])}`;
  if (role === 'lead' && rng.chance(0.3)) email = null;
  else if (rng.chance(role === 'lead' ? 0.1 : 0.03)) email = '';
  let phone: string | null = rng.chance(0.6)
    ? null
    : `+1555${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
  let signedUp: number | null =
    role === 'lead' ? null : rng.chance(0.15) ? rng.int(FAR_FUTURE_MIN, FAR_FUTURE_MAX) : created_at;
  const place = rng.chance(0.5) ? rng.pick(PLACES) : undefined;
  let location: Contact['location'] = {
    type: 'location',
    country: place?.country ?? null,
    region: place?.region ?? null,
    city: place?.city ?? null,
  };
  const seen = rng.chance(0.6);
  const browser = seen ? rng.pick(BROWSERS) : undefined;
  const large = g === EDGE_CONTACTS.largeAttributes || i % 1000 === 999;

  if (g === EDGE_CONTACTS.nullEverythingLead) {
    name = null;
    email = null;
    phone = null;
  } else if (g === EDGE_CONTACTS.emptyEmailEmojiName) {
    name = 'Zoë 🦄 Ångström-𝓐𝓵𝓲𝓬𝓮';
    email = '';
  } else if (g === EDGE_CONTACTS.farFuture) {
    signedUp = 2_500_000_000;
    location = { type: 'location', country: 'Ireland', region: 'Dublin', city: 'Dublin' };
  }

  const tagItems = tagIndexes(ctx, i, Math.min(sizes.tags, NESTED_LIST_LIMIT)).map((n) => {
    const itemId = tagId(n);
    return { id: itemId, type: 'tag', url: `/tags/${itemId}` };
  });
  const companyItems = companyIndexes(ctx, i, Math.min(sizes.companies, NESTED_LIST_LIMIT)).map((n) => {
    const itemId = companyId(ctx, n);
    return { id: itemId, type: 'company', url: `/companies/${itemId}` };
  });
  // Newest first, matching the sub-endpoint.
  const noteItems = Array.from({ length: Math.min(sizes.notes, NESTED_LIST_LIMIT) }, (_, n) => {
    const nid = noteId(i, sizes.notes - 1 - n);
    return { id: nid, type: 'note', url: `/notes/${nid}` };
  });

  return {
    type: 'contact',
    id,
    workspace_id: ctx.workspaceId,
    external_id: role === 'user' ? String(20_000_000 + i) : null,
    role,
    email,
    phone,
    name,
    avatar: rng.chance(0.2)
      ? { type: 'avatar', image_url: `https://static.example.com/avatars/${i}.png` }
      : null,
    owner_id: rng.chance(0.2) ? Number(pickAdmin(ctx, rng).id) : null,
    social_profiles: {
      type: 'list',
      data: rng.chance(0.1)
        ? [{ type: 'social_profile', name: 'Twitter', url: `https://twitter.com/user${i}` }]
        : [],
    },
    has_hard_bounced: rng.chance(0.02),
    marked_email_as_spam: rng.chance(0.01),
    unsubscribed_from_emails: rng.chance(0.1),
    created_at,
    updated_at,
    signed_up_at: signedUp,
    last_seen_at: seen ? updated_at : null,
    last_replied_at: maybeTime(rng, 0.3, created_at, 86_400 * 30),
    last_contacted_at: maybeTime(rng, 0.4, created_at, 86_400 * 30),
    last_email_opened_at: maybeTime(rng, 0.2, created_at, 86_400 * 30),
    last_email_clicked_at: maybeTime(rng, 0.1, created_at, 86_400 * 30),
    language_override: rng.chance(0.1) ? rng.pick(['fr', 'de', 'pt-BR', 'zh-CN']) : null,
    browser: browser?.browser ?? null,
    browser_version: browser?.version ?? null,
    browser_language: browser ? rng.pick(['en-US', 'fr-FR', 'de-DE']) : null,
    os: browser?.os ?? null,
    location,
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: browser?.os === 'iOS' ? 'Example' : null,
    ios_app_version: browser?.os === 'iOS' ? '5.2.1' : null,
    ios_device: browser?.os === 'iOS' ? 'iPhone15,2' : null,
    ios_os_version: browser?.os === 'iOS' ? '17.2' : null,
    ios_sdk_version: browser?.os === 'iOS' ? '16.1.0' : null,
    ios_last_seen_at: browser?.os === 'iOS' ? updated_at : null,
    custom_attributes: customAttributes(rng, i, large),
    tags: nested('tags', id, tagItems, sizes.tags),
    notes: nested('notes', id, noteItems, sizes.notes),
    companies: nested('companies', id, companyItems, sizes.companies),
    sms_consent: false,
    unsubscribed_from_sms: false,
  };
}
