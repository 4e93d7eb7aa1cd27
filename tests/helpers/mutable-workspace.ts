import type { Workspace } from '../../sandbox/workspace';
import { createArrayWorkspace, type ArrayContact, type JsonRecord } from './array-workspace';

/** A sandbox workspace whose records a test changes and deletes while the sandbox serves it. */
export interface MutableWorkspace {
  /** Give `startSandbox({ workspace })`. */
  workspace: Workspace;
  /** Add or replace the contact with this id (with its sub-lists). */
  putContact(contact: ArrayContact): void;
  /** Add or replace the conversation with this id (parts included). */
  putConversation(conversation: JsonRecord): void;
  /** Remove the contact: `GET /contacts/{id}` answers 404 from now on. */
  deleteContact(id: string): void;
  /** Remove the conversation: `GET /conversations/{id}` answers 404 from now on. */
  deleteConversation(id: string): void;
}

/**
 * A {@link MutableWorkspace} over {@link createArrayWorkspace}: every change builds the array
 * workspace again, and the sandbox reads the current one through a proxy.
 */
export function createMutableWorkspace(initial: {
  contacts: ArrayContact[];
  conversations: JsonRecord[];
}): MutableWorkspace {
  const contacts = new Map(initial.contacts.map((c) => [String(c.contact.id), c]));
  const conversations = new Map(initial.conversations.map((c) => [String(c.id), c]));
  let current = createArrayWorkspace({
    contacts: [...contacts.values()],
    conversations: [...conversations.values()],
  });
  const rebuild = (): void => {
    current = createArrayWorkspace({
      contacts: [...contacts.values()],
      conversations: [...conversations.values()],
    });
  };
  const workspace = new Proxy({} as Workspace, {
    get: (_target, key) => current[key as keyof Workspace],
    has: (_target, key) => key in current,
    ownKeys: () => Reflect.ownKeys(current),
    getOwnPropertyDescriptor: (_target, key) => ({
      ...Reflect.getOwnPropertyDescriptor(current, key),
      configurable: true,
    }),
  });
  return {
    workspace,
    putContact(contact) {
      contacts.set(String(contact.contact.id), contact);
      rebuild();
    },
    putConversation(conversation) {
      conversations.set(String(conversation.id), conversation);
      rebuild();
    },
    deleteContact(id) {
      contacts.delete(id);
      rebuild();
    },
    deleteConversation(id) {
      conversations.delete(id);
      rebuild();
    },
  };
}
