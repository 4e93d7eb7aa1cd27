import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * The part of Intercom's OpenAPI description that the tests validate against, cut out of the
 * 0.9 MB spec so the repository can carry it: the response schemas of the endpoints below and
 * every component schema they reach. `npm run intercom:schemas` writes it; the tests read it.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Where the spec comes from (Intercom's public repository, MIT licence). */
export const OPENAPI_SOURCE = {
  repository: 'intercom/Intercom-OpenAPI',
  path: 'descriptions/2.14/api.intercom.io.yaml',
  commit: '8889625',
} as const;

/** The full spec and its licence, where they sit beside the project on the machines that have them. */
export const SHARED_SPEC_PATH = path.resolve(__dirname, '../../shared/intercom/openapi-2.14.yaml');
export const SHARED_LICENSE_PATH = path.resolve(__dirname, '../../shared/intercom/openapi-LICENSE.md');

/** The committed subset and the spec's licence beside it (the MIT licence asks for its notice to travel). */
export const SCHEMAS_FIXTURE_PATH = path.resolve(
  __dirname,
  '../tests/fixtures/intercom/openapi-2.14-schemas.json',
);
export const LICENSE_FIXTURE_PATH = path.resolve(__dirname, '../tests/fixtures/intercom/LICENSE');

/** The command that writes the subset; named in its header so a reader knows how to redo it. */
export const GENERATED_BY = 'npm run intercom:schemas';

/** An endpoint whose response schemas the subset keeps: path as the spec spells it, lower-case method. */
export interface Endpoint {
  path: string;
  method: 'get' | 'post';
}

/**
 * What the sandbox serves today, then what a stream may ask for next (admins, teams, tags,
 * segments, data attributes, companies, tickets, one contact), so a new sandbox endpoint can be
 * validated without going back to the full spec. Their error responses bring the `error` schema.
 */
export const SUBSET_ENDPOINTS: readonly Endpoint[] = [
  { path: '/me', method: 'get' },
  { path: '/contacts', method: 'get' },
  { path: '/contacts/search', method: 'post' },
  { path: '/contacts/{contact_id}', method: 'get' },
  { path: '/contacts/{contact_id}/tags', method: 'get' },
  { path: '/contacts/{contact_id}/companies', method: 'get' },
  { path: '/contacts/{contact_id}/notes', method: 'get' },
  { path: '/conversations', method: 'get' },
  { path: '/conversations/search', method: 'post' },
  { path: '/conversations/{conversation_id}', method: 'get' },
  { path: '/admins', method: 'get' },
  { path: '/admins/{admin_id}', method: 'get' },
  { path: '/teams', method: 'get' },
  { path: '/teams/{team_id}', method: 'get' },
  { path: '/tags', method: 'get' },
  { path: '/segments', method: 'get' },
  { path: '/data_attributes', method: 'get' },
  { path: '/companies/scroll', method: 'get' },
  { path: '/companies/{company_id}', method: 'get' },
  { path: '/tickets/search', method: 'post' },
  { path: '/tickets/{ticket_id}', method: 'get' },
];

/** Component schemas kept whether or not an endpoint reaches them. */
export const ALWAYS_KEPT_SCHEMAS: readonly string[] = ['error'];

const SCHEMA_REF_PREFIX = '#/components/schemas/';

/** The fields of an OpenAPI document that the subset reads. */
export interface OpenApiDocument {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

/** Provenance and licence, as the subset's header records them. */
export interface SubsetHeader {
  description: string;
  source: { repository: string; path: string; commit: string; sha256: string };
  license: { name: string; copyright: string; file: string };
  generatedBy: string;
}

/** The committed file: header, the response map (path -> method -> status -> schema) and the schemas. */
export interface SchemaSubset extends SubsetHeader {
  openapi: string;
  apiVersion: string;
  paths: Record<string, Record<string, Record<string, Json>>>;
  schemas: Record<string, Json>;
}

/** The header for a spec file's bytes and its licence text. @throws Error when the licence names no copyright holder. */
export function subsetHeader(specBytes: Buffer | string, licenseText: string): SubsetHeader {
  const copyright = licenseText.split('\n').find((line) => /^Copyright\b/.test(line.trim()));
  if (!copyright) throw new Error('The OpenAPI licence text has no "Copyright" line to carry over.');
  return {
    description:
      "Response schemas of Intercom's OpenAPI description of REST API 2.14, cut to the endpoints the sandbox serves or may serve. Generated; do not edit by hand.",
    source: { ...OPENAPI_SOURCE, sha256: createHash('sha256').update(specBytes).digest('hex') },
    license: { name: 'MIT', copyright: copyright.trim(), file: 'LICENSE' },
    generatedBy: GENERATED_BY,
  };
}

function isObject(node: unknown): node is JsonObject {
  return node !== null && typeof node === 'object' && !Array.isArray(node);
}

/** Drop what no validator reads (examples, vendor extensions); `properties` keys are names, kept whole. */
function stripAnnotations(node: Json): Json {
  if (Array.isArray(node)) return node.map(stripAnnotations);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    out[key] =
      key === 'properties' && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripAnnotations(v)]))
        : stripAnnotations(value);
  }
  return out;
}

