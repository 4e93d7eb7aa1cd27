import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import * as Sentry from '@sentry/node';
import { captureError, flushSentry, initSentry, isSentryActive } from '../../lib/monitoring/sentry';
import { scrubText, scrubValue } from '../../lib/monitoring/scrub';
import { REDACTED } from '../../lib/redact';

describe('initSentry without a DSN', () => {
  it.each([undefined, '', '   '])('does nothing for DSN %j and every later call is a no-op', async (dsn) => {
    expect(initSentry({ dsn, task: 'extract' })).toBe(false);
    expect(isSentryActive()).toBe(false);
    expect(Sentry.getClient()).toBeUndefined();
    expect(() => captureError(new Error('boom'))).not.toThrow();
    await expect(flushSentry(10)).resolves.toBeUndefined();
  });
});

describe('scrubbing before anything is sent', () => {
  const token = `tok_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;

  it('removes known secrets, URL passwords and bearer tokens from text', () => {
    const text = `GET failed with Bearer ${token} on mysql://sync:${password}@db.example:3306/intercom`;
    const out = scrubText(text, [token]);
    expect(out).not.toContain(token);
    expect(out).not.toContain(password);
    expect(out).toContain(`mysql://sync:${REDACTED}@db.example:3306/intercom`);
  });

  it('blanks credential-named keys and scrubs every nested string of an event', () => {
    const event = {
      message: `token ${token} was refused`,
      request: { headers: { Authorization: `Bearer ${token}`, accept: 'application/json' } },
      extra: { DATABASE_URL: `mysql://root:${password}@h/db`, note: ['fine', `again ${token}`] },
      contexts: { runtime: { name: 'node' } },
    };
    const out = scrubValue(event, [token]);
    const json = JSON.stringify(out);
    expect(json).not.toContain(token);
    expect(json).not.toContain(password);
    expect(out.request.headers.Authorization).toBe(REDACTED);
    expect(out.request.headers.accept).toBe('application/json');
    expect(out.extra.DATABASE_URL).toBe(REDACTED);
    expect(out.contexts.runtime.name).toBe('node');
    // The original is left alone.
    expect(event.message).toContain(token);
  });

  it('survives cyclic objects', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const out = scrubValue(a);
    expect(out.name).toBe('a');
    expect((out.self as Record<string, unknown>).name).toBe('a');
  });
});

// Last in this file: Sentry's client is process-wide once initialised.
describe('initSentry with a DSN', () => {
  it('sends the error to the DSN with the token and password scrubbed out', async () => {
    const token = `tok_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        bodies.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(
        initSentry({
          dsn: `http://publickey@127.0.0.1:${port}/1`,
          task: 'extract',
          secrets: [token, password],
        }),
      ).toBe(true);
      captureError(new Error(`refused token ${token} for mysql://sync:${password}@db:3306/x`), { token });
      await flushSentry(5000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const all = bodies.join('\n');
    expect(all).toContain('refused token [redacted] for mysql://sync:[redacted]@db:3306/x');
    expect(all).not.toContain(token);
    expect(all).not.toContain(password);
    expect(all).toContain('"task":"extract"');
  });
});
