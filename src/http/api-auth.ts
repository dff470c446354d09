import type { RequestHandler, Response } from 'express';
import type { ApiKeyRecord, ApiKeyring, ApiScope } from '../api/api-keys';
import { HttpError } from './error-catalogue';

/**
 * Bearer API keys for the ingestion API. Subscriber tokens (JWTs in email
 * URLs) are never accepted here: they are not API keys, so they find nothing.
 */
export function requireApiKey(keys: ApiKeyring): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) return next(new HttpError('api_key_missing'));
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const record = match ? keys.find(match[1] as string) : undefined;
    if (!record) return next(new HttpError('api_key_invalid'));
    res.locals.apiKey = record;
    next();
  };
}

export function apiKeyOf(res: Response): ApiKeyRecord {
  return res.locals.apiKey as ApiKeyRecord;
}

export function requireScope(scope: ApiScope): RequestHandler {
  return (_req, res, next) => {
    const key = apiKeyOf(res);
    if (!key.scopes.includes(scope)) return next(new HttpError('api_scope_missing', `The key "${key.name}" lacks the scope ${scope}.`));
    next();
  };
}

/** Lets a key in when it holds any of `scopes` (e.g. `blocks:read` for a script, `console` for the console's key). */
export function requireAnyScope(...scopes: readonly ApiScope[]): RequestHandler {
  return (_req, res, next) => {
    const key = apiKeyOf(res);
    if (!scopes.some((scope) => key.scopes.includes(scope))) {
      return next(new HttpError('api_scope_missing', `The key "${key.name}" lacks the scope ${scopes.join(' or ')}.`));
    }
    next();
  };
}
