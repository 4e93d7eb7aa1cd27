import { DataError } from '../../lib/errors';
import { mapUser } from '../../lib/records/map-user';
import { quirkRecords } from '../../sandbox/quirk-records';
import { fixtureContact } from '../helpers/fixture-lake';

describe('mapUser', () => {
  it('maps a quirk contact field for field, far-future signed_up_at included', () => {
    const contact = quirkRecords().contacts[0]!;
    const row = mapUser(contact);
    expect(row).toMatchObject({
      id: '65f1c0de0a1b2c3d4e5f6071',
      externalId: '31000417',
      role: 'user',
      email: 'quirk.sample@example.com',
      name: 'User00417',
      phone: null,
      ownerId: null,
      createdAt: '2024-03-13 12:00:00',
      updatedAt: '2024-03-13 12:00:00',
      signedUpAt: '2043-03-01 00:00:00',
      lastSeenAt: null,
    });
    expect(JSON.parse(row.tags as string)).toEqual([{ id: '9100417', type: 'tag', url: '/tags/9100417' }]);
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
