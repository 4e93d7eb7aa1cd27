import { createHmac } from 'node:crypto';
import { isValidSignature, signBody } from '../../lib/events/signature';

describe('webhook signature (X-Hub-Signature: sha1=<hex HMAC-SHA1>)', () => {
  const secret = 'app-client-secret';
  const body = Buffer.from('{"type":"notification_event","id":"notif_1"}');
  const good = `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;

  it('signs as Intercom does: sha1= and the hex HMAC-SHA1 of the raw bytes', () => {
    expect(signBody(body, secret)).toBe(good);
    expect(signBody(body.toString('utf8'), secret)).toBe(good);
  });

  it('accepts the signature of exactly these bytes, in either hex case', () => {
    expect(isValidSignature(body, good, secret)).toBe(true);
    expect(isValidSignature(body, good.toUpperCase().replace('SHA1=', 'sha1='), secret)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the sha1= prefix', good.slice(5)],
    ['sha256 instead', `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`],
    ['cut short', good.slice(0, -2)],
    ['not hex', `sha1=${'z'.repeat(40)}`],
    ['of another body', signBody('{}', secret)],
    ['under another secret', signBody(body, 'other')],
  ])('refuses a signature that is %s', (_what, header) => {
    expect(isValidSignature(body, header, secret)).toBe(false);
  });

  it('refuses everything when no secret is configured', () => {
    expect(isValidSignature(body, signBody(body, ''), undefined)).toBe(false);
    expect(isValidSignature(body, signBody(body, ''), '')).toBe(false);
  });

  it('refuses the same body with one byte changed', () => {
    const changed = Buffer.from(body);
    changed[changed.length - 2] = 0x32;
    expect(isValidSignature(changed, good, secret)).toBe(false);
  });
});
