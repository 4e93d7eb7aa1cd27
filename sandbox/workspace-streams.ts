import type { WorkspaceContext } from './context';
import { dataAttributes } from './data-attributes';
import { decodeAdminId, decodeTeamId, generateAdmin, generateTeam } from './generate-admin';
import { decodeCompanyId, generateCompany } from './generate-company';
import type { ParticipantLookup } from './generate-conversation';
import { decodeTagId, generateSegment, generateTag, tagName } from './generate-tag';
import { decodeTicketId, generateTicket, ticketId, ticketTimes } from './generate-ticket';
import type {
  Admin,
  Company,
  DataAttribute,
  DataAttributeModel,
  Segment,
  Team,
  Ticket,
  WorkspaceTag,
} from './types';
import type { SearchFields } from './workspace';

/**
 * The workspace's streams besides contacts and conversations: admins, teams, tags, companies,
 * segments, data attributes and tickets. Indexes are list positions; record `n` is computed from
 * `(seed, n)` like contacts are, so memory stays flat at any size.
 */
export interface WorkspaceStreams {
  /** Number of admins; admin 0 is the owner `GET /me` describes. */
  readonly adminCount: number;
  /** Admin `n` as `GET /admins` lists it. */
  adminAt(n: number): Admin;
  /** The list index of an admin id, or undefined. */
  adminIndex(id: string): number | undefined;
  readonly teamCount: number;
  /** Team `t` as `GET /teams` lists it. */
  teamAt(t: number): Team;
  teamIndex(id: string): number | undefined;
  /** Number of tags, counting the tags only the quirk contacts carry (listed first). */
  readonly tagCount: number;
  /** Tag `n` as `GET /tags` lists it. */
  tagAt(n: number): WorkspaceTag;
  readonly companyCount: number;
  /** Company `n` as `GET /companies/scroll` lists it and `GET /companies/{id}` returns it. */
  companyAt(n: number): Company;
  companyIndex(id: string): number | undefined;
  readonly segmentCount: number;
  /** Segment `n` with its `count` (the server drops it unless `include_count=true`). */
  segmentAt(n: number): Segment;
  /** Attribute definitions of a model (every model when undefined) as `GET /data_attributes` lists them. */
  dataAttributes(model: DataAttributeModel | undefined, includeArchived: boolean): DataAttribute[];
  readonly ticketCount: number;
  /** Ticket `j` as `POST /tickets/search` lists it and `GET /tickets/{id}` returns it. */
  ticketAt(j: number): Ticket;
  ticketIndex(id: string): number | undefined;
  /** `id`, `created_at`, `updated_at` of ticket `j` without building it, for search. */
  ticketSearchFields(j: number): SearchFields;
}

function checker(kind: string, count: number): (n: number) => void {
  return (n) => {
    if (!Number.isInteger(n) || n < 0 || n >= count) {
      throw new RangeError(`${kind} index ${n} is outside 0..${count - 1}.`);
    }
  };
}

/**
 * The streams of the workspace `ctx` describes. `quirkTagIds` are tags that the quirk contacts
 * carry and the generator does not make: they are listed first, under the name the quirk
 * contacts' tag sub-list gives them.
 */
export function createWorkspaceStreams(
  ctx: WorkspaceContext,
  lookup: ParticipantLookup,
  quirkTagIds: readonly string[],
): WorkspaceStreams {
  const extraTags = quirkTagIds.length;
  const checkAdmin = checker('Admin', ctx.adminCount);
  const checkTeam = checker('Team', ctx.teamCount);
  const checkTag = checker('Tag', extraTags + ctx.tagCount);
  const checkCompany = checker('Company', ctx.companyCount);
  const checkSegment = checker('Segment', ctx.segmentCount);
  const checkTicket = checker('Ticket', ctx.ticketCount);
  return {
    adminCount: ctx.adminCount,
    adminAt: (n) => (checkAdmin(n), generateAdmin(ctx, n)),
    adminIndex: (id) => decodeAdminId(ctx, id),
    teamCount: ctx.teamCount,
    teamAt: (t) => (checkTeam(t), generateTeam(ctx, t)),
    teamIndex: (id) => decodeTeamId(ctx, id),
    tagCount: extraTags + ctx.tagCount,
    tagAt(n) {
      checkTag(n);
      const recorded = quirkTagIds[n];
      return recorded === undefined
        ? generateTag(n - extraTags)
        : { type: 'tag', id: recorded, name: tagNameById(ctx, recorded) };
    },
    companyCount: ctx.companyCount,
    companyAt: (n) => (checkCompany(n), generateCompany(ctx, n)),
    companyIndex: (id) => decodeCompanyId(ctx, id),
    segmentCount: ctx.segmentCount,
    segmentAt: (n) => (checkSegment(n), generateSegment(ctx, n)),
    dataAttributes: (model, includeArchived) =>
      dataAttributes(model, includeArchived, generateAdmin(ctx, 0).id),
    ticketCount: ctx.ticketCount,
    ticketAt: (j) => (checkTicket(j), generateTicket(ctx, j, lookup)),
    ticketIndex: (id) => decodeTicketId(ctx, id),
    ticketSearchFields: (j) => (checkTicket(j), { id: ticketId(j), ...ticketTimes(ctx, j) }),
  };
}

/**
 * The one name of a tag id: a generated tag's name, or `tag <id>` for a tag only the quirk records
 * carry (the quirk records, like the live ones, give ids, never names).
 */
export function tagNameById(ctx: Pick<WorkspaceContext, 'tagCount'>, id: string): string {
  const n = decodeTagId(ctx, id);
  return n === undefined ? `tag ${id}` : tagName(n);
}

/** Streams of a workspace that has none (a test's hand-written workspace): empty lists, nothing found. */
export function emptyWorkspaceStreams(): WorkspaceStreams {
  const none = (kind: string) => (n: number) => {
    throw new RangeError(`${kind} index ${n} is outside an empty list.`);
  };
  return {
    adminCount: 0,
    adminAt: none('Admin'),
    adminIndex: () => undefined,
    teamCount: 0,
    teamAt: none('Team'),
    teamIndex: () => undefined,
    tagCount: 0,
    tagAt: none('Tag'),
    companyCount: 0,
    companyAt: none('Company'),
    companyIndex: () => undefined,
    segmentCount: 0,
    segmentAt: none('Segment'),
    dataAttributes: () => [],
    ticketCount: 0,
    ticketAt: none('Ticket'),
    ticketIndex: () => undefined,
    ticketSearchFields: none('Ticket'),
  };
}

/** The streams of `base`, delegated member by member (for a workspace that wraps another). */
export function streamsOf(base: WorkspaceStreams): WorkspaceStreams {
  return {
    adminCount: base.adminCount,
    adminAt: (n) => base.adminAt(n),
    adminIndex: (id) => base.adminIndex(id),
    teamCount: base.teamCount,
    teamAt: (t) => base.teamAt(t),
    teamIndex: (id) => base.teamIndex(id),
    tagCount: base.tagCount,
    tagAt: (n) => base.tagAt(n),
    companyCount: base.companyCount,
    companyAt: (n) => base.companyAt(n),
    companyIndex: (id) => base.companyIndex(id),
    segmentCount: base.segmentCount,
    segmentAt: (n) => base.segmentAt(n),
    dataAttributes: (model, includeArchived) => base.dataAttributes(model, includeArchived),
    ticketCount: base.ticketCount,
    ticketAt: (j) => base.ticketAt(j),
    ticketIndex: (id) => base.ticketIndex(id),
    ticketSearchFields: (j) => base.ticketSearchFields(j),
  };
}
