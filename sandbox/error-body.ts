import { randomUUID } from 'node:crypto';

/**
 * Intercom's error envelope: `{"type":"error.list","request_id":<uuid>,"errors":[{code,message,field?}]}`.
 * @see https://developers.intercom.com/docs/references/rest-api/errors/error-objects
 */
export interface ErrorBody {
  type: 'error.list';
  request_id: string;
  errors: { code: string; message: string; field?: string }[];
}

/** One error in Intercom's envelope, with a fresh request id. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return {
    type: 'error.list',
    request_id: randomUUID(),
    errors: [field ? { code, message, field } : { code, message }],
  };
}

/** The message Intercom sends with a 429, e.g. "Exceeded rate limit of 1666 in 10_seconds". */
export function rateLimitMessage(limit: number, windowMs: number): string {
  return `Exceeded rate limit of ${limit} in ${Math.max(1, Math.round(windowMs / 1000))}_seconds`;
}

/** A request the sandbox refuses: the server answers `status` with Intercom's error envelope. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
