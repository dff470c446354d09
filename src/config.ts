import fs from 'node:fs';
import path from 'node:path';
import proxyAddr from 'proxy-addr';
import YAML from 'yaml';
import { z } from 'zod';
import { packageRoot } from './package-root';
import type { WeatherFields } from './sources/weather-source';

/**
 * One configuration for the server and the CLI, so a token minted by
 * `opentime token` verifies on the server started from the same directory.
 * Sources, later ones winning: defaults < config file (OPENTIME_CONFIG) < environment.
 */

// Every schema below says what it expected in one phrase ("expected …"):
// loadConfig prefixes it with the setting's name and the value it was given,
// so each problem is one line a user can act on.

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** The usual spellings of on and off, in any case. */
function parseBoolean(value: string): boolean | undefined {
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  return undefined;
}

const optionalBoolean = z.union([z.boolean(), z.string()], { error: 'expected true or false' }).transform((value, ctx) => {
  const parsed = typeof value === 'boolean' ? value : parseBoolean(value);
  if (parsed !== undefined) return parsed;
  ctx.addIssue({ code: 'custom', message: 'expected true or false (or 1/0, yes/no, on/off)' });
  return z.NEVER;
});

const booleanSetting = (fallback: boolean) => optionalBoolean.default(fallback);

/** Digits only: "1e3", "0x10" and "12.5" are refused rather than read as something unexpected. */
const wholeNumber = (min: number, max: number) =>
  z.union([z.number(), z.string()], { error: `expected a whole number from ${min} to ${max}` }).transform((value, ctx) => {
    const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isInteger(number) && number >= min && number <= max) return number;
    ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
    return z.NEVER;
  });

const listSetting = z
  .union([z.string(), z.array(z.string())], { error: 'expected a comma-separated list' })
  .default([])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean));

/** "temperatureC=current.temp,condition=current.summary": where each weather figure sits in the provider's JSON. */
const WEATHER_FIELD_NAMES = ['temperatureC', 'weatherCode', 'condition', 'precipitationMm'] as const satisfies readonly (keyof WeatherFields)[];
type WeatherFieldName = (typeof WEATHER_FIELD_NAMES)[number];
const weatherFieldsSetting = z.string().transform((value, ctx) => {
  const fields: Partial<Record<WeatherFieldName, string>> = {};
  for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    const [name = '', fieldPath = ''] = entry.split('=').map((part) => part.trim());
    if (!(WEATHER_FIELD_NAMES as readonly string[]).includes(name) || !/^[^.\s]+(\.[^.\s]+)*$/.test(fieldPath)) {
      ctx.addIssue({ code: 'custom', message: `expected name=path pairs such as temperatureC=current.temp, the names among ${WEATHER_FIELD_NAMES.join(', ')} (received "${entry}")` });
      return z.NEVER;
    }
    fields[name as WeatherFieldName] = fieldPath;
  }
  if (fields.temperatureC === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a temperatureC=path pair (e.g. temperatureC=current.temperature_2m): the temperature is the one figure every provider must give' });
    return z.NEVER;
  }
  return { ...fields, temperatureC: fields.temperatureC };
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://opentime.shop.example' });

/** A host name, "*.domain" or "*", as the image loader matches them (src/render/image-loader.ts); an IP literal is a host too. */
const HOST_PATTERN = /^(\*|(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])$/i;

const hostListSetting = listSetting.superRefine((hosts, ctx) => {
  for (const host of hosts.filter((entry) => !HOST_PATTERN.test(entry))) {
    const hint = URL.canParse(host) ? `"${host}" is a URL, its host is ${new URL(host).host}` : `"${host}" is not one`;
    ctx.addIssue({ code: 'custom', message: `expected host names such as cdn.shop.example, *.shop.example or *, comma-separated (${hint})` });
  }
});

const TRUST_PROXY_EXPECTED =
  'expected true, false, a hop count, or a comma-separated list of IP addresses/CIDR ranges or the names loopback, linklocal, uniquelocal';

/**
 * Express's "trust proxy" values, checked here with the same parser Express
 * and the open endpoints use (proxy-addr), so a typo stops start-up with this
 * message instead of a TypeError from deep inside the first request's setup.
 */
const trustProxySetting = z
  .union([z.boolean(), z.number(), z.string(), z.array(z.string())], { error: TRUST_PROXY_EXPECTED })
  .default(false)
  .transform((value, ctx): boolean | number | string => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (Number.isInteger(value) && value >= 0) return value;
      ctx.addIssue({ code: 'custom', message: TRUST_PROXY_EXPECTED });
      return z.NEVER;
    }
    const text = (Array.isArray(value) ? value.join(',') : value).trim();
    if (text === '') return false;
    // "1" and "0" are hop counts here, not booleans.
    if (/^\d+$/.test(text)) return Number(text);
    const word = text.toLowerCase();
    if (word === 'true' || word === 'yes' || word === 'on') return true;
    if (word === 'false' || word === 'no' || word === 'off') return false;
    try {
      proxyAddr.compile(text.split(',').map((entry) => entry.trim()));
    } catch {
      ctx.addIssue({ code: 'custom', message: TRUST_PROXY_EXPECTED });
      return z.NEVER;
    }
    return text;
  });

