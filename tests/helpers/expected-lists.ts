import type { Workspace } from '../../sandbox/workspace';

type Json = Record<string, unknown>;

/** The models `GET /data_attributes` is asked for, in the order the data_attributes stream lists them. */
const ATTRIBUTE_MODELS = ['contact', 'company', 'conversation'] as const;

/** As the JSON an HTTP answer carries (no `undefined` fields). */
function asJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

function byId(records: Json[]): Map<string, Json> {
  return new Map(records.map((record) => [String(record.id), record]));
}

function range<T>(count: number, at: (n: number) => T): T[] {
  return Array.from({ length: count }, (_, n) => at(n));
}

/** Every admin the lake must hold, by id, as `GET /admins` lists it. */
export function expectedAdmins(workspace: Workspace): Map<string, Json> {
  return byId(range(workspace.adminCount, (n) => asJson(workspace.adminAt(n))));
}

/** Every team, by id, as `GET /teams` lists it. */
export function expectedTeams(workspace: Workspace): Map<string, Json> {
  return byId(range(workspace.teamCount, (t) => asJson(workspace.teamAt(t))));
}

/** Every tag, by id, as `GET /tags` lists it. */
export function expectedTags(workspace: Workspace): Map<string, Json> {
  return byId(range(workspace.tagCount, (n) => asJson(workspace.tagAt(n))));
}

/** Every segment, by id, as `GET /segments?include_count=true` lists it (with its `count`). */
export function expectedSegments(workspace: Workspace): Map<string, Json> {
  return byId(range(workspace.segmentCount, (n) => asJson(workspace.segmentAt(n))));
}

/** Every unarchived attribute definition of every model, in list order, as `GET /data_attributes?model=…` lists them. */
export function expectedDataAttributes(workspace: Workspace): Json[] {
  return ATTRIBUTE_MODELS.flatMap((model) => workspace.dataAttributes(model, false).map(asJson));
}

/** `a/b` pairs, the way the link tests compare a link table with what the records say. */
export function pairs(list: [string, string][]): Set<string> {
  return new Set(list.map(([a, b]) => `${a}/${b}`));
}
