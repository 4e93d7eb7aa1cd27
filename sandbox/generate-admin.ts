import { OWNER_ADMIN, STREAM, type Teammate, type WorkspaceContext } from './context';
import { hash32, type Rng } from './prng';
import type { Admin, Team } from './types';
import { FIRST_NAMES, LAST_NAMES, TEAM_NAMES } from './vocabulary';

/** Edge cases at fixed admin indexes (admin 0 is the workspace owner that `GET /me` describes). */
export const EDGE_ADMINS = {
  owner: 0,
  /** Member of no team. */
  noTeams: 1,
  /** Away, reassigning, with an away reason. */
  away: 2,
  /** A name with accents, a right-to-left part and a 4-byte emoji, and a job title. */
  unicodeName: 3,
  /** No inbox seat and no avatar. */
  noInboxSeat: 4,
} as const;

/** Edge cases at fixed team indexes. */
export const EDGE_TEAMS = {
  /** A team nobody belongs to (conversations and tickets can still be assigned to it). */
  noAdmins: 1,
} as const;

/** Admin `n >= 1` has id `ADMIN_ID_BASE + n * ADMIN_ID_STRIDE`; admin 0 is {@link OWNER_ADMIN}. */
const ADMIN_ID_BASE = 5_100_000;
const ADMIN_ID_STRIDE = 7;
/** Team `t` has id `TEAM_ID_BASE + t` (ids of the form live teams have, e.g. 5017691). */
const TEAM_ID_BASE = 5_017_600;

/** The id of admin `n`. */
export function adminId(n: number): string {
  return n === EDGE_ADMINS.owner ? OWNER_ADMIN.id : String(ADMIN_ID_BASE + n * ADMIN_ID_STRIDE);
}

/** The index of an admin id, or undefined when this workspace has no such admin. */
export function decodeAdminId(ctx: WorkspaceContext, id: string): number | undefined {
  if (ctx.adminCount > 0 && id === OWNER_ADMIN.id) return 0;
  if (!/^[1-9]\d*$/.test(id)) return undefined;
  const n = (Number(id) - ADMIN_ID_BASE) / ADMIN_ID_STRIDE;
  return Number.isInteger(n) && n >= 1 && n < ctx.adminCount ? n : undefined;
}

/** The id of team `t`. */
export function teamId(t: number): string {
  return String(TEAM_ID_BASE + t);
}

/** The index of a team id, or undefined. */
export function decodeTeamId(ctx: WorkspaceContext, id: string): number | undefined {
  if (!/^[1-9]\d*$/.test(id)) return undefined;
  const t = Number(id) - TEAM_ID_BASE;
  return t >= 0 && t < ctx.teamCount ? t : undefined;
}

/** Name and email of admin `n`, cheap enough for every part author. */
export function teammateAt(ctx: WorkspaceContext, n: number): Teammate {
  if (n === EDGE_ADMINS.owner) return { type: 'admin', ...OWNER_ADMIN };
  const h = hash32(ctx.seed, STREAM.admin, n);
  const name =
    n === EDGE_ADMINS.unicodeName
      ? 'Siobhán Ní Bhriain — سارا 🧑🏽‍💻'
      : `${FIRST_NAMES[h % FIRST_NAMES.length] ?? 'Ada'} ${LAST_NAMES[(h >>> 8) % LAST_NAMES.length] ?? 'Lee'}`;
  return { type: 'admin', id: adminId(n), name, email: `admin${n}@example.com` };
}

/** A random admin of the workspace (one draw, as `rng.pick` takes). */
export function pickAdmin(ctx: WorkspaceContext, rng: Rng): Teammate {
  return teammateAt(ctx, rng.int(0, ctx.adminCount - 1));
}

/**
 * Whether admin `n` is a member of team `t`: one rule that both `team.admin_ids` and
 * `admin.team_ids` read, so the two sides always agree. Every admin but the edge cases has a
 * primary team and joins about a quarter of the others.
 */
export function isTeamMember(ctx: WorkspaceContext, n: number, t: number): boolean {
  if (n === EDGE_ADMINS.noTeams || t === EDGE_TEAMS.noAdmins) return false;
  const primary = n % ctx.teamCount === EDGE_TEAMS.noAdmins ? 0 : n % ctx.teamCount;
  return t === primary || hash32(ctx.seed, STREAM.team, n, t) % 4 === 0;
}

/** Indexes of the teams admin `n` belongs to, ascending. */
export function adminTeamIndexes(ctx: WorkspaceContext, n: number): number[] {
  const teams: number[] = [];
  for (let t = 0; t < ctx.teamCount; t++) if (isTeamMember(ctx, n, t)) teams.push(t);
  return teams;
}

/**
 * The team a conversation or ticket assigned to admin `adminIndex` waits in: one of that admin's
 * teams (picked by the hash `h`), or any team when the admin has none or nobody is assigned.
 * Undefined when the workspace has no teams.
 */
export function assigneeTeam(
  ctx: WorkspaceContext,
  adminIndex: number | undefined,
  h: number,
): number | undefined {
  if (ctx.teamCount === 0) return undefined;
  const own = adminIndex === undefined ? [] : adminTeamIndexes(ctx, adminIndex);
  return own.length > 0 ? own[h % own.length] : h % ctx.teamCount;
}

/** Admin `n` as `GET /admins` lists it. */
export function generateAdmin(ctx: WorkspaceContext, n: number): Admin {
  const { id, name, email } = teammateAt(ctx, n);
  const away = n === EDGE_ADMINS.away;
  const h = hash32(ctx.seed, STREAM.admin, n, 1);
  return {
    type: 'admin',
    id,
    name,
    email,
    ...(n === EDGE_ADMINS.unicodeName ? { job_title: 'Responsable du support 🌍' } : {}),
    away_mode_enabled: away,
    away_mode_reassign: away,
    away_status_reason_id: away ? 12_345 : null,
    has_inbox_seat: n !== EDGE_ADMINS.noInboxSeat,
    team_ids: adminTeamIndexes(ctx, n).map((t) => Number(teamId(t))),
    avatar:
      n === EDGE_ADMINS.noInboxSeat || h % 3 === 0 ? null : `https://static.example.com/admins/${id}.png`,
  };
}

/** Team `t` as `GET /teams` lists it; `admin_ids` walks the admins (teams are few, admins a few hundred at most). */
export function generateTeam(ctx: WorkspaceContext, t: number): Team {
  const adminIds: number[] = [];
  for (let n = 0; n < ctx.adminCount; n++) if (isTeamMember(ctx, n, t)) adminIds.push(Number(adminId(n)));
  const stem = TEAM_NAMES[t % TEAM_NAMES.length] ?? 'Team';
  const roundRobin = hash32(ctx.seed, STREAM.team, t) % 2 === 0;
  return {
    type: 'team',
    id: teamId(t),
    name: t < TEAM_NAMES.length ? stem : `${stem} ${Math.floor(t / TEAM_NAMES.length) + 1}`,
    admin_ids: adminIds,
    admin_priority_level:
      adminIds.length > 1
        ? { primary_admin_ids: adminIds.slice(0, 1), secondary_admin_ids: adminIds.slice(1) }
        : null,
    assignment_limit: roundRobin ? 10 : null,
    distribution_method: roundRobin ? 'round_robin' : null,
  };
}
