import { readFileSync } from 'node:fs';
import {
  LICENSE_FIXTURE_PATH,
  OPENAPI_SOURCE,
  SCHEMAS_FIXTURE_PATH,
  SUBSET_ENDPOINTS,
  headerOf,
  serializeSubset,
  subsetAsOpenApi,
  subsetHeader,
  subsetOpenApi,
  type OpenApiDocument,
  type SchemaSubset,
} from '../../scripts/openapi-subset';

const committedText = readFileSync(SCHEMAS_FIXTURE_PATH, 'utf8');
const committed = JSON.parse(committedText) as SchemaSubset;
const header = subsetHeader('spec bytes', 'MIT License\n\nCopyright (c) 2022 Example, Inc.\n');

/** A tiny spec with every endpoint of the subset answering `list`, which reaches `item`. */
function tinySpec(schemas: Record<string, unknown>): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const { path, method } of SUBSET_ENDPOINTS) {
    const answer = { content: { 'application/json': { schema: { $ref: '#/components/schemas/list' } } } };
    paths[path] = { ...paths[path], [method]: { responses: { '200': answer } } };
  }
  return { openapi: '3.0.1', info: { version: '2.14' }, paths, components: { schemas } };
}

describe('the committed OpenAPI subset (tests/fixtures/intercom/openapi-2.14-schemas.json)', () => {
  it('is what subsetOpenApi makes of it again: every $ref resolves, nothing unreachable, canonical bytes', () => {
    const again = subsetOpenApi(subsetAsOpenApi(committed), headerOf(committed));
    expect(serializeSubset(again)).toBe(committedText);
  });

  it('answers every endpoint of SUBSET_ENDPOINTS and keeps the error schema', () => {
    for (const { path, method } of SUBSET_ENDPOINTS)
      expect(Object.keys(committed.paths[path]?.[method] ?? {})).toContain('200');
    expect(committed.paths['/contacts']?.get?.['401']).toEqual({ $ref: '#/components/schemas/error' });
    expect(Object.keys(committed.schemas)).toContain('error');
  });

  it('names its source commit and MIT licence, and carries the licence text beside it', () => {
    expect(committed.source).toMatchObject(OPENAPI_SOURCE);
    expect(committed.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(committed.license).toEqual({
      name: 'MIT',
      copyright: 'Copyright (c) 2022 Intercom, Inc.',
      file: 'LICENSE',
    });
    const license = readFileSync(LICENSE_FIXTURE_PATH, 'utf8');
    expect(license).toContain(committed.license.copyright);
    expect(license).toContain('The above copyright notice and this permission notice shall be included');
  });
});

describe('subsetOpenApi', () => {
  it('keeps the schemas the endpoints reach, drops examples but not a property named "example"', () => {
    const subset = subsetOpenApi(
      tinySpec({
        list: {
          type: 'object',
          example: { a: 1 },
          properties: { items: { $ref: '#/components/schemas/item' } },
        },
        item: { type: 'object', 'x-fern-sdk': 'drop', properties: { example: { type: 'string' } } },
        error: { type: 'object' },
        unused: { type: 'string' },
      }),
      header,
    );
    expect(Object.keys(subset.schemas)).toEqual(['error', 'item', 'list']);
    expect(subset.schemas.list).toEqual({
      type: 'object',
      properties: { items: { $ref: '#/components/schemas/item' } },
    });
    expect(subset.schemas.item).toEqual({ type: 'object', properties: { example: { type: 'string' } } });
  });

  it('names a $ref the spec cannot resolve', () => {
    expect(() =>
      subsetOpenApi(
        tinySpec({ list: { $ref: '#/components/schemas/missing' }, error: { type: 'object' } }),
        header,
      ),
    ).toThrow('component schema "missing"');
  });

  it('names an endpoint the spec does not have', () => {
    const spec = tinySpec({ list: { type: 'object' }, error: { type: 'object' } });
    delete spec.paths['/tickets/search'];
    expect(() => subsetOpenApi(spec, header)).toThrow('no POST /tickets/search');
  });

  it('records the sha256 of the spec bytes and the licence copyright line', () => {
    // sha256 of the 10 bytes "spec bytes" (printf 'spec bytes' | sha256sum).
    expect(header.source.sha256).toBe('36ea354477f5b70fed0ce7d57e0e4e17e7171a3f3f85633c7e7470ffc24bf866');
    expect(header.license.copyright).toBe('Copyright (c) 2022 Example, Inc.');
    expect(() => subsetHeader('x', 'no notice here')).toThrow('Copyright');
  });
});
