/**
 * The allowlist of email senders whose AMP emails may read our JSON endpoints.
 *
 * AMP for Email hands the server the sender's address (`AMP-Email-Sender`, or
 * `__amp_source_origin` in CORS version 1) and asks it to decide whether it
 * trusts that sender (amp.dev, "CORS in AMP for Email", "Implementing CORS":
 * "Check if senderEmail is an email address owned by you or one that you trust.
 * If not, reject the request."). This module answers that question.
 *
 * Entry forms (matched case-insensitively):
 *   news@shop.example   exactly this address
 *   shop.example        any address at shop.example (not its subdomains)
 *   @shop.example       the same as shop.example
 *   *.shop.example      any address at shop.example or at any subdomain of it
 *
 * Matching is case-insensitive in both halves. RFC 5321 lets a receiving host
 * treat the local part case-sensitively, but no sending platform relies on it
 * and email clients are inconsistent about the case they forward, so a strict
 * match would only cause false rejections.
 *
 * `allows` runs on every email open: it does one shape check with a regex
 * compiled once at module load, one lower-casing, and Set lookups (plus one
 * lookup per parent domain when wildcard entries exist). Nothing is compiled
 * per call.
 */
import { LRUCache } from 'lru-cache';

/** What every entry may be; repeated in each parse error so the fix is obvious. */
const EXPECTED =
  'an email address (news@shop.example) or a domain (shop.example, @shop.example, or *.shop.example to include subdomains)';

/**
 * A sender we are willing to match and echo back in a response header: printable
 * ASCII in the shape local@domain.with.labels. Quoted local parts, IP literals and
 * raw UTF-8 (SMTPUTF8) addresses are refused: Node rejects some of those characters
 * in header values, and an address we cannot echo safely is one we cannot grant.
 * Local part characters are RFC 5322 `atext` plus the dot.
 */
const SENDER_SHAPE =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** RFC 5321 path limit; checked before the regex so its work stays bounded. */
const MAX_ADDRESS_LENGTH = 254;
const LOCAL_PART_CHAR = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]$/;
const LABEL_SHAPE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Whether `sender` has the shape of an address this server can match and echo.
 * The AMP CORS middleware refuses anything else before setting any header.
 */
export function isWellFormedSender(sender: string): boolean {
  if (sender.length > MAX_ADDRESS_LENGTH) return false;
  let wellFormed = checkedSenders.get(sender);
  if (wellFormed === undefined) {
    wellFormed = SENDER_SHAPE.test(sender);
    checkedSenders.set(sender, wellFormed);
  }
  return wellFormed;
}

/**
 * A sending platform uses a handful of addresses, asked about on every open
 * (twice: the middleware and the allowlist); the shape regex is the costly
 * part, so recent answers are kept.
 */
const checkedSenders = new LRUCache<string, boolean>({ max: 1000 });

/** One rejected entry of a list given to {@link SenderAllowlist.parse}. */
export interface SenderAllowlistIssue {
  /** Zero-based position in the list. */
  readonly index: number;
  /** The entry as received, for display (quoted strings, or the type of a non-string). */
  readonly received: string;
  /** What is wrong with it and, where we can tell, how to write it instead. */
  readonly problem: string;
}

/** Thrown by {@link SenderAllowlist.parse}; the message lists every bad entry. */
export class SenderAllowlistError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly SenderAllowlistIssue[],
  ) {
    super(formatIssues(source, issues));
    this.name = 'SenderAllowlistError';
  }
}

function formatIssue(source: string, issue: SenderAllowlistIssue): string {
  return `${source} entry #${issue.index + 1}: expected ${EXPECTED}; received ${issue.received}, ${issue.problem}.`;
}

function formatIssues(source: string, issues: readonly SenderAllowlistIssue[]): string {
  if (issues.length === 1) return formatIssue(source, issues[0] as SenderAllowlistIssue);
  return `${source} has ${issues.length} invalid entries:\n${issues.map((i) => `  - ${formatIssue(source, i)}`).join('\n')}`;
}

