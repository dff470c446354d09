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
  api_key_missing: {
    status: 401,
    message: 'No API key. Expected the header "Authorization: Bearer otk_…" (see `opentime api-key`).',
  },
  api_key_invalid: { status: 401, message: 'The API key is not one of the configured keys.' },
  signature_invalid: {
    status: 401,
    message: 'The webhook signature is missing, malformed, outside the tolerance window, or does not match the body.',
  },
  validation_failed: {
    status: 400,
    message: 'Some records are invalid; nothing was written. Each problem is listed with its item index and field path.',
  },
  payload_too_large: { status: 413, message: 'The request body is larger than the limit.' },
  unsupported_media_type: { status: 415, message: 'Expected Content-Type: application/json, and Content-Encoding gzip, deflate, br or none.' },
  api_scope_missing: { status: 403, message: 'The API key does not have the scope this endpoint needs.' },
  forbidden_origin: { status: 403, message: 'A console form was posted from another origin. Expected the Origin header of this server (CSRF protection).' },
  smtp_not_configured: { status: 400, message: 'Sending a test email needs OPENTIME_SMTP_URL. Without "to", the endpoint answers the .eml to download instead.' },
  smtp_send_failed: { status: 424, message: 'The SMTP server did not accept the test email. The detail says what it answered.' },
  product_not_found: { status: 404, message: 'No product with this id.' },
  subscriber_not_found: { status: 404, message: 'No subscriber with this id.' },
  dead_letter_not_found: { status: 404, message: 'No dead letter with this id: it was never a triggered send, or it is not dead (GET /api/v1/triggers/dead-letters lists them).' },
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
  campaign_not_found: { status: 404, message: 'No campaign with this id (from the token or the URL).' },
  template_not_found: { status: 404, message: 'No such template under amp-templates/. Expected one of the names the detail lists.' },
  query_invalid: { status: 400, message: 'A query parameter is missing or malformed. The detail names each one and what was expected.' },
  route_not_found: { status: 404, message: 'No such endpoint. See the README for the HTTP API.' },
  form_not_found: { status: 404, message: 'No form with this id. Expected one of the ids in the forms config (OPENTIME_FORMS).' },
  form_invalid: {
    status: 400,
    message: 'The form submission is invalid; nothing was recorded. Each problem is listed with its field.',
  },
  form_media_type_unsupported: {
    status: 415,
    message: 'Expected Content-Type: application/x-www-form-urlencoded or multipart/form-data (what amp-form sends).',
  },
  answer_already_given: { status: 409, message: 'This reader has already answered; this form does not let an answer change.' },
  rate_limited: { status: 429, message: 'Too many submissions. Try again later; the Retry-After header says when.' },
  method_not_allowed: { status: 405, message: 'This endpoint answers GET (and HEAD); amp-list fetches it with GET. The Allow header lists the methods.' },
  internal: { status: 500, message: 'Internal error. It has been logged.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error that the HTTP edge turns into a catalogue answer. */
export class HttpError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** One entry per bad item of a batch (validation_failed), so a sender can fix them all in one go. */
  readonly errors?: readonly ItemProblem[];

  /** @param detail a longer explanation for the log and the response; never personal data. */
  constructor(code: ErrorCode, readonly detail?: string, options?: { cause?: unknown; errors?: readonly ItemProblem[] }) {
    super(detail ?? errorCatalogue[code].message, options);
    this.name = 'HttpError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    if (options?.errors) this.errors = options.errors;
  }
}

/** A problem with one item of a batch: its index in the array (-1: the body itself) and the field path inside it. */
export interface ItemProblem {
  index: number;
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; detail?: string; errors?: readonly ItemProblem[] };
}

export function errorBody(error: HttpError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: errorCatalogue[error.code].message } };
  if (error.detail) body.error.detail = error.detail;
  if (error.errors) body.error.errors = error.errors;
  return body;
}
