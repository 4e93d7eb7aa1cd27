import { SourceError } from '../errors';

/** The parts of Intercom's `error.list` body that messages use. */
export interface IntercomErrorBody {
  code: string | undefined;
  message: string | undefined;
  requestId: string | undefined;
}

/**
 * Read Intercom's error body: `{"type":"error.list","request_id","errors":[{"code","message"}]}`.
 * Anything else (HTML from a proxy, empty) gives undefined fields. Never throws.
 * @see https://developers.intercom.com/docs/references/rest-api/errors/error-codes
 */
export function parseErrorBody(body: Buffer): IntercomErrorBody {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      request_id?: unknown;
      errors?: { code?: unknown; message?: unknown }[];
    };
    const first = Array.isArray(parsed?.errors) ? parsed.errors[0] : undefined;
    return {
      code: typeof first?.code === 'string' ? first.code : undefined,
      message: typeof first?.message === 'string' ? first.message.slice(0, 200) : undefined,
      requestId: typeof parsed?.request_id === 'string' ? parsed.request_id : undefined,
    };
  } catch {
    return { code: undefined, message: undefined, requestId: undefined };
  }
}

/** Whether a status is a passing fault worth retrying: 408, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The error for a refusal that retrying will not change (401, 403, 404, 400 and other 4xx).
 *
 * @param path the endpoint path without query string (never a token).
 * @param resource what was asked for, for a 404 ("conversation 123"); defaults to the path.
 */
export function sourceErrorFor(status: number, body: Buffer, path: string, resource?: string): SourceError {
  const err = parseErrorBody(body);
  const code = err.code ?? (status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : undefined);
  const said = `(${status}${code ? ` ${code}` : ''}${err.message ? `: ${err.message}` : ''})`;
  const ref = err.requestId ? ` Intercom request id: ${err.requestId}.` : '';
  let message: string;
  if (status === 401) {
    message =
      'Intercom refused the access token (401 unauthorized). Check INTERCOM_ACCESS_TOKEN and that the app is installed on the workspace.';
  } else if (status === 403) {
    message =
      code === 'api_plan_restricted'
        ? `Intercom refused ${path} ${said}: the workspace's plan does not include this API. Upgrade the plan or leave this stream out.${ref}`
        : `Intercom refused ${path} ${said}. Give the app the read permissions it needs (contacts, conversations, tags, companies, notes) in the Developer Hub and reinstall it.${ref}`;
  } else if (status === 404) {
    message = `Intercom has no ${resource ?? path} ${said}. It may have been deleted or merged during the run; run again, and check INTERCOM_API_URL names the workspace's region.${ref}`;
  } else {
    message = `Intercom rejected the request to ${path} ${said}. This client sent something this API version does not accept: check INTERCOM_API_VERSION, and report it with the request id.${ref}`;
  }
  return new SourceError(message, { status, code, cause: new Error(`HTTP ${status} from GET ${path}`) });
}
