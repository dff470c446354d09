import type { ServerResponse } from 'node:http';

/**
 * Writes a JSON answer without Express's res.send: that path checks request
 * freshness (and could answer 304, which fails an AMP XHR in Gmail) and
 * costs a noticeable share of an open. Headers already set (CORS grant,
 * Cache-Control) are kept.
 */
export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
