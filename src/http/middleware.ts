import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A middleware on plain Node requests and responses, in Express's shape.
 * The open endpoints (AMP JSON and images) run without Express, for speed;
 * the middleware they share with the Express routes (request log, latency
 * metric, AMP CORS, pull wait budget) is written against Node's types, so
 * one implementation serves both. Express accepts it as is in `app.use`.
 */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;
