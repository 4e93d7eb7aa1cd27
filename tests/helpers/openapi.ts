import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { SCHEMAS_FIXTURE_PATH, type SchemaSubset } from '../../scripts/openapi-subset';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SchemaObject = { [key: string]: Json };

/**
 * Places where the official schema rejects what the live API really sends, as records recorded from
 * a real workspace show; the sandbox's quirk records (sandbox/quirk-records.ts) carry the same
 * values, so each deviation is shown by a record the repository holds. Each entry relaxes exactly
 * one property and says why; the data is never bent to fit the spec.
 */
export const SPEC_DEVIATIONS: readonly { pointer: string; patch: SchemaObject; reason: string }[] = [
  ...['contact_tags', 'contact_notes', 'contact_companies', 'addressable_list', 'company_data'].map(
    (name) => ({
      pointer: `${name}/properties/url`,
      patch: { type: 'string', format: 'uri-reference' },
      reason: `The live API sends relative URLs such as "/contacts/<id>/tags" (as the quirk contacts do), which format "uri" rejects.`,
    }),
  ),
  {
    pointer: 'addressable_list/properties/type',
    patch: { type: 'string' },
    reason: 'The spec gives the item type ("tag", "note") format "uri" by mistake.',
  },
  {
    pointer: 'conversation_part_author/properties/email',
    patch: { type: 'string', anyOf: [{ format: 'email' }, { maxLength: 0 }] },
    reason:
      'The live API sends a lead author with email "" (quirk conversation 1 does; format "email" rejects the empty string).',
  },
  ...[
    'time_to_assignment',
    'time_to_admin_reply',
    'time_to_first_close',
    'time_to_last_close',
    'median_time_to_reply',
    'first_contact_reply_at',
    'first_assignment_at',
    'first_admin_reply_at',
    'first_close_at',
    'last_assignment_at',
    'last_assignment_admin_reply_at',
    'last_contact_reply_at',
    'last_admin_reply_at',
    'last_close_at',
  ].map((field) => ({
    pointer: `conversation_statistics/properties/${field}`,
    patch: { type: 'integer', nullable: true },
    reason:
      'The live API sends null for statistics that never happened (as the quirk conversations do); the spec says integer.',
  })),
  {
    pointer: 'conversation_statistics/properties/last_closed_by_id',
    patch: { type: 'string', nullable: true },
    reason: 'The live API sends last_closed_by_id: null (as the quirk conversations do).',
  },
  {
    pointer: 'contact/properties/email',
    patch: { type: 'string', nullable: true },
    reason:
      'Leads without an email come back with email null (the sandbox brief requires such contacts); the spec says string. Not in the quirk records, which only show "" as records from a live workspace do.',
  },
  {
    pointer: 'data_attribute/properties/model',
    patch: { type: 'string', enum: ['contact', 'company', 'conversation'] },
    reason:
      'GET /data_attributes takes model=conversation (the spec lists it in the parameter enum and its description says "for contacts, companies or conversations"), so the listed attributes carry model "conversation"; the schema enum omits it.',
  },
];

/** Turn OpenAPI 3.0 specifics into JSON Schema that ajv understands. */
function convert(node: Json): Json {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== 'object') return node;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    // OpenAPI annotations that are not JSON Schema keywords.
    if (
      key === 'example' ||
      key === 'examples' ||
      key === 'discriminator' ||
      key === 'xml' ||
      key.startsWith('x-')
    )
      continue;
    if (key === 'nullable') continue;
    out[key] =
      key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]))
        : convert(value);
  }
  if (node.nullable !== true) return out;
  // nullable: true means "or null": as a type union when there is a type, else as an anyOf.
  if (typeof out.type === 'string' && !out.$ref && !out.allOf && !out.oneOf && !out.anyOf) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function rewriteRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', 'intercom#/definitions/')
        : rewriteRefs(value);
  }
  return out;
}

