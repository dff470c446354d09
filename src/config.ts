import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { packageRoot } from './package-root';

/**
 * One configuration for the server and the CLI, so a token minted by
 * `opentime token` verifies on the server started from the same directory.
 * Sources, later ones winning: defaults < config file (OPENTIME_CONFIG) < environment.
 */

const booleanSetting = (fallback: boolean) =>
  z
    .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
    .default(fallback)
    .transform((value) => value === true || value === 'true' || value === '1');

const listSetting = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean));

const configSchema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  /** Where the SQLite file and, in demo mode, the generated signing keys live. */
  dataDir: z.string().min(1).default('./data'),
  /** The https origin emails reach us at; used in printed URLs and templates. */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** `kid:secret,kid:secret`; when absent, demo keys are generated in dataDir. */
  signingKeys: z.string().optional(),
  /** Which of the signing keys signs new tokens; defaults to the last one listed. */
  signingKid: z.string().optional(),
  tokenAudience: z.string().min(1).default('opentime'),
  /** Global sender allowlist (addresses or domains), on top of each campaign's own. */
  allowedSenders: listSetting,
  /** Block definitions (YAML or JSON). */
  blocksFile: z.string().min(1).default(() => path.join(packageRoot(), 'config', 'blocks.yaml')),
  /** How old a cached price or stock figure may be, in milliseconds. */
  freshnessMs: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Seed the demo dataset into an empty database and print sample URLs. */
  demo: booleanSetting(true),
  /** Hosts product pictures may be fetched from ("cdn.shop.example", "*.shop.example", "*"); none by default. */
  imageHosts: listSetting,
  /** How long an image render waits for a product picture before drawing a placeholder (ms). */
  imageTimeoutMs: z.coerce.number().int().min(1).max(10_000).default(300),
  /** Allow product pictures from loopback/private addresses (off: no SSRF into your network). */
  imageAllowPrivate: booleanSetting(false),
  /** A cached image served this many times is re-encoded as a smaller palette PNG in the background; 0: never. */
  imageOptimizeAfterHits: z.coerce.number().int().min(0).max(1_000_000).default(3),
  /** Threads that draw and encode images (PNG and GIF); default: one per core. */
  renderThreads: z.coerce.number().int().min(1).max(256).optional(),
  /** When the event loop runs this late (ms), images not already rendered get their block's fallback picture; 0: never shed. */
  shedLagMs: z.coerce.number().int().min(0).max(60_000).default(250),
  /** Where a click on an unknown block goes; by default the site of the first block's defaultUrl. */
  siteUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** Ingestion API keys as hashes: `name:scope+scope:sha256hex,…` (made by `opentime api-key create`). */
  apiKeys: z.string().optional(),
  /** When set, ingestion POSTs must carry an Opentime-Signature (HMAC-SHA256 over "t.body") made with it. */
  webhookSecret: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 32`)').optional(),
  /** How far a signature's timestamp may be from the server clock (s): older ones are refused as replays. */
  webhookToleranceSeconds: z.coerce.number().int().min(1).max(3600).default(300),
  /** How far (s) an ingested record's updatedAt/occurredAt may be ahead of the server clock; later ones are refused. */
  maxClockSkewSeconds: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Largest ingestion request body in bytes. */
  apiBodyLimitBytes: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(8 * 1024 * 1024),
  /** The retailer's live stock/price API, e.g. https://api.shop.example/stock/{id}; none by default. */
  pullUrl: z
    .string()
    .refine((template) => template.includes('{id}') && /^https?:\/\//.test(template) && URL.canParse(template.replace('{id}', 'x')), {
      message: 'expected an http(s) URL template containing {id}, e.g. https://api.shop.example/stock/{id}',
    })
    .optional(),
  /** The longest an open waits for the pull source (ms); then the last known figures are used. */
  pullTimeoutMs: z.coerce.number().int().min(1).max(5000).default(80),
  /** How long a pulled figure is reused without asking again (ms). */
  pullCacheMs: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** How old a pulled figure may be and still be served when the source fails (ms). */
  pullStaleMs: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  /** Product ids the pull source covers ("coat-*", "sku-1"); empty: every product. */
  pullProducts: listSetting,
  /** How long the circuit breaker stays open before trying the source again (ms). */
  pullBreakerResetMs: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Sent as the Authorization header to the pull source, e.g. "Bearer …". */
  pullAuthorization: z.string().optional(),
  /** Largest pull source answer read (bytes); a longer one counts as a failure. */
  pullMaxBytes: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(64 * 1024),
  /** Apple's relay egress ranges, to recognise Mail Privacy Protection prefetches (re-read when the file changes). */
  appleRelayRangesFile: z.string().min(1).default(() => path.join(packageRoot(), 'config', 'apple-relay-ranges.txt')),
  /**
   * Express "trust proxy": which hops may set X-Forwarded-For, so client
   * detection sees the real peer address. "false" (default, direct), "true",
   * a hop count, or addresses/subnets/"loopback" separated by commas.
   */
  trustProxy: z
    .union([z.boolean(), z.number(), z.string()])
    .default(false)
    .transform((value) => (value === 'true' ? true : value === 'false' || value === '' ? false : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value)),
  /** Record every render and click (the render log behind reports). Off only to measure its cost. */
  renderLog: booleanSetting(true),
  /** Render-log rows and clicks older than this many days are deleted; 0 keeps them. Locks are kept at least 32 days. */
  renderLogRetentionDays: z.coerce.number().int().min(0).max(3650).default(90),
  /** When set, GET /metrics needs "Authorization: Bearer <token>". */
  metricsToken: z.string().min(16, 'expected at least 16 characters (e.g. `openssl rand -hex 24`)').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema> & { publicUrl: string; databaseFile: string };

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
  OPENTIME_FRESHNESS_MS: 'freshnessMs',
  OPENTIME_DEMO: 'demo',
  OPENTIME_IMAGE_HOSTS: 'imageHosts',
  OPENTIME_IMAGE_TIMEOUT_MS: 'imageTimeoutMs',
  OPENTIME_IMAGE_ALLOW_PRIVATE: 'imageAllowPrivate',
  OPENTIME_IMAGE_OPTIMIZE_AFTER: 'imageOptimizeAfterHits',
  OPENTIME_SITE_URL: 'siteUrl',
  OPENTIME_API_KEYS: 'apiKeys',
  OPENTIME_RENDER_THREADS: 'renderThreads',
  OPENTIME_SHED_LAG_MS: 'shedLagMs',
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
  OPENTIME_APPLE_RELAY_RANGES: 'appleRelayRangesFile',
  OPENTIME_TRUST_PROXY: 'trustProxy',
  OPENTIME_RENDER_LOG: 'renderLog',
  OPENTIME_RENDER_LOG_RETENTION_DAYS: 'renderLogRetentionDays',
  OPENTIME_METRICS_TOKEN: 'metricsToken',
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
  const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
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

/** Reads and validates the configuration once; throws ConfigError with every problem listed. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const fromFile = env.OPENTIME_CONFIG ? readConfigFile(path.resolve(cwd, env.OPENTIME_CONFIG)) : {};
  const fromEnv: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(environmentVariables)) {
    const value = env[variable];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const result = configSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    throw new ConfigError(`Invalid configuration:\n${formatZodIssues(result.error, 'setting')}`);
  }
  const config = result.data;
  const dataDir = path.resolve(cwd, config.dataDir);
  return {
    ...config,
    dataDir,
    blocksFile: path.resolve(cwd, config.blocksFile),
    appleRelayRangesFile: path.resolve(cwd, config.appleRelayRangesFile),
    publicUrl: (config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, ''),
    databaseFile: path.join(dataDir, 'opentime.db'),
  };
}