function describeNonString(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Why `domain` (already lower-cased, no wildcard) is not a usable email domain, or undefined. */
function domainProblem(domain: string): string | undefined {
  if (domain === '') return 'which has no domain';
  if (/[^\x20-\x7e]/.test(domain)) {
    return 'whose domain has non-ASCII characters; write it in its ASCII (punycode, "xn--…") form';
  }
  if (domain.startsWith('[')) return 'which is an IP address literal; name the domain instead';
  if (domain.includes('*')) return 'where "*" is misplaced; it may only stand as the whole first label, as in "*.shop.example"';
  if (domain.length > 253) return 'whose domain is longer than 253 characters';
  const labels = domain.split('.');
  if (labels.length < 2) return `where "${domain}" is a single label, not a full domain such as shop.example`;
  for (const label of labels) {
    if (label === '') return 'whose domain has an empty label (a leading, trailing or doubled ".")';
    if (label.length > 63) return `whose domain label "${label}" is longer than 63 characters`;
    if (!LABEL_SHAPE.test(label)) {
      return `whose domain label "${label}" is not letters, digits and inner hyphens`;
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] as string)) return 'which looks like an IP address; name the domain instead';
  return undefined;
}

type ParsedEntry =
  | { kind: 'address'; value: string }
  | { kind: 'domain'; value: string }
  | { kind: 'subdomains'; value: string }
  | { kind: 'error'; problem: string };

