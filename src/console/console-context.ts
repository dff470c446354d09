import type { ApiKeyring } from '../api/api-keys';
import type { LiveBlocks } from '../blocks/live-blocks';
import type { Logger } from '../log';
import type { previewWiring } from '../preview/preview-wiring';
import type { CatalogueReader } from '../storage/ports/catalogue-reader';
import type { Storage } from '../storage/storage';
import type { Keyring } from '../tokens/keyring';
import type { ConversionSettings } from '../conversions/conversion-settings';

/** What the server's configuration says about the console (main.ts fills it from Config). */
export interface ConsoleSettings {
  /** Demo mode: requests from a loopback address are let in without signing in. */
  demo: boolean;
  /** The server's public URL: `https://…` makes the session cookie Secure; its origin is accepted on POSTs. */
  publicUrl: string;
  /** OPENTIME_SMTP_URL: where "Send test" sends; absent: the page offers the .eml download only. */
  smtpUrl?: string;
  /** OPENTIME_ALLOWED_SENDERS: a test email's From when its campaign names no sender address. */
  senders?: readonly string[];
  /** The time zone the console shows times in when a page has no better one (a subscriber's). Default UTC. */
  timeZone?: string;
}

/**
 * Everything a console page may read: the same ports and holders the API
 * handlers use, so a page calls the API's service functions directly and
 * never HTTP to itself (README "Console"). Built once in app.ts.
 */
export interface ConsoleContext {
  settings: ConsoleSettings;
  storage: Storage;
  /** What opens read (the pull-source overlay when configured), for previews. */
  openCatalogue: CatalogueReader;
  blocks: LiveBlocks;
  apiKeys: ApiKeyring;
  /** The token signing keys; the session cookie's secret is derived from them (console/session.ts). */
  keyring: Keyring;
  tokenAudience: string;
  /** The preview service the API's preview endpoints use (app.ts): the same renderer, locks and catalogue as opens. */
  preview: ReturnType<typeof previewWiring>;
  logger: Logger;
  now: () => Date;
  /** The attribution window and model the Reports page credits orders with (README "Conversions and revenue"). */
  conversions: Pick<ConversionSettings, 'windowDays' | 'model'>;
}
