import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { ApiAuth } from '../config';
import { ApiError } from './api-error';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * The check every route passes through. Bearer: `Authorization: Bearer <API_TOKEN>`, compared in
 * constant time; anything else is 401. IAM: API Gateway verified the caller's SigV4 signature
 * before invoking the Lambda, so nothing is left to check here. Paths under `signedPrefixes`
 * carry their own signature (report links opened in a browser) and skip the header check.
 */
export function authMiddleware(auth: ApiAuth, signedPrefixes: readonly string[] = []): MiddlewareHandler {
  const expected = auth.kind === 'bearer' ? digest(auth.token) : undefined;
  return async (c, next) => {
    if (expected && !signedPrefixes.some((prefix) => c.req.path.startsWith(prefix))) {
      const header = c.req.header('authorization') ?? '';
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match || !timingSafeEqual(digest(match[1] as string), expected)) {
        c.header('WWW-Authenticate', 'Bearer');
        throw new ApiError(
          401,
          header
            ? 'The bearer token is wrong.'
            : 'Authorization is missing; send "Authorization: Bearer <API_TOKEN>".',
        );
      }
    }
    await next();
  };
}
