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
  workspaceId: string;
  /** First 8 hex digits of every generated contact id (like a Mongo ObjectId's time part). */
  idPrefix: string;
  admins: readonly Teammate[];
  bot: Teammate;
  tagIds: readonly string[];
  companyIds: readonly string[];
}

/** Build the per-workspace constants from the seed. */
export function createContext(
  seed: number,
  counts: Pick<
    WorkspaceContext,
    'quirkContacts' | 'quirkConversations' | 'contactCount' | 'conversationCount'
  >,
): WorkspaceContext {
  const rng = new Rng(hash32(seed, STREAM.workspace));
  const workspaceId = rng.hex(8).replace(/[0-3]/g, (d) => 'wxyz'[Number(d)] ?? d);
  const admins: Teammate[] = ['Ciarán Lee', 'Mai Nguyễn', 'Jonas Müller', 'Ada Okafor', 'Support Team'].map(
    (name, n) => ({
      type: 'admin',
      id: String(4_423_000 + n * 17 + rng.int(0, 16)),
      name,
      email: `admin${n + 1}@example.com`,
    }),
  );
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
    admins,
    bot,
    tagIds: Array.from({ length: 40 }, (_, n) => String(7_800_000 + n * 13)),
    companyIds: Array.from(
      { length: 60 },
      (_, n) =>
        `6${hash32(seed, 77, n).toString(16).padStart(8, '0')}c0ffee${n.toString(16).padStart(9, '0')}`,
    ),
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
