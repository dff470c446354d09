import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { guardedLookup, hostAllowed, isPublicAddress, readCappedBody } from '../render/image-loader';

/**
 * One GET of a feed, with the image loader's SSRF rules (render/image-loader.ts,
 * docs/ARCHITECTURE.md "Live feeds"): the host must be on the allowlist
 * (OPENTIME_IMAGE_HOSTS), every address the name resolves to must be public
 * unless private addresses are allowed, and the check runs inside the socket's
 * DNS lookup, so the address checked is the one connected to. Redirects are
 * followed only to the same host. The body is read up to `maxBytes`: a longer
 * answer (a runaway export, a hostile endpoint) is cut off and refused rather
 * than buffered whole.
 */
interface FeedFetchOptions {
  allowedHosts: readonly string[];
  allowPrivateAddresses: boolean;
  maxBytes: number;
  signal: AbortSignal;
}

class FeedFetchError extends Error {
  override name = 'FeedFetchError';
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
const ACCEPT = 'application/feed+json, application/json, application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9';

/** Why a feed URL may not be fetched at all (scheme, credentials, host, address), or null when it may. */
export function feedUrlProblem(url: URL, allowedHosts: readonly string[], allowPrivateAddresses: boolean): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${url.protocol} URLs are not fetched; expected http or https`;
  if (url.username || url.password) return 'URLs with credentials are not fetched';
  if (!hostAllowed(url.hostname, allowedHosts)) return `host ${url.hostname} is not on the host allowlist (OPENTIME_IMAGE_HOSTS)`;
  // IP literals never reach the lookup hook, so they are checked here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(literal) && !allowPrivateAddresses && !isPublicAddress(literal)) return `${literal} is not a public address`;
  return null;
}

export async function fetchFeedText(start: URL, options: FeedFetchOptions): Promise<string> {
  const lookup = guardedLookup(options.allowPrivateAddresses);
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const problem = feedUrlProblem(url, options.allowedHosts, options.allowPrivateAddresses);
    if (problem) throw new FeedFetchError(problem);
    const res = await get(url, lookup, options.signal);
    if (REDIRECTS.has(res.statusCode ?? 0) && res.headers.location) {
      res.resume();
      const next = new URL(res.headers.location, url);
      if (redirects >= MAX_REDIRECTS) throw new FeedFetchError(`more than ${MAX_REDIRECTS} redirects`);
      if (next.hostname.toLowerCase() !== url.hostname.toLowerCase()) throw new FeedFetchError(`redirect to another host (${next.host}) refused`);
      url = next;
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new FeedFetchError(`HTTP ${res.statusCode}`);
    }
    const body = await readCappedBody(res, options.maxBytes, (declared) =>
      new FeedFetchError(`the feed is ${declared === null ? '' : `${declared} bytes, `}over the ${options.maxBytes}-byte limit (OPENTIME_FEED_MAX_BYTES)`),
    );
    return body.toString('utf8');
  }
}

function get(url: URL, lookup: ReturnType<typeof guardedLookup>, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? https.get : http.get;
    const req = request(url, { lookup, signal, agent: false, headers: { accept: ACCEPT, 'user-agent': 'Opentime-feed-reader' } });
    req.once('response', resolve);
    req.once('error', reject);
  });
}
