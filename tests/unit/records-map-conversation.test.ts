import { DataError } from '../../lib/errors';
import { mapConversation } from '../../lib/records/map-conversation';
import { quirkRecords } from '../../sandbox/quirk-records';
import { fixtureConversation } from '../helpers/fixture-lake';

/** Quirk conversation "1" with its parts, as GET /conversations/{id} returns it. */
function quirkConversation(): Record<string, unknown> {
  return quirkRecords().fullConversations.get('1') as unknown as Record<string, unknown>;
}

describe('mapConversation', () => {
  it('maps the quirk conversation, its parts and its contact', () => {
    const record = quirkConversation();
    const { conversation, parts, contacts } = mapConversation(record);
    expect(conversation).toMatchObject({
      id: '1',
      createdAt: '2020-11-03 09:00:00',
      updatedAt: '2021-06-15 10:15:03',
      waitingSince: null,
      state: 'open',
      open: true,
      read: false,
      priority: 'not_priority',
      title: null,
      adminAssigneeId: null,
      sourceType: 'conversation',
      sourceDeliveredAs: 'customer_initiated',
      sourceSubject: '',
      sourceBody: '<p>hello, anyone here?</p>',
      sourceAuthorType: 'lead',
      sourceAuthorId: '5fa1b2c3d4e5f60718293a4b',
      sourceAuthorName: null,
      sourceAuthorEmail: '',
      timeToAdminReply: 5184321,
      firstAdminReplyAt: '2021-05-23 06:30:00',
      countConversationParts: 7,
      rating: null,
      partsCount: 3,
    });
    expect(JSON.parse(conversation.raw as string)).toEqual(record);
    expect(parts.map((p) => [p.id, p.conversationId, p.position, p.authorType])).toEqual([
      ['8310045512', '1', 0, 'user'],
      ['8310046027', '1', 1, 'bot'],
      ['8310046090', '1', 2, 'bot'],
    ]);
    expect(parts[1]).toMatchObject({
      authorName: 'Operator',
      body: '<p>The team usually replies in a few hours.</p>',
    });
    expect(contacts).toEqual([{ conversationId: '1', contactId: '5fa1b2c3d4e5f60718293a4b' }]);
  });

  it('marks a conversation truncated at 500 parts as incomplete', () => {
    const { conversation } = mapConversation(fixtureConversation(1, { parts: 500, declaredParts: 734 }));
    expect(conversation.partsCount).toBe(500);
    expect(conversation.partsComplete).toBe(false);
  });

  it('counts the source message: parts + 1 declared is complete', () => {
    expect(
      mapConversation(fixtureConversation(1, { parts: 3, declaredParts: 4 })).conversation.partsComplete,
    ).toBe(true);
    expect(
      mapConversation(fixtureConversation(1, { parts: 3, declaredParts: 5 })).conversation.partsComplete,
    ).toBe(false);
  });

  it('treats missing statistics as complete and leaves their columns NULL', () => {
    const { conversation } = mapConversation(fixtureConversation(1, { overrides: { statistics: null } }));
    expect(conversation.partsComplete).toBe(true);
    expect(conversation.countConversationParts).toBeNull();
    expect(conversation.timeToAdminReply).toBeNull();
  });

  it('takes the admin assignee from `assignee` on records without admin_assignee_id', () => {
    const record = fixtureConversation(1, {
      overrides: { admin_assignee_id: undefined, assignee: { type: 'admin', id: '4423433' } },
    });
    expect(mapConversation(record).conversation.adminAssigneeId).toBe('4423433');
  });

  it('lists a contact named twice once', () => {
    const { contacts } = mapConversation(fixtureConversation(1, { contacts: ['a', 'b', 'a'] }));
    expect(contacts.map((c) => c.contactId)).toEqual(['a', 'b']);
  });

  it('keeps emoji in bodies and titles', () => {
    const record = fixtureConversation(1, { overrides: { title: 'Help 🆘' } });
    const parts = (record.conversation_parts as { conversation_parts: Record<string, unknown>[] })
      .conversation_parts;
    parts[0]!.body = '<p>thanks 🙏🏽</p>';
    const mapped = mapConversation(record);
    expect(mapped.conversation.title).toBe('Help 🆘');
    expect(mapped.parts[0]!.body).toBe('<p>thanks 🙏🏽</p>');
  });

  it('refuses the whole conversation when a part has no id, naming the part', () => {
    const record = fixtureConversation(1);
    const parts = (record.conversation_parts as { conversation_parts: Record<string, unknown>[] })
      .conversation_parts;
    delete parts[2]!.id;
    expect(() => mapConversation(record)).toThrow(/conversation_parts\.conversation_parts\[2\]\.id/);
  });

  it('names nested wrong-typed fields with their path', () => {
    expect(() =>
      mapConversation(fixtureConversation(1, { overrides: { statistics: { count_reopens: 'two' } } })),
    ).toThrow(/"statistics\.count_reopens"/);
    expect(() => mapConversation(fixtureConversation(1, { overrides: { source: { author: 'x' } } }))).toThrow(
      /"source\.author"/,
    );
  });

  it('refuses records that are not objects or have no id', () => {
    expect(() => mapConversation(42)).toThrow(DataError);
    expect(() => mapConversation({ type: 'conversation' })).toThrow('has no id');
  });
});

describe('mapConversation field paths', () => {
  it('names a wrong-typed part author once', () => {
    const record = fixtureConversation(1);
    const parts = (record.conversation_parts as { conversation_parts: Record<string, unknown>[] })
      .conversation_parts;
    parts[1]!.author = 'nobody';
    expect(() => mapConversation(record)).toThrow(
      'field "conversation_parts.conversation_parts[1].author" should be',
    );
  });
});
