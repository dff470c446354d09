import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/** OPENTIME_TRUST_PROXY as Express's "trust proxy" setting takes it. */
export type TrustProxy = boolean | number | string;

/**
 * The client's address as Express's `req.ip` computes it, for the open
 * endpoints, which run without Express: the socket's peer, or, through the
 * hops `trust` allows, the address in X-Forwarded-For. The same rules as
 * Express (proxy-addr), so one setting means the same on every route.
 */
export function clientAddressResolver(trust: TrustProxy | undefined): (req: IncomingMessage) => string | undefined {
  if (trust === undefined || trust === false) return (req) => req.socket.remoteAddress;
  const trusts = compileTrust(trust);
  return (req) => proxyAddr(req, trusts);
}

function compileTrust(trust: true | number | string): (address: string, hop: number) => boolean {
  if (trust === true) return () => true;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust.split(',').map((entry) => entry.trim()));
}
