import { z } from 'zod';
import { defaultTemplatesDir, listTemplates } from '../email/templates';
import { SenderAllowlist, SenderAllowlistError } from '../http/sender-allowlist';

/**
 * What a campaign write may hold, checked the same way wherever it comes
 * from: POST /api/v1/campaigns, `opentime campaign create|update` and the
 * campaigns file (README, "Campaigns"). Strict: an unknown field is a problem.
 */

/** Campaign ids travel in tokens and URLs (`/api/v1/reports/campaigns/:id`): a URL-safe name. */
export const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const campaignId = z
  .string()
  .regex(CAMPAIGN_ID, 'expected 1–128 letters, digits, ".", "_" or "-", starting with a letter or digit, e.g. "flash-sale"')
  .meta({ description: 'The id tokens name (opentime token --campaign), e.g. flash-sale.' });

const isoWithZone = (description: string) =>
  z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time with a zone, e.g. 2026-11-25T18:00:00Z' }).meta({ description });

/**
 * Region codes Intl knows that are not countries of ISO 3166-1 (the EU, the
 * UN, "unknown region", …), and UK, which ISO reserves: Great Britain is GB.
 */
const NOT_COUNTRIES = new Map([
  ['UK', 'ISO 3166-1 writes the United Kingdom as GB'],
  ['EU', 'the European Union is not a country; list its members (DE, FR, …)'],
  ['EZ', 'the eurozone is not a country; list its members (DE, FR, …)'],
  ['UN', 'the United Nations is not a country'],
  ['ZZ', '"unknown region" is not a country'],
  ['QO', '"outlying Oceania" is not a country'],
]);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Why `code` is not an ISO 3166-1 alpha-2 country code, or undefined when it is one. */
function countryCodeProblem(code: string): string | undefined {
  const expected = 'expected an ISO 3166-1 alpha-2 country code in capitals, such as DE, GB or US';
  if (!/^[A-Z]{2}$/.test(code)) return /^[a-z]{2}$/i.test(code) ? `${expected} (write "${code.toUpperCase()}")` : expected;
  const reason = NOT_COUNTRIES.get(code);
  if (reason) return `${expected}: ${reason}`;
  // Intl names every assigned region; an unassigned code ("XX", "AA") comes back as itself.
  if (regionNames.of(code) === code) return `${expected}: "${code}" is not an assigned country code`;
  return undefined;
}

const market = z
  .string()
  .superRefine((code, ctx) => {
    const problem = countryCodeProblem(code);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ description: 'ISO 3166-1 alpha-2 country code, e.g. DE' });

let knownTemplates: readonly string[] | undefined;

/** The shipped templates (amp-templates/), read once: they are files of the package, not data that changes while it runs. */
function knownTemplateNames(): readonly string[] {
  if (!knownTemplates) {
    try {
      knownTemplates = listTemplates(defaultTemplatesDir());
    } catch {
      knownTemplates = [];
    }
  }
  return knownTemplates;
}

const templateName = z
  .string()
  .superRefine((name, ctx) => {
    const known = knownTemplateNames();
    if (known.includes(name)) return;
    ctx.addIssue({
      code: 'custom',
      message: known.length
        ? `unknown template "${name.slice(0, 64)}"; expected one of the templates in amp-templates/: ${known.join(', ')}`
        : `unknown template "${name.slice(0, 64)}": amp-templates/ holds no <name>.amp.html templates`,
    });
  })
  .meta({ description: 'The name of a template under amp-templates/, e.g. flash-sale.' });

/** Each bad entry at its own index, with what the sender allowlist accepts (http/sender-allowlist.ts). */
const allowedSenders = z
  .array(z.string())
  .max(100)
  .superRefine((list, ctx) => {
    try {
      SenderAllowlist.parse(list, 'allowedSenders');
    } catch (error) {
      if (!(error instanceof SenderAllowlistError)) throw error;
      for (const issue of error.issues) {
        ctx.addIssue({
          code: 'custom',
          path: [issue.index],
          message: `expected an email address (news@shop.example) or a domain (shop.example, @shop.example, or *.shop.example to include subdomains); received ${issue.received}, ${issue.problem}`,
        });
      }
    }
  })
  .meta({ description: 'Senders whose AMP emails may read this campaign\'s blocks, besides OPENTIME_ALLOWED_SENDERS: addresses or domains.' });

/** A campaign write: only `id` is required (and `name` for a new campaign); absent fields keep their stored value. */
export const campaignPatchSchema = z.strictObject({
  id: campaignId,
  name: z.string().trim().min(1).max(200).optional(),
  endsAt: isoWithZone("The campaign's deadline, which countdowns count down to; null: no deadline (a countdown shows its fallback).")
    .transform((text) => new Date(text).toISOString())
    .nullable()
    .optional(),
  allowedSenders: allowedSenders.optional(),
  markets: z.array(market).max(300).meta({ description: 'Countries the campaign is sent to; empty: every market.' }).optional(),
  templates: z.array(templateName).max(50).optional(),
  updatedAt: isoWithZone(
    "The source's time of this state; an update older than the stored one is ignored as stale. At most OPENTIME_MAX_CLOCK_SKEW_S (300 s) ahead of the server clock.",
  ).optional(),
});

export type CampaignPatchInput = z.input<typeof campaignPatchSchema>;
