import { EDGE_CONTACTS, LARGE_ATTRIBUTE_BYTES } from '../../sandbox/generate-contact';
import { createWorkspace } from '../../sandbox/workspace';

describe('createWorkspace', () => {
  it('gives the same data for the same seed and different data for another seed', () => {
    const a = createWorkspace({ seed: 42 });
    const b = createWorkspace({ seed: 42 });
    const c = createWorkspace({ seed: 43 });
    for (const i of [3, 50, 150]) expect(a.contactAt(i)).toEqual(b.contactAt(i));
    for (const j of [3, 60, 110]) expect(a.conversationAt(j)).toEqual(b.conversationAt(j));
    expect(a.contactAt(50)).not.toEqual(c.contactAt(50));
  });

  it('counts the quirk records in and lists them first', () => {
    const ws = createWorkspace({ contacts: 10, conversations: 4 });
    expect(ws.contactCount).toBe(13);
    expect(ws.conversationCount).toBe(7);
    expect(ws.contactAt(0).id).toBe('65f1c0de0a1b2c3d4e5f6071');
    expect(ws.conversationSummaryAt(0).id).toBe('1');
    const without = createWorkspace({ contacts: 10, conversations: 4, includeQuirks: false });
    expect(without.contactCount).toBe(10);
    expect(without.conversationSummaryAt(0).id).toMatch(/^\d+$/);
  });

  it('maps every id back to its index and rejects ids it never issued', () => {
    const ws = createWorkspace({ contacts: 50, conversations: 20 });
    for (let i = 0; i < ws.contactCount; i++) expect(ws.contactIndex(ws.contactAt(i).id)).toBe(i);
    for (let j = 0; j < ws.conversationCount; j++)
      expect(ws.conversationIndex(ws.conversationSummaryAt(j).id)).toBe(j);
    const id = ws.contactAt(10).id;
    expect(ws.contactIndex(`${id.slice(0, 23)}${id.endsWith('0') ? '1' : '0'}`)).toBeUndefined();
    expect(ws.contactIndex('nope')).toBeUndefined();
    expect(ws.conversationIndex('99999999')).toBeUndefined();
    expect(ws.conversationIndex('007')).toBeUndefined();
  });

  it('has the edge cases at fixed indexes even in a small workspace', () => {
    const ws = createWorkspace({ contacts: 10, conversations: 10, includeQuirks: false });
    const lead = ws.contactAt(EDGE_CONTACTS.nullEverythingLead);
    expect(lead).toMatchObject({ role: 'lead', email: null, name: null, phone: null });
    const emoji = ws.contactAt(EDGE_CONTACTS.emptyEmailEmojiName);
    expect(emoji.email).toBe('');
    expect([...(emoji.name ?? '')].some((ch) => (ch.codePointAt(0) ?? 0) > 0xffff)).toBe(true);
    const large = ws.contactAt(EDGE_CONTACTS.largeAttributes);
    expect(typeof large.custom_attributes.support_history).toBe('string');
    expect((large.custom_attributes.support_history as string).length).toBe(LARGE_ATTRIBUTE_BYTES);
    expect(typeof large.custom_attributes.preferences).toBe('object');
    const future = ws.contactAt(EDGE_CONTACTS.farFuture).signed_up_at ?? 0;
    expect(new Date(future * 1000).getUTCFullYear()).toBeGreaterThanOrEqual(2043);
    expect(ws.contactTags(ws.contactAt(EDGE_CONTACTS.moreThanTen).id)).toHaveLength(25);
  });

  it('produces users and leads, and realistic variety over a few hundred contacts', () => {
    const ws = createWorkspace({ contacts: 300, includeQuirks: false });
    const contacts = Array.from({ length: ws.contactCount }, (_, i) => ws.contactAt(i));
    expect(new Set(contacts.map((c) => c.role))).toEqual(new Set(['user', 'lead']));
    expect(contacts.some((c) => c.phone === null)).toBe(true);
    expect(contacts.some((c) => c.location.city !== null)).toBe(true);
    expect(contacts.some((c) => c.signed_up_at !== null && c.signed_up_at > 2_303_596_800)).toBe(true);
    expect(contacts.every((c) => c.updated_at >= c.created_at)).toBe(true);
  });

  it('serves contact i of a 1,000,000-contact workspace without building the others', () => {
    const before = process.memoryUsage().heapUsed;
    const ws = createWorkspace({ contacts: 1_000_000, conversations: 1_000_000, includeQuirks: false });
    const last = ws.contactAt(999_999);
    expect(ws.contactIndex(last.id)).toBe(999_999);
    expect(ws.conversationIndex(ws.conversationSummaryAt(999_999).id)).toBe(999_999);
    expect(() => ws.contactAt(1_000_000)).toThrow(RangeError);
    // Nothing is kept per record: well under 16 bytes per contact (heap noise included), where holding
    // the contacts would take gigabytes.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16_000_000);
  });

  it('rejects negative or fractional sizes', () => {
    expect(() => createWorkspace({ contacts: -1 })).toThrow(RangeError);
    expect(() => createWorkspace({ conversations: 1.5 })).toThrow(RangeError);
  });
});

describe('createWorkspace streams', () => {
  it('maps admin, team, company and ticket ids back to their indexes and rejects others', () => {
    const ws = createWorkspace({ contacts: 5, conversations: 5, includeQuirks: false });
    for (let n = 0; n < ws.adminCount; n++) expect(ws.adminIndex(ws.adminAt(n).id)).toBe(n);
    for (let t = 0; t < ws.teamCount; t++) expect(ws.teamIndex(ws.teamAt(t).id)).toBe(t);
    for (let n = 0; n < ws.companyCount; n++) expect(ws.companyIndex(ws.companyAt(n).id)).toBe(n);
    for (let j = 0; j < ws.ticketCount; j++) expect(ws.ticketIndex(ws.ticketAt(j).id)).toBe(j);
    expect(ws.adminIndex(String(Number(ws.adminAt(2).id) + 1))).toBeUndefined();
    expect(ws.companyIndex(`${ws.companyAt(3).id.slice(0, 23)}f`)).toBeUndefined();
    expect(ws.ticketIndex(String(Number(ws.ticketAt(ws.ticketCount - 1).id) + 1))).toBeUndefined();
  });

  it('serves company and ticket i of a 1,000,000-record workspace without building the others', () => {
    const before = process.memoryUsage().heapUsed;
    const ws = createWorkspace({
      companies: 1_000_000,
      tickets: 1_000_000,
      tags: 100_000,
      includeQuirks: false,
    });
    expect(ws.companyIndex(ws.companyAt(999_999).id)).toBe(999_999);
    expect(ws.ticketIndex(ws.ticketAt(999_999).id)).toBe(999_999);
    expect(ws.tagAt(99_999).name).toMatch(/-\d+$/);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16_000_000);
  });

  it('lists the tag only the quirk contacts carry, under the name their tag sub-list gives', () => {
    const ws = createWorkspace({ contacts: 5, conversations: 5 });
    const quirk = ws.contactAt(0);
    const [tag] = ws.contactTags(quirk.id);
    expect(tag).toBeDefined();
    const listed = Array.from({ length: ws.tagCount }, (_, n) => ws.tagAt(n)).find((t) => t.id === tag?.id);
    expect(listed?.name).toBe(tag?.name);
  });

  it('rejects a workspace without admins', () => {
    expect(() => createWorkspace({ admins: 0 })).toThrow(RangeError);
  });
});
