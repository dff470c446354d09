import ipaddr from 'ipaddr.js';

/**
 * A set of IP ranges (CIDR prefixes) answering "is this address inside?" with
 * a binary search over merged, sorted intervals: no allocation for an IPv4
 * lookup, and fast enough for Apple's full egress list (~300,000 prefixes).
 *
 * IPv6 prefixes are kept at /64 granularity: a longer prefix (e.g. a /96)
 * covers its whole /64. The relay lists name whole /64 networks or larger, and
 * one /64 belongs to one site, so the over-match costs nothing in practice and
 * keeps every comparison to two 32-bit words.
 */
export class AddressRanges {
  private constructor(
    /** IPv4 intervals, inclusive, as unsigned 32-bit numbers: starts sorted, no overlaps. */
    private readonly v4Starts: Uint32Array,
    private readonly v4Ends: Uint32Array,
    /** IPv6 intervals over the top 64 bits, each bound split into high and low 32-bit words. */
    private readonly v6StartHigh: Uint32Array,
    private readonly v6StartLow: Uint32Array,
    private readonly v6EndHigh: Uint32Array,
    private readonly v6EndLow: Uint32Array,
  ) {}

  static readonly empty = AddressRanges.fromPrefixes([]);

  /** Number of merged intervals (for logs: "loaded N ranges"). */
  get size(): number {
    return this.v4Starts.length + this.v6StartHigh.length;
  }

  /**
   * Builds the set from prefixes such as "172.224.226.0/27", "2a02:26f7::/32"
   * or a bare address (a /32 or /128). Throws AddressRangeError on the first
   * entry that is neither.
   */
  static fromPrefixes(prefixes: Iterable<string>): AddressRanges {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    for (const prefix of prefixes) {
      const range = parsePrefix(prefix);
      if (range.family === 4) v4.push([range.start, range.end]);
      else v6.push([range.start, range.end]);
    }
    const mergedV4 = merge(v4, (end) => end + 1);
    const mergedV6 = merge(v6, (end) => end + 1n);
    const high = (value: bigint): number => Number(value >> 32n);
    const low = (value: bigint): number => Number(value & 0xffffffffn);
    return new AddressRanges(
      Uint32Array.from(mergedV4, ([start]) => start),
      Uint32Array.from(mergedV4, ([, end]) => end),
      Uint32Array.from(mergedV6, ([start]) => high(start)),
      Uint32Array.from(mergedV6, ([start]) => low(start)),
      Uint32Array.from(mergedV6, ([, end]) => high(end)),
      Uint32Array.from(mergedV6, ([, end]) => low(end)),
    );
  }

  /**
   * True when `address` (IPv4, IPv6, or IPv4-mapped IPv6 as Node reports
   * dual-stack peers, "::ffff:1.2.3.4") is inside one of the ranges. Anything
   * unparsable is simply not inside.
   */
  has(address: string | undefined): boolean {
    if (!address) return false;
    const mapped = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
    const v4 = parseIpv4(mapped);
    if (v4 !== -1) return this.hasV4(v4);
    if (this.v6StartHigh.length === 0) return false;
    let parts: number[];
    try {
      parts = ipaddr.IPv6.parse(mapped).parts;
    } catch {
      return false;
    }
    const high = (((parts[0] as number) << 16) | (parts[1] as number)) >>> 0;
    const low = (((parts[2] as number) << 16) | (parts[3] as number)) >>> 0;
    return this.hasV6(high, low);
  }

  private hasV4(value: number): boolean {
    // The last interval starting at or before `value`, then its end decides.
    let lo = 0;
    let hi = this.v4Starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.v4Starts[mid] as number) <= value) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && value <= (this.v4Ends[found] as number);
  }

  private hasV6(high: number, low: number): boolean {
    let lo = 0;
    let hi = this.v6StartHigh.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.v6StartHigh[mid] as number, this.v6StartLow[mid] as number, high, low) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 && compare(high, low, this.v6EndHigh[found] as number, this.v6EndLow[found] as number) <= 0;
  }
}

export class AddressRangeError extends Error {
  override name = 'AddressRangeError';
}

type ParsedRange = { family: 4; start: number; end: number } | { family: 6; start: bigint; end: bigint };

function compare(aHigh: number, aLow: number, bHigh: number, bLow: number): number {
  return aHigh !== bHigh ? aHigh - bHigh : aLow - bLow;
}

/** Dotted-quad IPv4 to an unsigned 32-bit number, or -1 when it is not one. Hand-written: this runs per request. */
export function parseIpv4(text: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (code >= 48 && code <= 57) {
      octet = octet * 10 + (code - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function parsePrefix(entry: string): ParsedRange {
  const [address = '', lengthText, ...extra] = entry.trim().split('/');
  const expected = 'Expected a CIDR prefix such as "172.224.226.0/27" or "2a02:26f7:b3c0:4000::/64", or a single address.';
  if (extra.length > 0) throw new AddressRangeError(`"${entry}" has more than one "/". ${expected}`);
  const v4 = parseIpv4(address);
  const family = v4 !== -1 ? 4 : ipaddr.IPv6.isValid(address) ? 6 : 0;
  if (family === 0) throw new AddressRangeError(`"${entry}" is not an IPv4 or IPv6 address. ${expected}`);
  const maxLength = family === 4 ? 32 : 128;
  const length = lengthText === undefined ? maxLength : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (!(length >= 0 && length <= maxLength)) {
    throw new AddressRangeError(`"${entry}": the prefix length must be a whole number from 0 to ${maxLength}. ${expected}`);
  }
  if (family === 4) {
    const size = 2 ** (32 - length);
    const start = v4 - (v4 % size);
    return { family: 4, start, end: start + size - 1 };
  }
  const parts = ipaddr.IPv6.parse(address).parts;
  let top = 0n;
  for (let i = 0; i < 4; i++) top = (top << 16n) | BigInt(parts[i] as number);
  const bits = Math.min(length, 64);
  const hostBits = BigInt(64 - bits);
  const start = (top >> hostBits) << hostBits;
  return { family: 6, start, end: start + (1n << hostBits) - 1n };
}

/** Sorts and merges overlapping or adjacent intervals (`successor(end)` is the first value after an interval). */
function merge<T extends number | bigint>(intervals: [T, T][], successor: (end: T) => T): [T, T][] {
  intervals.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: [T, T][] = [];
  for (const [start, end] of intervals) {
    const last = merged[merged.length - 1];
    if (last && start <= successor(last[1])) {
      if (end > last[1]) last[1] = end;
    } else {
      merged.push([start, end]);
    }
  }
  return merged;
}
