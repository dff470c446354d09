import type { BlockLockStore } from './ports/block-locks';
import type { Campaigns } from './ports/campaigns';
import type { CatalogueReader } from './ports/catalogue-reader';
import type { ImpressionStore } from './ports/impressions';
import type { FirstOpenStore } from './ports/first-opens';
import type { IdentityStore } from './ports/identity';
import type { Ingestion } from './ports/ingestion';
import type { NotifyRequestStore } from './ports/notify-requests';
import type { OrderStore } from './ports/orders';
import type { PollAnswerStore } from './ports/poll-answers';
import type { RenderLogStore } from './ports/render-log';
import type { RetentionStore } from './ports/retention';
import type { SubscriberLocales } from './ports/subscriber-locales';
import type { SubscriberSearch } from './ports/subscriber-search';
import type { TriggerJobStore } from './ports/trigger-jobs';
import type { WebhookOutboxStore } from './ports/webhook-outbox';
import type { CatalogueCache } from './cache/cached-catalogue';

/**
 * Every port of one database, as `openStorage(config)` opens it
 * (storage/open-storage.ts). Each user takes only the ports it needs: an
 * open reads the catalogue, the click route reads impressions, the API
 * writes through ingestion, reports read the render log, retention prunes.
 * docs/ARCHITECTURE.md ("Storage") says who uses which and what each promises.
 */
export interface Storage {
  readonly catalogue: CatalogueReader;
  readonly ingestion: Ingestion;
  /** Which subscriber an anonymous id belongs to (identity/, README "Events"); links are written by ingestion. */
  readonly identity: IdentityStore;
  readonly campaigns: Campaigns;
  readonly impressions: ImpressionStore;
  readonly renderLog: RenderLogStore;
  readonly locks: BlockLockStore;
  /** When each subscriber first opened each campaign as a human (evergreen countdowns). */
  readonly firstOpens: FirstOpenStore;
  readonly retention: RetentionStore;
  /** The locales subscribers read in (start-up and `opentime validate`, never an open). */
  readonly subscriberLocales: SubscriberLocales;
  /** Subscribers by id prefix or name, for people (the console's picker, GET /api/v1/subscribers?q=), never an open. */
  readonly subscriberSearch: SubscriberSearch;
  /** AMP forms (forms/): poll and rating answers, notify-me requests, and the outgoing webhooks a restock queues. */
  readonly pollAnswers: PollAnswerStore;
  readonly notifyRequests: NotifyRequestStore;
  readonly webhookOutbox: WebhookOutboxStore;
  /** The durable queue of triggered sends (triggers/, README "Triggered sends"). */
  readonly triggerJobs: TriggerJobStore;
  /** Orders and their attribution (conversions/): the events API and the conversion pixel write, reports read. */
  readonly orders: OrderStore;
  /**
   * The cache in front of `catalogue`, when there is one: its hit counts go
   * on GET /metrics, and writes that bypass this process (another process,
   * a bulk import) can drop its entries.
   */
  readonly catalogueCache: CatalogueCache | undefined;
  /** Resolves when the database answers a read, rejects when it does not (GET /healthz). */
  ping(): Promise<void>;
  /** Closes the database. Idempotent: shutdown paths tend to overlap. */
  close(): Promise<void>;
}
