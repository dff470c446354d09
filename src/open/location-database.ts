import fs from 'node:fs';
import net from 'node:net';
import { Reader, type CityResponse } from 'maxmind';
import { LRUCache } from 'lru-cache';
import { ConfigError } from '../config';
import type { AddressLocator, OpenLocation } from './location';

/**
 * The offline GeoIP database (OPENTIME_GEOIP_DB): a MaxMind DB file of the
 * GeoIP2/GeoLite2 City shape (https://maxmind.github.io/MaxMind-DB/), read
 * whole into memory once at start-up and searched with the `maxmind`
 * reader. No network call on an open: a lookup is a walk of the file's
 * search tree, and repeated addresses come from a small LRU.
 */
export class LocationDatabaseError extends ConfigError {
  override name = 'LocationDatabaseError';
}

/** Addresses remembered with their answer (or its absence): a wave of opens from one network asks once. */
const CACHED_ADDRESSES = 10_000;

export class LocationDatabase implements AddressLocator {
  private readonly found = new LRUCache<string, OpenLocation | false>({ max: CACHED_ADDRESSES });

  private constructor(
    private readonly reader: Reader<CityResponse>,
    /** The file, for logs. */
    readonly file: string,
  ) {}

  /** What the file is (e.g. "GeoLite2-City"), as its metadata says. */
  get databaseType(): string {
    return this.reader.metadata.databaseType;
  }

  /**
   * Reads `file` once; a missing, unreadable or non-MMDB file throws a
   * LocationDatabaseError naming `setting` and the path, which stops start-up.
   */
  static open(file: string, setting = 'OPENTIME_GEOIP_DB'): LocationDatabase {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      throw new LocationDatabaseError(`${setting}="${file}": cannot read the GeoIP database (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a MaxMind DB file such as GeoLite2-City.mmdb`);
    }
    let reader: Reader<CityResponse>;
    try {
      reader = new Reader<CityResponse>(bytes);
    } catch (error) {
      throw new LocationDatabaseError(`${setting}="${file}": not a MaxMind DB file (${(error as Error).message}); expected a GeoIP2 or GeoLite2 City .mmdb file`);
    }
    if (!/city/i.test(reader.metadata.databaseType)) {
      throw new LocationDatabaseError(`${setting}="${file}": a ${reader.metadata.databaseType} database; expected a City database (GeoIP2-City or GeoLite2-City), which holds cities, coordinates and time zones`);
    }
    return new LocationDatabase(reader, file);
  }

  locate(address: string | undefined): OpenLocation | undefined {
    const plain = plainAddress(address);
    if (plain === undefined) return undefined;
    let answer = this.found.get(plain);
    if (answer === undefined) {
      answer = ipLocation(this.reader.get(plain)) ?? false;
      this.found.set(plain, answer);
    }
    return answer || undefined;
  }
}

/** The address as the database takes it: an IPv4-mapped IPv6 address ("::ffff:81.2.69.142", Node's dual-stack sockets) as IPv4. */
function plainAddress(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? (mapped[1] as string) : address;
  return net.isIP(plain) === 0 ? undefined : plain;
}

/** A record that places the address at least in a country or at a point; anything less is no location. */
function ipLocation(record: CityResponse | null): OpenLocation | undefined {
  if (!record) return undefined;
  const country = record.country?.iso_code ?? null;
  const latitude = record.location?.latitude ?? null;
  const longitude = record.location?.longitude ?? null;
  if (country === null && (latitude === null || longitude === null)) return undefined;
  // Frozen and cached per address (the LRU above), so an open from a known address allocates nothing.
  return Object.freeze({
    source: 'ip',
    country,
    region: record.subdivisions?.[0]?.iso_code ?? null,
    city: record.city?.names?.en ?? null,
    latitude,
    longitude,
    timeZone: record.location?.time_zone ?? null,
  });
}