/** Classify and validate one (trimmed) entry. Kept out of the hot path: parse-time only. */
function parseEntry(raw: string): ParsedEntry {
  const entry = raw.toLowerCase();
  if (entry === '') return { kind: 'error', problem: 'which is blank' };
  if (entry === '*' || entry === '*@*' || entry === '@*') {
    return {
      kind: 'error',
      problem:
        'which would let any sender read these endpoints; AMP for Email discourages it, and this server does not support it: list the domains you send from',
    };
  }
  if (URL_SCHEME.test(entry)) {
    const host = entry.replace(URL_SCHEME, '').split(/[/:?#]/, 1)[0] ?? '';
    // Suggest the host only when it could itself be a valid entry.
    const hint = host.includes('.') ? `, e.g. "${host}"` : '';
    return { kind: 'error', problem: `which is a URL; write only the domain you send from${hint}` };
  }
  if (entry.startsWith('mailto:')) {
    return { kind: 'error', problem: `which is a mailto: link; write only the address "${raw.trim().slice(7)}"` };
  }
  if (/\s/.test(entry)) return { kind: 'error', problem: 'which contains whitespace; an address or a domain has none' };

  const at = entry.indexOf('@');
  if (at !== entry.lastIndexOf('@')) return { kind: 'error', problem: 'which contains more than one "@"' };

  if (at === -1 || at === 0) {
    // A domain: "shop.example", "@shop.example" or "*.shop.example".
    let domain = at === 0 ? entry.slice(1) : entry;
    let kind: 'domain' | 'subdomains' = 'domain';
    if (domain.startsWith('*.')) {
      if (at === 0) {
        return { kind: 'error', problem: `which mixes two forms; write "${domain}" (any address at that domain or its subdomains)` };
      }
      domain = domain.slice(2);
      kind = 'subdomains';
    }
    const problem = domainProblem(domain);
    if (problem !== undefined) return { kind: 'error', problem };
    return { kind, value: domain };
  }

  // An address: "news@shop.example".
  const local = entry.slice(0, at);
  const domain = entry.slice(at + 1);
  if (local === '*') {
    return { kind: 'error', problem: `which is a wildcard address; to allow every address at ${domain} write "${domain}"` };
  }
  if (domain.startsWith('*.')) {
    return {
      kind: 'error',
      problem: `which gives an address a wildcard domain; write "${domain}" to allow every address at ${domain.slice(2)} and its subdomains`,
    };
  }
  if (local.length > 64) return { kind: 'error', problem: 'whose part before "@" is longer than 64 characters' };
  for (const ch of local) {
    if (!LOCAL_PART_CHAR.test(ch)) {
      return { kind: 'error', problem: `whose part before "@" contains ${JSON.stringify(ch)}, which this server does not accept in an address` };
    }
  }
  const problem = domainProblem(domain);
  if (problem !== undefined) return { kind: 'error', problem };
  // parseEntry and isWellFormedSender must agree, or an entry could never match.
  if (!isWellFormedSender(entry)) return { kind: 'error', problem: 'which is not a well-formed address' };
  return { kind: 'address', value: entry };
}

const EMPTY_SET: ReadonlySet<string> = new Set<string>();

/**
 * An immutable set of allowed senders. Build it once (at start-up, or once per
 * campaign config) with {@link SenderAllowlist.parse}; ask it per request with
 * {@link SenderAllowlist.allows}.
 */
export class SenderAllowlist {
  /** Admits nobody. */
  static readonly EMPTY = new SenderAllowlist(EMPTY_SET, EMPTY_SET, EMPTY_SET);

  /** True when the list admits nobody (the default: deny). */
  readonly isEmpty: boolean;

  private constructor(
    private readonly addresses: ReadonlySet<string>,
    private readonly domains: ReadonlySet<string>,
    /** Domains whose subdomains are allowed too ("*.shop.example" is stored as "shop.example"). */
    private readonly subdomainRoots: ReadonlySet<string>,
  ) {
    this.isEmpty = addresses.size === 0 && domains.size === 0 && subdomainRoots.size === 0;
  }

  /**
   * Validate and build. Entries are trimmed (lists often come from a
   * comma-separated environment variable) and compared lower-cased.
   *
   * @param source names the list in error messages, e.g. "OPENTIME_ALLOWED_SENDERS"
   *   or `campaign "spring-sale" senders`.
   * @throws SenderAllowlistError naming every bad entry, what was expected and what was received.
   */
  static parse(list: readonly unknown[], source = 'sender allowlist'): SenderAllowlist {
    if (!Array.isArray(list)) {
      throw new SenderAllowlistError(source, [
        { index: 0, received: describeNonString(list), problem: 'where a list of entries was expected' },
      ]);
    }
    const addresses = new Set<string>();
    const domains = new Set<string>();
    const subdomainRoots = new Set<string>();
    const issues: SenderAllowlistIssue[] = [];
    list.forEach((item: unknown, index) => {
      if (typeof item !== 'string') {
        issues.push({ index, received: describeNonString(item), problem: 'which is not a string' });
        return;
      }
      const parsed = parseEntry(item.trim());
      switch (parsed.kind) {
        case 'address':
          addresses.add(parsed.value);
          break;
        case 'domain':
          domains.add(parsed.value);
          break;
        case 'subdomains':
          subdomainRoots.add(parsed.value);
          break;
        case 'error':
          issues.push({ index, received: JSON.stringify(item), problem: parsed.problem });
          break;
      }
    });
    if (issues.length > 0) throw new SenderAllowlistError(source, issues);
    if (addresses.size === 0 && domains.size === 0 && subdomainRoots.size === 0) return SenderAllowlist.EMPTY;
    return new SenderAllowlist(addresses, domains, subdomainRoots);
  }

  /**
   * A list admitting every sender either list admits: the global list combined
   * with a campaign's own. Returns an operand unchanged when the other is empty.
   */
  static union(a: SenderAllowlist, b: SenderAllowlist): SenderAllowlist {
    if (b.isEmpty) return a;
    if (a.isEmpty) return b;
    return new SenderAllowlist(
      new Set([...a.addresses, ...b.addresses]),
      new Set([...a.domains, ...b.domains]),
      new Set([...a.subdomainRoots, ...b.subdomainRoots]),
    );
  }

  /** Whether an email from `sender` may read our endpoints. Malformed senders are never allowed. */
  allows(sender: string): boolean {
    if (this.isEmpty || !isWellFormedSender(sender)) return false;
    const address = sender.toLowerCase();
    if (this.addresses.has(address)) return true;
    // isWellFormedSender guarantees exactly one "@" with a non-empty domain after it.
    let domain = address.slice(address.indexOf('@') + 1);
    if (this.domains.has(domain)) return true;
    if (this.subdomainRoots.size === 0) return false;
    // Walk up the parents: a.b.shop.example, b.shop.example, shop.example, example.
    for (;;) {
      if (this.subdomainRoots.has(domain)) return true;
      const dot = domain.indexOf('.');
      if (dot === -1) return false;
      domain = domain.slice(dot + 1);
    }
  }

  /** The normalised entries, for logs and `opentime validate` output. */
  entries(): string[] {
    return [...this.addresses, ...this.domains, ...[...this.subdomainRoots].map((d) => `*.${d}`)];
  }

  toJSON(): string[] {
    return this.entries();
  }
}
