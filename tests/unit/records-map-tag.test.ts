import { contactTagRows, conversationTagRows, mapTag } from '../../lib/records/map-tag';
import { fixtureContact, fixtureConversation } from '../helpers/fixture-lake';
import { fixtureTag } from '../helpers/fixture-lists';

describe('mapTag and the tag links', () => {
  it('maps a tag, emoji in its name kept', () => {
    const tag = fixtureTag(1, { name: 'émoji 🏷️' });
    expect(mapTag(tag)).toEqual({ id: '7800293', name: 'émoji 🏷️', raw: JSON.stringify(tag) });
    expect(() => mapTag({ type: 'tag', name: 'no id' })).toThrow('the tag record has no id');
  });

  it('links a contact to each tag of its completed list, once each', () => {
    const contact = fixtureContact(1, {
      tags: {
        type: 'list',
        data: [
          { id: '1', type: 'tag' },
          { id: 2, type: 'tag' },
          { id: '1', type: 'tag' },
        ],
        has_more: false,
      },
    });
    expect(contactTagRows('c1', contact)).toEqual([
      { contactId: 'c1', tagId: '1' },
      { contactId: 'c1', tagId: '2' },
    ]);
    expect(contactTagRows('c1', fixtureContact(2, { tags: null }))).toEqual([]);
  });

  it('links a conversation to each tag of tags.tags', () => {
    const conversation = fixtureConversation(1, {
      overrides: { tags: { type: 'tag.list', tags: [{ type: 'tag', id: '9', name: 'vip' }] } },
    });
    expect(conversationTagRows('1001', conversation)).toEqual([{ conversationId: '1001', tagId: '9' }]);
  });

  it('refuses a tag item without an id, naming where it is', () => {
    const contact = fixtureContact(1, { tags: { type: 'list', data: [{ id: '1' }, { type: 'tag' }] } });
    expect(() => contactTagRows('c1', contact)).toThrow('field "tags.data[1].id" is missing');
    const conversation = fixtureConversation(1, { overrides: { tags: { type: 'tag.list', tags: ['vip'] } } });
    expect(() => conversationTagRows('1001', conversation)).toThrow(
      'field "tags.tags[0]" should be an object',
    );
  });
});
