/**
 * Every error the HTTP surfaces can answer, defined once with a stable code.
 * The README lists this catalogue; a test checks that it stays in step.
 */
export const errorCatalogue = {
  bad_request: { status: 400, message: 'The request is malformed.' },
  token_missing: {
    status: 401,
    message: 'No subscriber token. Expected the query parameter t=<token minted by `opentime token`>.',
  },
  token_invalid: {
    status: 401,
    message: 'The subscriber token is invalid or expired. Expected a token minted by `opentime token` for this server.',
  },
  amp_cors_missing: {
    status: 403,
    message:
      'Not an AMP for Email request. Expected the AMP-Email-Sender header (CORS version 2) or an Origin header with the __amp_source_origin query parameter (version 1).',
  },
  sender_not_allowed: {
    status: 403,
    message: 'The email sender is not on the allowlist for this campaign. Add it to OPENTIME_ALLOWED_SENDERS or the campaign.',
  },
  block_not_found: { status: 404, message: 'No block with this id. Expected one of the ids in the blocks config.' },
  campaign_not_found: { status: 404, message: 'The campaign named in the token does not exist.' },
  route_not_found: { status: 404, message: 'No such endpoint. See the README for the HTTP API.' },
  internal: { status: 500, message: 'Internal error. It has been logged.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error that the HTTP edge turns into a catalogue answer. */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  /** @param detail a longer explanation for the log and the response; never personal data. */
  constructor(code: ErrorCode, readonly detail?: string, options?: { cause?: unknown }) {
    super(detail ?? errorCatalogue[code].message, options);
    this.name = 'HttpError';
    this.code = code;
    this.status = errorCatalogue[code].status;
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; detail?: string };
}

export function errorBody(error: HttpError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: errorCatalogue[error.code].message } };
  if (error.detail) body.error.detail = error.detail;
  return body;
}
