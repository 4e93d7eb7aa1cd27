import { hash32, Rng } from './prng';

/** Streams that keep the draws of different record kinds independent of each other. */
export const STREAM = {
  contact: 1,
  contactTimes: 2,
  contactLists: 3,
  contactRole: 4,
  conversation: 5,
  conversationShape: 6,
  part: 7,
  workspace: 8,
  admin: 9,
  team: 10,
  company: 11,
  tag: 12,
  segment: 13,
  ticket: 14,
  ticketShape: 15,
  ticketPart: 16,
} as const;

/**
 * The admin `GET /me` describes and admin 0 of `GET /admins`: the workspace owner. Its id is the
 * admin of the quirk conversations, so they link to a listed admin.
 */
export const OWNER_ADMIN = {
  id: '6170021',
  name: 'Sandbox Admin',
  email: 'sandbox-admin@example.com',
} as const;

/** 2020-09-13: generated records start here, so no timestamp is ever 0 or negative. */
export const BASE_TIME = 1_600_000_000;

/** Generated conversation ids are this plus the list index: numeric strings above the quirk records' "52". */
export const CONVERSATION_ID_BASE = 100;

/** Seconds between the creation of neighbouring generated contacts / conversations. */
export const CONTACT_SPACING_S = 60;
export const CONVERSATION_SPACING_S = 240;

/** An admin or the bot that writes conversation parts. */
export interface Teammate {
  type: 'admin' | 'bot';
  id: string;
  name: string;
  email: string;
}

/** Everything a generator needs besides the record index; tiny and fixed whatever the workspace size. */
export interface WorkspaceContext {
  seed: number;
  /** The quirk records (sandbox/quirk-records.ts) come first in each list. */
  quirkContacts: number;
  quirkConversations: number;
  contactCount: number;
  conversationCount: number;
  /** Sizes of the other streams; each record is computed from its index like contacts are. */
  adminCount: number;
  teamCount: number;
  tagCount: number;
  companyCount: number;
  segmentCount: number;
  ticketCount: number;
  workspaceId: string;
  /** First 8 hex digits of every generated contact id (like a Mongo ObjectId's time part). */
  idPrefix: string;
  bot: Teammate;
}

/** Build the per-workspace constants from the seed. */
export function createContext(
  seed: number,
  counts: Pick<
    WorkspaceContext,
    | 'quirkContacts'
    | 'quirkConversations'
    | 'contactCount'
    | 'conversationCount'
    | 'adminCount'
    | 'teamCount'
    | 'tagCount'
    | 'companyCount'
    | 'segmentCount'
    | 'ticketCount'
  >,
): WorkspaceContext {
  const rng = new Rng(hash32(seed, STREAM.workspace));
  const workspaceId = rng.hex(8).replace(/[0-3]/g, (d) => 'wxyz'[Number(d)] ?? d);
  const bot: Teammate = {
    type: 'bot',
    id: String(4_423_434),
    name: 'Operator',
    email: `operator+${workspaceId}@intercom.io`,
  };
  return {
    seed,
    ...counts,
    workspaceId,
    idPrefix: (0x60000000 + (hash32(seed, STREAM.workspace, 1) % 0x0fffffff)).toString(16),
    bot,
  };
}

/** The id of generated contact `i`: prefix, a hash of `i` and `i` itself, so it decodes in O(1). */
export function generatedContactId(ctx: WorkspaceContext, i: number): string {
  return (
    ctx.idPrefix +
    hash32(ctx.seed, STREAM.contact, i).toString(16).padStart(8, '0') +
    i.toString(16).padStart(8, '0')
  );
}

/** The index of a generated contact id, or undefined when it is not one of this workspace's. */
export function decodeGeneratedContactId(ctx: WorkspaceContext, id: string): number | undefined {
  if (id.length !== 24 || !id.startsWith(ctx.idPrefix) || !/^[0-9a-f]+$/.test(id)) return undefined;
  const i = Number.parseInt(id.slice(16), 16);
  if (i < ctx.quirkContacts || i >= ctx.contactCount) return undefined;
  return generatedContactId(ctx, i) === id ? i : undefined;
}
