import { z } from 'zod';
import { ConfigError } from '../config';
import { parseDeclarations, readDeclarationsFile } from '../config-file';
import { blockIssueLines } from '../blocks/config-issues';
import { defaultTemplatesDir, listTemplates, loadTemplate, type CampaignTemplate } from '../email/templates';

/** The events a trigger may start on or be cancelled by (README "Live data in"). */
const TRIGGER_EVENT_TYPES = ['product_viewed', 'added_to_cart', 'removed_from_cart', 'purchased', 'points_changed'] as const;

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30m", "2h", "1d", "45s" → milliseconds. */
const duration = z
  .string()
  .regex(/^\d{1,6}[smhd]$/, 'expected a duration such as "30m", "2h", "1d" or "45s"')
  .transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS]);

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time such as "21:00"');

const eventType = z.enum(TRIGGER_EVENT_TYPES);

/** Catalogue changes a trigger may start on: a product patch, not an event (catalogue-triggers.ts). */
const CATALOGUE_TRIGGER_TYPES = ['back_in_stock', 'price_drop'] as const;

const triggerSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected lowercase letters, digits and dashes, e.g. "cart-abandonment"'),
  /** The event that starts it, or a catalogue change: back_in_stock (each waiting notify-me request), price_drop (each recent viewer). */
  when: z.enum([...TRIGGER_EVENT_TYPES, ...CATALOGUE_TRIGGER_TYPES]),
  /** Events of the same subscriber (and product, when the trigger's event names one) that cancel a pending send. */
  cancelWhen: z.array(eventType).default([]),
  /** How long after the event the message is due. */
  delay: duration,
  /** A send still not made this long after it was due (old events replayed, a long outage) is dropped as too late. */
  expireAfter: duration.default(86_400_000),
  /** What makes two sends the same one: at most one pending job per key. */
  dedupeBy: z.enum(['subscriber', 'subscriber_product', 'event']).default('subscriber_product'),
  /** At most this many sends of this trigger per subscriber per calendar day in their time zone; 0: no cap. */
  frequencyCapPerDay: z.number().int().min(0).max(100).default(1),
  /** No send between these times in the subscriber's time zone (may wrap midnight); due sends wait until `end`. */
  quietHours: z.strictObject({ start: clockTime, end: clockTime }).optional(),
  /** price_drop: the least drop of a price (sale price, else price, in any currency it has) that counts, in percent. */
  minDropPercent: z.number().gt(0).max(100).default(1),
  /** price_drop: who viewed the product this long before the drop is told. */
  viewedWithin: duration.default(14 * 86_400_000),
  /** Send only while the event's product is still in the subscriber's cart (cart abandonment). */
  requireInCart: z.boolean().default(false),
  /** The campaign the message belongs to (its tokens, sender allowlist and reports). */
  campaign: z.string().min(1).max(128),
  /** A template under amp-templates/ (the message's three parts). */
  template: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a template name such as "flash-sale"'),
});

const deliverySchema = z
  .strictObject({
    /** The recipient's address; `{subscriberId}` is replaced by the subscriber's id. */
    recipient: z.string().includes('{subscriberId}', { message: 'expected a pattern containing {subscriberId}, e.g. "{subscriberId}" when ids are addresses' }).default('{subscriberId}'),
    /** The From address; default: the campaign's first allowed sender address, else the global one. */
    from: z.email('expected an email address, e.g. shop@news.shop.example').optional(),
    /** Send attempts before a message becomes a dead letter. */
    maxAttempts: z.number().int().min(1).max(50).default(8),
  })
  .prefault({});

const fileSchema = z.strictObject({ delivery: deliverySchema, triggers: z.array(z.looseObject({ id: z.unknown() })) });

export type TriggerConfig = z.infer<typeof triggerSchema>;
export type DeliveryConfig = z.infer<typeof deliverySchema>;

export interface PreparedTrigger extends TriggerConfig {
  /** The template, read once at start-up. */
  loadedTemplate: CampaignTemplate;
}

export interface TriggersCatalog {
  delivery: DeliveryConfig;
  triggers: readonly PreparedTrigger[];
}

export const NO_TRIGGERS: TriggersCatalog = { delivery: deliverySchema.parse({}), triggers: [] };

/** Parses a triggers config (YAML or JSON); throws one ConfigError naming the file, trigger, path and expected for every problem. */
export function parseTriggersConfig(text: string, origin: string, templatesDir: string = defaultTemplatesDir()): TriggersCatalog {
  const document = parseDeclarations(text, origin);
  const shape = fileSchema.safeParse(document);
  if (!shape.success) throw new ConfigError(blockIssueLines(shape.error, fileSchema, document, `${origin}: `).map((line) => line.replace(`${origin}: .`, `${origin}: `)).join('\n'));
  const templates = listTemplates(templatesDir);
  const errors: string[] = [];
  const triggers: PreparedTrigger[] = [];
  const seen = new Set<unknown>();
  shape.data.triggers.forEach((raw, index) => {
    const where = `${origin}: triggers[${index}]${typeof raw.id === 'string' ? ` (id "${raw.id}")` : ''}`;
    if (typeof raw.id === 'string' && seen.has(raw.id)) {
      errors.push(`${where}: duplicate trigger id "${raw.id}". Trigger ids must be unique.`);
      return;
    }
    seen.add(raw.id);
    const parsed = triggerSchema.safeParse(raw);
    if (!parsed.success) {
      errors.push(...blockIssueLines(parsed.error, triggerSchema, raw, where));
      return;
    }
    const trigger = parsed.data;
    if (!templates.includes(trigger.template)) {
      errors.push(`${where}.template: no template "${trigger.template}" in ${templatesDir}; expected one of: ${templates.join(', ') || 'none'}`);
      return;
    }
    const priceOnly = ['minDropPercent', 'viewedWithin'].filter((field) => field in raw);
    if (trigger.when !== 'price_drop' && priceOnly.length > 0) {
      errors.push(`${where}.${priceOnly[0]}: applies only to when: price_drop; expected it removed, or when: price_drop`);
      return;
    }
    if ((trigger.cancelWhen as readonly string[]).includes(trigger.when)) {
      errors.push(`${where}.cancelWhen: "${trigger.when}" is the event that starts the trigger; expected other event types`);
      return;
    }
    triggers.push({ ...trigger, loadedTemplate: loadTemplate(trigger.template, templatesDir) });
  });
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  return { delivery: shape.data.delivery, triggers };
}

export function loadTriggersConfig(file: string, templatesDir?: string): TriggersCatalog {
  return parseTriggersConfig(readDeclarationsFile(file, 'triggers config', 'OPENTIME_TRIGGERS').text, file, templatesDir);
}
