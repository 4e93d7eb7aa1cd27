/**
 * The socket and DNS error codes (Node's `error.code`) after which the other side was not reached
 * or the connection is gone: the same call may succeed when made again. One list for every client
 * (S3, MySQL); each adds the codes of its own protocol beside it.
 */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Whether `code` (an `error.code`) is one of {@link NETWORK_ERROR_CODES}. */
export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}
