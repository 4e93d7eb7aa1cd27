import { readFileSync } from 'node:fs';
import { DataError } from '../../lib/errors';
import { mapUser } from '../../lib/records/map-user';
import { fixtureContact } from '../helpers/fixture-lake';

const recorded = readFileSync('/work/shared/intercom/recorded-records.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { stream: string; data: Record<string, unknown> });

describe('mapUser', () => {
  it('maps a recorded contact field for field, far-future signed_up_at included', () => {
    const contact = recorded.find((r) => r.stream === 'contacts')!.data;
    const row = mapUser(contact);
    expect(row).toMatchObject({
      id: '63ea41aaeddb9b627ce9b882',
      externalId: '20033080',
      role: 'user',
      email: 'user20.sample@gmail.com',
      name: 'User33080',
      phone: null,
      ownerId: null,
      createdAt: '2023-02-13 13:56:59',
      updatedAt: '2023-02-13 13:56:59',
      signedUpAt: '2043-10-11 00:00:00',
      lastSeenAt: null,
    });
    expect(JSON.parse(row.tags as string)).toEqual([{ id: '7800292', type: 'tag', url: '/tags/7800292' }]);
    expect(JSON.parse(row.companies as string)).toEqual([]);
    expect(JSON.parse(row.location as string)).toEqual({
      type: 'location',
      country: null,
      region: null,
      city: null,
    });
    expect(JSON.parse(row.raw as string)).toEqual(contact);
  });

  it('keeps emoji and other astral characters as they are', () => {
    const row = mapUser(fixtureContact(1, { name: 'Zoë 🚀👩🏽‍💻', custom_attributes: { mood: '😀' } }));
    expect(row.name).toBe('Zoë 🚀👩🏽‍💻');
    expect(JSON.parse(row.customAttributes as string)).toEqual({ mood: '😀' });
  });

  it('keeps an empty email empty and null fields NULL', () => {
    const row = mapUser(fixtureContact(1, { email: '', name: null, location: null, tags: null }));
    expect(row.email).toBe('');
    expect(row.name).toBeNull();
    expect(row.location).toBeNull();
    expect(row.tags).toBeNull();
  });

  it('turns integer ids (owner_id, external_id) into strings', () => {
    const row = mapUser(fixtureContact(1, { owner_id: 4423433, external_id: 42 }));
    expect(row.ownerId).toBe('4423433');
    expect(row.externalId).toBe('42');
  });

  it('refuses a record that is not an object', () => {
    expect(() => mapUser('a string')).toThrow(DataError);
    expect(() => mapUser(null)).toThrow('not a JSON object');
    expect(() => mapUser([1])).toThrow('not a JSON object');
  });

  it('refuses a record without an id', () => {
    expect(() => mapUser(fixtureContact(1, { id: undefined }))).toThrow('has no id');
    expect(() => mapUser(fixtureContact(1, { id: '' }))).toThrow('has no id');
  });

  it('names the wrong-typed field in the error', () => {
    expect(() => mapUser(fixtureContact(1, { created_at: 'yesterday' }))).toThrow(
      /"created_at".*Unix timestamp/,
    );
    expect(() => mapUser(fixtureContact(1, { email: 7 }))).toThrow(/"email" should be a string/);
    expect(() => mapUser(fixtureContact(1, { tags: { type: 'list', data: 'x' } }))).toThrow(/"tags.data"/);
  });

  it('refuses timestamps a DATETIME cannot hold instead of clipping them', () => {
    expect(() => mapUser(fixtureContact(1, { last_seen_at: -1 }))).toThrow(/"last_seen_at" is -1/);
    expect(() => mapUser(fixtureContact(1, { last_seen_at: 1676296619000 * 1000 }))).toThrow(DataError);
    expect(mapUser(fixtureContact(1, { last_seen_at: 0 })).lastSeenAt).toBe('1970-01-01 00:00:00');
    expect(mapUser(fixtureContact(1, { last_seen_at: 2738966400 })).lastSeenAt).toBe('2056-10-17 00:00:00');
  });

  it('refuses an email longer than the column', () => {
    expect(() => mapUser(fixtureContact(1, { email: `${'a'.repeat(300)}@example.com` }))).toThrow(
      /"email" is 312/,
    );
  });
});