function collectRefs(node: Json, into: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRefs(item, into);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      if (!value.startsWith(SCHEMA_REF_PREFIX))
        throw new Error(`Unsupported $ref "${value}": only ${SCHEMA_REF_PREFIX}<name> is followed.`);
      into.push(value.slice(SCHEMA_REF_PREFIX.length));
    } else collectRefs(value, into);
  }
}

const byKey = <T>(entries: [string, T][]): [string, T][] =>
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Cut `spec` down to {@link SUBSET_ENDPOINTS}' JSON response schemas and every component schema
 * they reach through `$ref`, examples dropped, keys of the maps sorted so the same spec always
 * gives the same bytes.
 *
 * @throws Error when an endpoint is missing from the spec, or a `$ref` names a schema it does not have.
 */
export function subsetOpenApi(spec: OpenApiDocument, header: SubsetHeader): SchemaSubset {
  const paths: SchemaSubset['paths'] = {};
  const pending: string[] = [...ALWAYS_KEPT_SCHEMAS];
  for (const { path, method } of SUBSET_ENDPOINTS) {
    const operation = spec.paths[path]?.[method];
    if (!isObject(operation) || !isObject(operation.responses))
      throw new Error(`The spec has no ${method.toUpperCase()} ${path} with responses.`);
    const statuses: [string, Json][] = [];
    for (const [status, response] of Object.entries(operation.responses)) {
      if (isObject(response) && typeof response.$ref === 'string')
        throw new Error(`${method.toUpperCase()} ${path} ${status} is a $ref response; not supported.`);
      const content = isObject(response) ? response.content : undefined;
      const json = isObject(content) ? content['application/json'] : undefined;
      const schema = isObject(json) ? json.schema : undefined;
      if (schema === undefined) continue;
      const kept = stripAnnotations(schema);
      collectRefs(kept, pending);
      statuses.push([status, kept]);
    }
    paths[path] = { ...paths[path], [method]: Object.fromEntries(byKey(statuses)) };
  }
  const schemas = new Map<string, Json>();
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (schemas.has(name)) continue;
    if (!(name in spec.components.schemas))
      throw new Error(`A $ref names component schema "${name}", which the spec does not have.`);
    const kept = stripAnnotations(spec.components.schemas[name] as Json);
    schemas.set(name, kept);
    collectRefs(kept, pending);
  }
  return {
    ...header,
    openapi: spec.openapi,
    apiVersion: spec.info.version,
    paths: Object.fromEntries(byKey(Object.entries(paths))),
    schemas: Object.fromEntries(byKey([...schemas])),
  };
}

/** The subset as the committed file holds it: two-space JSON and a final newline. */
export function serializeSubset(subset: SchemaSubset): string {
  return `${JSON.stringify(subset, null, 2)}\n`;
}

/** The subset read back as a (small) OpenAPI document, so it can go through {@link subsetOpenApi} again. */
export function subsetAsOpenApi(subset: SchemaSubset): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const [path, methods] of Object.entries(subset.paths)) {
    paths[path] = Object.fromEntries(
      Object.entries(methods).map(([method, statuses]) => [
        method,
        {
          responses: Object.fromEntries(
            Object.entries(statuses).map(([status, schema]) => [
              status,
              { content: { 'application/json': { schema } } },
            ]),
          ),
        },
      ]),
    );
  }
  return {
    openapi: subset.openapi,
    info: { version: subset.apiVersion },
    paths,
    components: { schemas: subset.schemas },
  };
}

/** The header fields of a subset, without its data. */
export function headerOf(subset: SchemaSubset): SubsetHeader {
  const { description, source, license, generatedBy } = subset;
  return { description, source, license, generatedBy };
}