const configSchema = z.strictObject({
  port: wholeNumber(0, 65535).default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  /** Where the SQLite file and, in demo mode, the generated signing keys live. */
  dataDir: z.string().min(1).default('./data'),
  /** The https origin emails reach us at; used in printed URLs and templates. */
  publicUrl: httpUrl.optional(),
  /** `kid:secret,kid:secret`; when absent, demo keys are generated in dataDir. */
  signingKeys: z.string().optional(),
  /** Which of the signing keys signs new tokens; defaults to the last one listed. */
  signingKid: z.string().optional(),
  tokenAudience: z.string().min(1).default('opentime'),
  /** Global sender allowlist (addresses or domains), on top of each campaign's own. */
  allowedSenders: listSetting,
  /** Block definitions (YAML or JSON). */
  blocksFile: z.string().min(1).default(() => path.join(packageRoot(), 'config', 'blocks.yaml')),
  /** Campaigns declared beside the blocks (YAML or JSON), written to the database at start-up; none by default. */
  campaignsFile: z.string().min(1).optional(),
  /** AMP forms (polls, ratings, notify-me, preferences) served under /amp/v1/forms (YAML or JSON). */
  formsFile: z.string().min(1).default(() => path.join(packageRoot(), 'config', 'forms.yaml')),
  /** Where back-in-stock events (notify-me forms) are POSTed, signed with notifyWebhookSecret. */
  notifyWebhookUrl: httpUrl.optional(),
  /** Signs outgoing webhooks (Opentime-Signature, as incoming ones). */
  notifyWebhookSecret: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** Triggered sends (README "Triggered sends"), YAML or JSON; unset: none, except the demo's config/triggers.yaml in demo mode. */
  triggersFile: z.string().min(1).optional(),
  /** Where triggered messages are POSTed (an ESP's webhook), signed with triggersWebhookSecret; unset: OPENTIME_SMTP_URL, else the outbox. */
  triggersWebhookUrl: httpUrl.optional(),
  /** Signs the triggered-message webhooks (Opentime-Signature, as incoming ones). */
  triggersWebhookSecret: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** How old a cached price or stock figure may be, in milliseconds. */
  freshnessMs: wholeNumber(0, 60_000).default(1000),
  /**
   * Seed the demo dataset into an empty database, add the demo API key and
   * print sample URLs. Unset: on, unless signing or API keys are configured
   * (loadConfig decides, and refuses demo mode beside configured keys).
   */
  demo: optionalBoolean.optional(),
  /** Hosts product pictures may be fetched from ("cdn.shop.example", "*.shop.example", "*"); none by default. */
  imageHosts: hostListSetting,
  /** How long an image render waits for a product picture before drawing a placeholder (ms). */
  imageTimeoutMs: wholeNumber(1, 10_000).default(300),
  /** Allow product pictures from loopback/private addresses (off: no SSRF into your network). */
  imageAllowPrivate: booleanSetting(false),
  /** A cached image served this many times is re-encoded as a smaller palette PNG in the background; 0: never. */
  imageOptimizeAfterHits: wholeNumber(0, 1_000_000).default(3),
  /** Threads that draw and encode images (PNG and GIF) in each server process; default: the cores shared out among the processes. */
  renderThreads: wholeNumber(1, 256).optional(),
  /** Server processes on one port (node:cluster); default: one per core; 1 keeps one process. */
  workers: wholeNumber(1, 256).optional(),
  /** PostgreSQL instead of the SQLite file (postgres://user:password@host:5432/db); every node of a deployment uses the same one. */
  databaseUrl: z
    .string()
    .refine((url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url), { message: 'expected a PostgreSQL URL such as postgres://opentime:secret@db.internal:5432/opentime' })
    .optional(),
  /** Connections each server process keeps to PostgreSQL at most; processes × nodes × this must stay under the server's max_connections. */
  databasePoolSize: wholeNumber(1, 1000).default(10),
  /** Redis that nodes share (cache invalidation, impressions between render and click): redis://host:6379 or rediss://… */
  redisUrl: z
    .string()
    .refine((url) => /^rediss?:\/\//.test(url) && URL.canParse(url), { message: 'expected a Redis URL such as redis://cache.internal:6379 or rediss://…' })
    .optional(),
  /** Where the console's "Send test" sends (smtp://user:pass@host:587 or smtps://…); unset: it offers the .eml download only. */
  smtpUrl: z
    .string()
    .refine((url) => /^smtps?:\/\//.test(url) && URL.canParse(url), { message: 'expected an SMTP URL such as smtp://user:secret@mail.internal:587 or smtps://…' })
    .optional(),
  /** When the event loop runs this late (ms), images not already rendered get their block's fallback picture; 0: never shed. */
  shedLagMs: wholeNumber(0, 60_000).default(250),
  /** Where a click on an unknown block goes; by default the site of the first block's defaultUrl. */
  siteUrl: httpUrl.optional(),
  /** Ingestion API keys as hashes: `name:scope+scope:sha256hex,…` (made by `opentime api-key create`). */
  apiKeys: z.string().optional(),
  /** When set, ingestion POSTs must carry an Opentime-Signature (HMAC-SHA256 over "t.body") made with it. */
  webhookSecret: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** How far a signature's timestamp may be from the server clock (s): older ones are refused as replays. */
  webhookToleranceSeconds: wholeNumber(1, 3600).default(300),
  /** How far (s) an ingested record's updatedAt/occurredAt may be ahead of the server clock; later ones are refused. */
  maxClockSkewSeconds: wholeNumber(0, 86_400).default(300),
  /** Largest ingestion request body in bytes. */
  apiBodyLimitBytes: wholeNumber(1024, 100 * 1024 * 1024).default(8 * 1024 * 1024),
  /** The retailer's live stock/price API, e.g. https://api.shop.example/stock/{id}; none by default. */
  pullUrl: z
    .string()
    .refine((template) => template.includes('{id}') && /^https?:\/\//.test(template) && URL.canParse(template.replace('{id}', 'x')), {
      message: 'expected an http(s) URL template containing {id}, e.g. https://api.shop.example/stock/{id}',
    })
    .optional(),
  /** The longest an open waits for the pull source (ms); then the last known figures are used. */
  pullTimeoutMs: wholeNumber(1, 5000).default(80),
  /** How long a pulled figure is reused without asking again (ms). */
  pullCacheMs: wholeNumber(0, 60_000).default(1000),
  /** How old a pulled figure may be and still be served when the source fails (ms). */
  pullStaleMs: wholeNumber(0, 86_400_000).default(600_000),
  /** Product ids the pull source covers ("coat-*", "sku-1"); empty: every product. */
  pullProducts: listSetting,
  /** How long the circuit breaker stays open before trying the source again (ms). */
  pullBreakerResetMs: wholeNumber(100, 600_000).default(10_000),
  /** Sent as the Authorization header to the pull source, e.g. "Bearer …". */
  pullAuthorization: z.string().optional(),
  /** Largest pull source answer read (bytes); a longer one counts as a failure. */
  pullMaxBytes: wholeNumber(1024, 64 * 1024 * 1024).default(64 * 1024),
  /** The offline GeoIP City database (.mmdb) that places an open's address; "off": none. Default: the shipped test database in demo mode, else none. */
  geoipDb: z.string().min(1).optional(),
  /** A weather provider's JSON API, e.g. https://api.open-meteo.com/v1/forecast?latitude={lat}&longitude={lon}&current=…; none by default. */
  weatherUrl: z
    .string()
    .refine((template) => template.includes('{lat}') && template.includes('{lon}') && /^https?:\/\//.test(template) && URL.canParse(template.replace('{lat}', '0').replace('{lon}', '0')), {
      message: 'expected an http(s) URL template containing {lat} and {lon}, e.g. https://api.open-meteo.com/v1/forecast?latitude={lat}&longitude={lon}&current=temperature_2m,precipitation,weather_code',
    })
    .optional(),
  /** Where the figures sit in the provider's answer: "temperatureC=current.temp,condition=current.summary"; default: Open-Meteo's. */
  weatherFields: weatherFieldsSetting.optional(),
  /** The longest an open waits for the weather provider (ms), within the open's wait budget. */
  weatherTimeoutMs: wholeNumber(1, 5000).default(80),
  /** How long the weather at a place (rounded to 0.1°) is reused without asking again (ms). */
  weatherCacheMs: wholeNumber(0, 86_400_000).default(600_000),
  /** How old the weather may be and still be served when the provider fails (ms). */
  weatherStaleMs: wholeNumber(0, 7 * 86_400_000).default(3 * 3_600_000),
  /** Apple's relay egress ranges, to recognise Mail Privacy Protection prefetches (re-read when the file changes). */
  appleRelayRangesFile: z.string().min(1).default(() => path.join(packageRoot(), 'config', 'apple-relay-ranges.txt')),
  /**
   * Express "trust proxy": which hops may set X-Forwarded-For, so client
   * detection sees the real peer address. "false" (default, direct), "true",
   * a hop count, or addresses/subnets/"loopback" separated by commas.
   */
  trustProxy: trustProxySetting,
  /** Record every render and click (the render log behind reports). Off only to measure its cost. */
  renderLog: booleanSetting(true),
  /** Render-log rows and clicks older than this many days are deleted; 0 keeps them. Locks are kept at least 32 days. */
  renderLogRetentionDays: wholeNumber(0, 3650).default(90),
  /** How many days before an order a click or human open may be credited with it (README "Conversions and revenue"). */
  attributionWindowDays: wholeNumber(1, 90).default(7),
  /** Which touch campaign reports credit an order to: the last click, or the last human open. */
  attributionModel: z.enum(['last_click', 'last_open'], { error: 'expected last_click or last_open' }).default('last_click'),
  /** Signs conversion pixel URLs (HMAC-SHA256); unset: the pixel records nothing. */
  conversionSecret: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** When set, GET /metrics needs "Authorization: Bearer <token>". */
  metricsToken: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 24`)').optional(),
  logLevel: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'expected one of fatal, error, warn, info, debug, trace, silent' })
    .default('info'),
});

export type Config = Omit<z.infer<typeof configSchema>, 'demo'> & {
  demo: boolean;
  publicUrl: string;
  /** Where `publicUrl` came from: set itself, derived from a set port, or neither (commands then ask server-address.ts). */
  publicUrlSource: 'setting' | 'port' | 'default';
  databaseFile: string;
};

/** Environment variable → config key. The README lists exactly these. */
export const environmentVariables = {
  PORT: 'port',
  HOST: 'host',
  OPENTIME_DATA_DIR: 'dataDir',
  OPENTIME_PUBLIC_URL: 'publicUrl',
  OPENTIME_SIGNING_KEYS: 'signingKeys',
  OPENTIME_SIGNING_KID: 'signingKid',
  OPENTIME_TOKEN_AUDIENCE: 'tokenAudience',
  OPENTIME_ALLOWED_SENDERS: 'allowedSenders',
  OPENTIME_BLOCKS: 'blocksFile',
  OPENTIME_CAMPAIGNS: 'campaignsFile',
  OPENTIME_FORMS: 'formsFile',
  OPENTIME_NOTIFY_WEBHOOK_URL: 'notifyWebhookUrl',
  OPENTIME_NOTIFY_WEBHOOK_SECRET: 'notifyWebhookSecret',
  OPENTIME_TRIGGERS: 'triggersFile',
  OPENTIME_TRIGGERS_WEBHOOK_URL: 'triggersWebhookUrl',
  OPENTIME_TRIGGERS_WEBHOOK_SECRET: 'triggersWebhookSecret',
  OPENTIME_FRESHNESS_MS: 'freshnessMs',
  OPENTIME_DEMO: 'demo',
  OPENTIME_IMAGE_HOSTS: 'imageHosts',
  OPENTIME_IMAGE_TIMEOUT_MS: 'imageTimeoutMs',
  OPENTIME_IMAGE_ALLOW_PRIVATE: 'imageAllowPrivate',
  OPENTIME_IMAGE_OPTIMIZE_AFTER: 'imageOptimizeAfterHits',
  OPENTIME_RENDER_THREADS: 'renderThreads',
  OPENTIME_SHED_LAG_MS: 'shedLagMs',
  OPENTIME_WORKERS: 'workers',
  OPENTIME_DATABASE_URL: 'databaseUrl',
  OPENTIME_DATABASE_POOL_SIZE: 'databasePoolSize',
  OPENTIME_REDIS_URL: 'redisUrl',
  OPENTIME_SMTP_URL: 'smtpUrl',
  OPENTIME_SITE_URL: 'siteUrl',
  OPENTIME_API_KEYS: 'apiKeys',
  OPENTIME_WEBHOOK_SECRET: 'webhookSecret',
  OPENTIME_WEBHOOK_TOLERANCE_S: 'webhookToleranceSeconds',
  OPENTIME_MAX_CLOCK_SKEW_S: 'maxClockSkewSeconds',
  OPENTIME_API_BODY_LIMIT_BYTES: 'apiBodyLimitBytes',
  OPENTIME_PULL_URL: 'pullUrl',
  OPENTIME_PULL_TIMEOUT_MS: 'pullTimeoutMs',
  OPENTIME_PULL_CACHE_MS: 'pullCacheMs',
  OPENTIME_PULL_STALE_MS: 'pullStaleMs',
  OPENTIME_PULL_PRODUCTS: 'pullProducts',
  OPENTIME_PULL_BREAKER_RESET_MS: 'pullBreakerResetMs',
  OPENTIME_PULL_AUTHORIZATION: 'pullAuthorization',
  OPENTIME_PULL_MAX_BYTES: 'pullMaxBytes',
  OPENTIME_GEOIP_DB: 'geoipDb',
  OPENTIME_WEATHER_URL: 'weatherUrl',
  OPENTIME_WEATHER_FIELDS: 'weatherFields',
  OPENTIME_WEATHER_TIMEOUT_MS: 'weatherTimeoutMs',
  OPENTIME_WEATHER_CACHE_MS: 'weatherCacheMs',
  OPENTIME_WEATHER_STALE_MS: 'weatherStaleMs',
  OPENTIME_APPLE_RELAY_RANGES: 'appleRelayRangesFile',
  OPENTIME_TRUST_PROXY: 'trustProxy',
  OPENTIME_RENDER_LOG: 'renderLog',
  OPENTIME_RENDER_LOG_RETENTION_DAYS: 'renderLogRetentionDays',
  OPENTIME_METRICS_TOKEN: 'metricsToken',
  OPENTIME_ATTRIBUTION_WINDOW_DAYS: 'attributionWindowDays',
  OPENTIME_ATTRIBUTION_MODEL: 'attributionModel',
  OPENTIME_CONVERSION_SECRET: 'conversionSecret',
  OPENTIME_LOG_LEVEL: 'logLevel',
} as const satisfies Record<string, keyof z.input<typeof configSchema>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${file} (OPENTIME_CONFIG): ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    // The YAML parser's message goes on with a picture of the line; its first line names the problem and the position.
    const reason = (error as Error).message.split('\n')[0];
    throw new ConfigError(`OPENTIME_CONFIG="${file}": expected ${file.endsWith('.json') ? 'JSON' : 'YAML or JSON'}, but ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`The config file ${file} must hold an object of settings, e.g. "port: 8080".`);
  }
  return parsed as Record<string, unknown>;
}

