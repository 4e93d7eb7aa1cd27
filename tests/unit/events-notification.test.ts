import { DataError } from '../../lib/errors';
import { parseNotification, partitionKeyOf } from '../../lib/events/notification';
import { routeTopic } from '../../lib/events/topics';
import { notificationOf } from '../../sandbox/webhooks';

describe('notifications and topics', () => {
  it('reads the envelope Intercom sends', () => {
    const body = notificationOf(
      'contact.merged',
      { type: 'contact', id: 'c2', merged_from: { id: 'c1' } },
      { id: 'notif_9', now: 1700000000 },
    );
    expect(parseNotification(JSON.stringify(body))).toEqual({
      id: 'notif_9',
      topic: 'contact.merged',
      appId: 'sandbox1',
      createdAt: 1700000000,
      item: body.data.item,
      itemType: 'contact',
      itemId: 'c2',
      mergedFromId: 'c1',
    });
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['another type', '{"type":"event"}', /notification_event/],
    ['no id, topic or item', '{"type":"notification_event"}', /"id".*"topic".*"data.item"/],
  ])('refuses a body that is %s with a DataError naming the problem', (_what, text, message) => {
    expect(() => parseNotification(text)).toThrow(DataError);
    expect(() => parseNotification(text)).toThrow(message);
  });

  it('keys the stream by the item id, or the notification id when the item has none', () => {
    expect(
      partitionKeyOf(parseNotification(JSON.stringify(notificationOf('contact.deleted', { id: 42 })))),
    ).toBe('42');
    const itemless = parseNotification(JSON.stringify(notificationOf('ping', {}, { id: 'notif_x' })));
    expect(partitionKeyOf(itemless)).toBe('notif_x');
  });

  it('routes topics to streams and actions by the declaration table', () => {
    expect(routeTopic('contact.user.updated')).toMatchObject({
      object: { stream: 'users' },
      action: 'refresh',
    });
    expect(routeTopic('contact.lead.created')).toMatchObject({
      object: { fetch: '/contacts/{id}' },
      action: 'refresh',
    });
    expect(routeTopic('contact.deleted')).toMatchObject({ object: { stream: 'users' }, action: 'delete' });
    expect(routeTopic('contact.merged')).toMatchObject({ object: { stream: 'users' }, action: 'merge' });
    expect(routeTopic('conversation.admin.closed')).toMatchObject({
      object: { stream: 'conversations' },
      action: 'refresh',
    });
    expect(routeTopic('conversation_part.tag.created')).toMatchObject({
      object: { fetch: '/conversations/{id}' },
    });
    expect(routeTopic('conversation.deleted')).toMatchObject({ action: 'delete' });
    expect(routeTopic('admin.logged_in')).toBeUndefined();
    expect(routeTopic('contact')).toBeUndefined();
  });
});
