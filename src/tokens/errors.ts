/**
 * Why a subscriber token was refused. The HTTP edge maps every reason to one
 * generic answer; the reason is for logs and metrics. Messages never quote the
 * token or anything in it that could identify a person.
 */
export type TokenErrorReason =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'bad_signature'
  | 'unknown_key'
  | 'wrong_audience'
  | 'wrong_algorithm';

export class TokenError extends Error {
  readonly reason: TokenErrorReason;

  constructor(reason: TokenErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.reason = reason;
  }
}

export class TokenMissingError extends TokenError {
  constructor() {
    super('missing', 'No subscriber token. Expected a token minted by `opentime token`.');
  }
}

export class TokenMalformedError extends TokenError {
  /** @param problem what is wrong, in words that do not quote the token. */
  constructor(problem: string, options?: { cause?: unknown }) {
    super('malformed', `Malformed subscriber token: ${problem}. Expected a JWT minted by \`opentime token\`.`, options);
  }
}

export class TokenExpiredError extends TokenError {
  readonly expiredAt: Date;

  constructor(expiredAt: Date, options?: { cause?: unknown }) {
    super('expired', `The subscriber token expired at ${expiredAt.toISOString()}. Expected an unexpired token; mint a new one.`, options);
    this.expiredAt = expiredAt;
  }
}

export class TokenSignatureError extends TokenError {
  constructor(options?: { cause?: unknown }) {
    super(
      'bad_signature',
      'The subscriber token signature does not match. Expected a token signed by this server and not modified since.',
      options,
    );
  }
}

export class TokenUnknownKeyError extends TokenError {
  /** The header's key id, kept only when it looks like a key id we could have issued, so logs stay clean. */
  readonly kid: string | undefined;

  constructor(kid: string | undefined) {
    super(
      'unknown_key',
      'The subscriber token was signed with a key this server does not hold (it may have been retired). Expected a token signed with one of the configured signing keys.',
    );
    this.kid = kid;
  }
}

export class TokenAudienceError extends TokenError {
  constructor(expectedAudience: string, options?: { cause?: unknown }) {
    super('wrong_audience', `The subscriber token was minted for another audience. Expected audience "${expectedAudience}".`, options);
  }
}

export class TokenAlgorithmError extends TokenError {
  /** The header's algorithm, kept only when it looks like a JWA name. */
  readonly algorithm: string | undefined;

  constructor(algorithm: string | undefined) {
    super(
      'wrong_algorithm',
      `The subscriber token uses ${algorithm === undefined ? 'an unsupported or missing algorithm' : `algorithm ${algorithm}`}. Expected HS256.`,
    );
    this.algorithm = algorithm;
  }
}
