import fs from 'node:fs';
import type { Config } from '../config';
import { SenderAllowlist } from '../http/sender-allowlist';
import { openStorage } from '../storage/open-storage';
import type { Storage } from '../storage/storage';

/** The database as a message names it: the SQLite file, or the setting that names the PostgreSQL one (its URL holds a password). */
export function databaseName(config: Pick<Config, 'databaseFile' | 'databaseUrl'>): string {
  return config.databaseUrl === undefined ? config.databaseFile : 'the database of OPENTIME_DATABASE_URL';
}

export interface RecipientCheck {
  subscriberId: string;
  campaignId: string;
  /** The address the AMP part announces as AMP-Email-Sender. */
  sender: string;
}

/**
 * What would make a built email show less than its author expects, read from
 * the server's database (read-only, so a running server is not disturbed):
 * a subscriber or campaign the store does not know (the blocks then show
 * generic content) and a sender no allowlist admits (AMP clients then show
 * every block's fallback). Warnings, not errors: data may be pushed after the
 * email is built, and the ESP may send it days later.
 */
export async function recipientWarnings(config: Pick<Config, 'databaseFile' | 'databaseUrl' | 'freshnessMs' | 'allowedSenders'>, check: RecipientCheck): Promise<string[]> {
  if (config.databaseUrl === undefined && !fs.existsSync(config.databaseFile)) {
    return [`warning: no database at ${config.databaseFile}, so subscriber "${check.subscriberId}", campaign "${check.campaignId}" and the sender were not checked (start the server once, or set OPENTIME_DATA_DIR).`];
  }
  let storage: Storage;
  try {
    storage = await openStorage(config, { readonly: true });
  } catch (error) {
    return [`warning: could not read ${databaseName(config)} (${(error as Error).message}), so the subscriber, campaign and sender were not checked.`];
  }
  try {
    const [subscriber, campaign] = await Promise.all([storage.catalogue.getSubscriber(check.subscriberId), storage.catalogue.getCampaign(check.campaignId)]);
    const warnings: string[] = [];
    if (!subscriber) {
      warnings.push(`warning: subscriber "${check.subscriberId}" is not in the store; their blocks will show generic content until the profile is pushed (POST /api/v1/subscribers or opentime import subscribers).`);
    }
    if (!campaign) {
      warnings.push(`warning: campaign "${check.campaignId}" is not in the store; countdowns without their own endsAt will show their fallback, and only OPENTIME_ALLOWED_SENDERS admits senders.`);
    }
    const allowlists: SenderAllowlist[] = [];
    for (const [list, source] of [[config.allowedSenders, 'OPENTIME_ALLOWED_SENDERS'], [campaign?.allowedSenders ?? [], `campaign "${check.campaignId}" senders`]] as const) {
      try {
        allowlists.push(SenderAllowlist.parse(list, source));
      } catch (error) {
        // The server refuses such a list too (fails closed); say so rather than fail the command.
        warnings.push(`warning: ${(error as Error).message}`);
      }
    }
    if (!allowlists.some((list) => list.allows(check.sender))) {
      warnings.push(`warning: AMP-Email-Sender ${check.sender} is allowed neither by OPENTIME_ALLOWED_SENDERS nor by campaign "${check.campaignId}"; AMP clients will show every block's fallback. Pass --from with an allowed sender, or allow this one.`);
    }
    return warnings;
  } finally {
    await storage.close();
  }
}