/** A validator for named component schemas of the Intercom spec. */
export interface OpenApiValidator {
  /** Errors of `value` against `#/components/schemas/<name>`, or [] when it is valid. */
  errors(name: string, value: unknown): ErrorObject[];
  /** The component schema a path and method answer with for a status, e.g. ('/contacts', 'get', '200'). */
  responseSchemaName(pathName: string, method: string, status: string): string;
}

const cached = new Map<string, OpenApiValidator>();

let parsedSpec: SchemaSubset | undefined;

/** The committed schemas, read once for both validators (each validator clones what it patches). */
function readSpec(): SchemaSubset {
  parsedSpec ??= JSON.parse(readFileSync(SCHEMAS_FIXTURE_PATH, 'utf8')) as SchemaSubset;
  return parsedSpec;
}

/**
 * Load the committed subset of `openapi-2.14.yaml` (tests/fixtures/intercom, written by
 * `npm run intercom:schemas`) once, convert it for ajv (nullable, `$ref`s to
 * `#/components/schemas`), apply `SPEC_DEVIATIONS` (unless `withDeviations` is false; all but the
 * one at pointer `without` when given), and compile schemas on first use.
 */
export function loadOpenApiValidator({
  withDeviations = true,
  without,
}: { withDeviations?: boolean; without?: string } = {}): OpenApiValidator {
  const key = `${withDeviations}/${without ?? ''}`;
  const existing = cached.get(key);
  if (existing) return existing;
  if (without !== undefined && !SPEC_DEVIATIONS.some((d) => d.pointer === without))
    throw new Error(`No spec deviation has pointer ${without}.`);
  const spec = readSpec();
  const schemas = structuredClone(spec.schemas) as Record<string, SchemaObject>;
  for (const deviation of withDeviations ? SPEC_DEVIATIONS.filter((d) => d.pointer !== without) : []) {
    const [name, ...rest] = deviation.pointer.split('/');
    let target: SchemaObject | undefined = name ? schemas[name] : undefined;
    const last = rest.pop();
    for (const part of rest) target = target?.[part] as SchemaObject | undefined;
    if (!target || !last || !(last in target))
      throw new Error(`Spec deviation ${deviation.pointer} no longer matches the spec.`);
    const keep = target[last] as SchemaObject;
    target[last] = { ...(keep.description ? { description: keep.description } : {}), ...deviation.patch };
  }
  const definitions = Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => [name, rewriteRefs(convert(schema))]),
  );
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  // OpenAPI formats with no JSON Schema meaning (integers that are timestamps).
  for (const format of ['timestamp', 'int32', 'int64', 'float', 'double', 'binary', 'byte'])
    ajv.addFormat(format, true);
  ajv.addSchema({ $id: 'intercom', definitions });
  const compiled = new Map<string, ValidateFunction>();
  const validator: OpenApiValidator = {
    errors(name, value) {
      let validate = compiled.get(name);
      if (!validate) {
        if (!(name in definitions))
          throw new Error(
            `The committed schemas have no component schema "${name}"; add an endpoint that returns it to SUBSET_ENDPOINTS (scripts/openapi-subset.ts) and run npm run intercom:schemas.`,
          );
        validate = ajv.compile({ $ref: `intercom#/definitions/${name}` });
        compiled.set(name, validate);
      }
      return validate(value) ? [] : [...(validate.errors ?? [])];
    },
    responseSchemaName(pathName, method, status) {
      const schema = spec.paths[pathName]?.[method]?.[status];
      const ref = schema && typeof schema === 'object' && !Array.isArray(schema) ? schema.$ref : undefined;
      if (typeof ref !== 'string')
        throw new Error(
          `${method.toUpperCase()} ${pathName} ${status} has no $ref schema in the committed subset (see SUBSET_ENDPOINTS in scripts/openapi-subset.ts).`,
        );
      return ref.replace('#/components/schemas/', '');
    },
  };
  cached.set(key, validator);
  return validator;
}
