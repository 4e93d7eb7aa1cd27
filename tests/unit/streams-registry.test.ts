import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { MySqlTable } from 'drizzle-orm/mysql-core';
import * as schema from '../../drizzle/schema';
import { createLookups, perStream, STREAMS, streamNamed } from '../../lib/streams/registry';
import { WAREHOUSE_TABLES, type StreamDeclaration } from '../../lib/streams/types';
import { SHAPES } from '../../lib/warehouse/tables';
import { fixtureCompany, fixtureContact, fixtureConversation, fixtureTicket } from '../helpers/fixture-lake';
import {
  fixtureAdmin,
  fixtureDataAttribute,
  fixtureSegment,
  fixtureTag,
  fixtureTeam,
} from '../helpers/fixture-lists';

/** SQL table name -> its SQL column names, for every table drizzle/schema.ts declares. */
const SCHEMA = new Map(
  (Object.values(schema) as unknown[])
    .filter((value): value is MySqlTable => is(value, MySqlTable))
    .map((table) => [getTableName(table), Object.values(getTableColumns(table)).map((c) => c.name)]),
);

/** A record as the lake holds it for each registered stream. */
const FIXTURES: Record<string, unknown> = {
  users: fixtureContact(3),
  conversations: fixtureConversation(3, { parts: 4 }),
  admins: fixtureAdmin(3),
  teams: fixtureTeam(3),
  tags: fixtureTag(3),
  segments: fixtureSegment(3),
  data_attributes: fixtureDataAttribute(3, { id: undefined, custom: false }),
  companies: fixtureCompany(3),
  tickets: fixtureTicket(3, { parts: 2 }),
};

describe('stream registry', () => {
  it('holds streams with unique names, files and labels, and lake files named after their streams', () => {
    const unique = (values: string[]) => new Set(values).size === values.length;
    expect(unique(STREAMS.map((s) => s.name))).toBe(true);
    expect(unique(STREAMS.map((s) => s.file))).toBe(true);
    expect(unique(STREAMS.map((s) => s.label))).toBe(true);
    for (const stream of STREAMS) {
      expect(stream.name).toMatch(/^[a-z_]+$/);
      expect(stream.file).toBe(`${stream.name}.json`);
    }
  });

  it.each(STREAMS.map((s) => [s.name, s] as const))(
    '%s: its tables are tables of drizzle/schema.ts, and what it replaces or counts is among them',
    (_name, stream: StreamDeclaration) => {
      for (const table of stream.tables) expect(SCHEMA.has(table)).toBe(true);
      // The children an upsert replaces are found by the main row's one key column.
      if (stream.replaceChildrenOf) expect(SHAPES[stream.tables[0]].primaryKey).toHaveLength(1);
      for (const table of stream.replaceChildrenOf?.tables ?? []) {
        expect(stream.tables.slice(1)).toContain(table);
        expect(SCHEMA.get(table)).toContain(stream.replaceChildrenOf?.column);
      }
      const rows = stream.children?.rows;
      if (rows) {
        expect(stream.tables.slice(1)).toContain(rows.table);
        expect(SCHEMA.get(stream.tables[0])).toContain(rows.countColumn);
      }
      expect(SCHEMA.get(stream.tables[0])).toContain('raw');
    },
  );

  it('gives every warehouse table to exactly one stream', () => {
    const owners = WAREHOUSE_TABLES.map((table) => STREAMS.filter((s) => s.tables.includes(table)).length);
    expect(owners).toEqual(WAREHOUSE_TABLES.map(() => 1));
  });

  it.each(STREAMS.map((s) => [s.name, s] as const))(
    '%s: declares API paths the client can fill in',
    (_name, stream: StreamDeclaration) => {
      expect(stream.source.path).toMatch(/^\/[a-z_/]+$/);
      if (stream.detail) expect(stream.detail.path).toMatch(/^\/[a-z_/]*\{id\}[a-z_/]*$/);
      for (const list of stream.nested ?? []) expect(list.path).toMatch(/^\/[a-z_]+\/\{id\}\/[a-z_]+$/);
      if (stream.incremental) expect(stream.incremental.search.path).toMatch(/^\/[a-z_]+\/search$/);
      expect(stream.pageSize).toBeGreaterThan(0);
      expect(stream.pageSize).toBeLessThanOrEqual(150);
    },
  );

  it.each(STREAMS.map((s) => [s.name, s] as const))(
    '%s: maps a lake record to one main row whose raw is the record, with rows only in its own tables',
    (name, stream: StreamDeclaration) => {
      const record = FIXTURES[name];
      expect(record).toBeDefined();
      const raw = JSON.stringify(record);
      const rows = stream.map(record, raw);
      expect(rows[stream.tables[0]]).toHaveLength(1);
      expect(rows[stream.tables[0]]?.[0]?.raw).toBe(raw);
      expect(stream.map(record)[stream.tables[0]]?.[0]?.raw).toBe(raw);
      for (const table of Object.keys(rows)) expect(stream.tables).toContain(table);
    },
  );

  it('finds a stream by name and refuses an unknown name with the names there are', () => {
    expect(streamNamed('conversations').file).toBe('conversations.json');
    expect(() => streamNamed('invoices')).toThrow(
      `"invoices" is not a stream of this product; the streams are ${STREAMS.map((s) => s.name).join(', ')}.`,
    );
    expect(() => streamNamed('invoices')).toThrow(/the streams are users, conversations, /);
    expect(perStream((s) => s.label)).toMatchObject({
      users: 'contacts',
      conversations: 'conversations',
      companies: 'companies',
      tickets: 'tickets',
    });
    expect(Object.keys(perStream((s) => s.label))).toEqual(STREAMS.map((s) => s.name));
    expect(createLookups([...STREAMS]).isStreamName('admins')).toBe(true);
    expect(createLookups([...STREAMS]).isStreamName('invoices')).toBe(false);
  });
});