export function formatZodIssues(error: z.ZodError, origin: string): string {
  return error.issues
    .map((issue) => `  - ${origin}${issue.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue.message}`)
    .join('\n');
}

type SettingKey = keyof z.input<typeof configSchema>;

/** Settings whose values are secrets: a message names them and their length, never their value. */
const SECRET_SETTINGS: ReadonlySet<string> = new Set<SettingKey>(['signingKeys', 'apiKeys', 'webhookSecret', 'notifyWebhookSecret', 'triggersWebhookSecret', 'metricsToken', 'pullAuthorization', 'databaseUrl', 'redisUrl', 'smtpUrl']);

/** Where a setting's value came from, to name it the way the user wrote it. */
interface SettingOrigin {
  /** `PORT` for the environment, `port` in a config file. */
  name: string;
  file?: string;
  value: unknown;
}

function describeValue(key: string, value: unknown): string {
  if (SECRET_SETTINGS.has(key)) return `(${typeof value === 'string' ? `${value.length} characters, ` : ''}not shown)`;
  return JSON.stringify(value) ?? String(value);
}

/** One line per problem: the setting as the user wrote it, the value, and what was expected. */
function describeIssue(issue: z.core.$ZodIssue, origins: ReadonlyMap<string, SettingOrigin>, configFile: string | undefined): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${key} in ${configFile ?? 'the config'}: unknown setting; expected one of the keys in the Configuration table of README.md`);
  }
  const key = String(issue.path[0] ?? '');
  const origin = origins.get(key) ?? { name: key, value: undefined };
  const where = origin.file ? ` in ${origin.file}` : '';
  const at = issue.path.length > 1 ? ` (at ${issue.path.slice(1).join('.')})` : '';
  return [`${origin.name}=${describeValue(key, origin.value)}${where}${at}: ${issue.message}`];
}

/** Reads and validates the configuration once; throws ConfigError with every problem listed, one per line. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const configFile = env.OPENTIME_CONFIG ? path.resolve(cwd, env.OPENTIME_CONFIG) : undefined;
  const fromFile = configFile ? readConfigFile(configFile) : {};
  const origins = new Map<string, SettingOrigin>(Object.entries(fromFile).map(([key, value]) => [key, { name: key, file: configFile, value }]));
  const fromEnv: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(environmentVariables)) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      fromEnv[key] = value;
      origins.set(key, { name: variable, value });
    }
  }
  const result = configSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, origins, configFile)).join('\n'));
  }
  const config = result.data;
  const dataDir = path.resolve(cwd, config.dataDir);
  const demo = demoMode(config, origins);
  return {
    ...config,
    demo,
    geoipDb: geoipDatabaseFile(config.geoipDb, demo, cwd),
    dataDir,
    blocksFile: path.resolve(cwd, config.blocksFile),
    campaignsFile: config.campaignsFile === undefined ? undefined : path.resolve(cwd, config.campaignsFile),
    formsFile: path.resolve(cwd, config.formsFile),
    appleRelayRangesFile: path.resolve(cwd, config.appleRelayRangesFile),
    publicUrl: (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, ''),
    publicUrlSource: origins.has('publicUrl') ? 'setting' : origins.has('port') ? 'port' : 'default',
    databaseFile: path.join(dataDir, 'opentime.db'),
  };
}

/** The demo places opens with the small test database shipped in vendor/geoip (README "Location and weather at open"). */
function geoipDatabaseFile(setting: string | undefined, demo: boolean, cwd: string): string | undefined {
  if (setting === 'off') return undefined;
  if (setting !== undefined) return path.resolve(cwd, setting);
  return demo ? path.join(packageRoot(), 'vendor', 'geoip', 'GeoLite2-City-Test.mmdb') : undefined;
}

/**
 * Demo mode adds an all-scopes API key and prints sample tokens signed with
 * the active key. Beside configured keys that would put a production-signed
 * token and a back door into the log, so configured keys turn it off, and
 * asking for both is refused rather than half-honoured.
 */
function demoMode(config: Pick<z.infer<typeof configSchema>, 'demo' | 'signingKeys' | 'apiKeys'>, origins: ReadonlyMap<string, SettingOrigin>): boolean {
  const configuredKeys = (['signingKeys', 'apiKeys'] as const).filter((key) => config[key]).map((key) => origins.get(key)?.name ?? key);
  if (config.demo === undefined) return configuredKeys.length === 0;
  if (config.demo && configuredKeys.length > 0) {
    const demo = origins.get('demo') ?? { name: 'demo', value: true };
    throw new ConfigError(
      `${demo.name}=${describeValue('demo', demo.value)}${demo.file ? ` in ${demo.file}` : ''}: expected false or unset while ${configuredKeys.join(' and ')} ${configuredKeys.length > 1 ? 'are' : 'is'} set ` +
        '(demo mode would add an all-scopes demo API key and print sample tokens signed with your key); use a separate data directory without keys to try the demo',
    );
  }
  return config.demo;
}
