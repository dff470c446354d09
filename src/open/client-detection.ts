import type { ClientClass } from './open';

/**
 * Who fetched a block: decides what the render log records and whether an
 * open counts as a human one (reports, lock-at-first-open).
 *
 * | class            | signal                                                                 | human open? |
 * |------------------|------------------------------------------------------------------------|-------------|
 * | `amp`            | the request passed AMP for Email CORS (AMP-Email-Sender, or Origin +   | yes         |
 * |                  | __amp_source_origin): an AMP viewer rendering the message              |             |
 * | `gmail-proxy`    | user agent contains `GoogleImageProxy` (Gmail fetches at open time)     | yes         |
 * | `yahoo-proxy`    | user agent contains `YahooMailProxy`                                   | yes         |
 * | `apple-prefetch` | Apple Mail Privacy Protection: see below                               | NO          |
 * | `direct`         | anything else: Outlook, Thunderbird, Apple Mail without MPP, webmail   | yes         |
 *
 * Apple Mail Privacy Protection fetches every image through Apple's relays
 * when the message is delivered, before (and whether or not) anyone reads it,
 * and later opens are served from that copy. Such a fetch is recorded as a
 * prefetch, never as a human open. Two signals, either is enough:
 *
 * 1. The user agent is exactly `Mozilla/5.0`: MPP replaces the client's user
 *    agent with that bare token (observed since September 2021, see
 *    ua-parser/uap-core#509). No browser or mail client sends it bare.
 * 2. The address is in Apple's relay egress list (AppleRelayRanges) AND the
 *    user agent names no platform (no "(…)" comment: empty, or a bare
 *    product token). A full browser user agent from a relay address is a
 *    person using iCloud Private Relay in Safari (e.g. "view in browser"),
 *    which is a human open, so the list alone never decides.
 *
 * So the address list matters when Apple changes the user agent it forces,
 * and the user agent matters when the list is stale: keep both.
 */
export interface ClientSignals {
  /** The request passed AMP for Email CORS. */
  amp?: boolean;
  userAgent?: string | undefined;
  /** The peer address as Express reports it (`req.ip`, which honours `trust proxy`). */
  remoteAddress?: string | undefined;
}

export type DetectionSignal = 'amp-cors' | 'user-agent' | 'relay-address' | 'none';

export interface ClientDetection {
  readonly client: ClientClass;
  /** A machine fetch ahead of any reading: not a human open. */
  readonly prefetch: boolean;
  /** What decided the class (for logs and tests). */
  readonly signal: DetectionSignal;
}

/** Anything that can say whether an address belongs to Apple's relays. */
export interface RelayAddressList {
  has(address: string | undefined): boolean;
}

/** The user agent Mail Privacy Protection sends, exactly. */
export const APPLE_PRIVACY_PROXY_USER_AGENT = 'Mozilla/5.0';

// One frozen object per outcome: classifying an open allocates nothing.
const AMP: ClientDetection = Object.freeze({ client: 'amp', prefetch: false, signal: 'amp-cors' });
const GMAIL: ClientDetection = Object.freeze({ client: 'gmail-proxy', prefetch: false, signal: 'user-agent' });
const YAHOO: ClientDetection = Object.freeze({ client: 'yahoo-proxy', prefetch: false, signal: 'user-agent' });
const APPLE_BY_USER_AGENT: ClientDetection = Object.freeze({ client: 'apple-prefetch', prefetch: true, signal: 'user-agent' });
const APPLE_BY_ADDRESS: ClientDetection = Object.freeze({ client: 'apple-prefetch', prefetch: true, signal: 'relay-address' });
const DIRECT: ClientDetection = Object.freeze({ client: 'direct', prefetch: false, signal: 'none' });

const NO_RELAYS: RelayAddressList = { has: () => false };

export function detectClient(signals: ClientSignals, relays: RelayAddressList = NO_RELAYS): ClientDetection {
  if (signals.amp) return AMP;
  const userAgent = signals.userAgent?.trim() ?? '';
  if (userAgent.includes('GoogleImageProxy')) return GMAIL;
  if (userAgent.includes('YahooMailProxy')) return YAHOO;
  if (userAgent === APPLE_PRIVACY_PROXY_USER_AGENT) return APPLE_BY_USER_AGENT;
  // Only a user agent without a platform comment needs the address lookup.
  if (!userAgent.includes('(') && relays.has(signals.remoteAddress)) return APPLE_BY_ADDRESS;
  return DIRECT;
}

/** Whether an open by this client is a person reading the message (reports, lock-at-first-open). */
export function isHumanOpen(client: ClientClass): boolean {
  return client !== 'apple-prefetch';
}
