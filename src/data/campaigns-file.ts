import { z } from 'zod';
import { campaignPatchSchema } from '../api/campaign-schema';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS, parseRecord } from '../api/payload-schemas';
import { ConfigError } from '../config';
import { parseDeclarations, readDeclarationsFile } from '../config-file';
import type { Logger } from '../log';
import type { Campaigns } from '../storage/ports/campaigns';
import type { CampaignPatch } from './campaign-patches';
import type { PatchBatchResult } from './patches';

/**
 * The campaigns file (OPENTIME_CAMPAIGNS, e.g. config/campaigns.yaml):
 * campaigns declared beside the blocks, validated like an API write and
 * written at start-up with the same `updatedAt` rule (README, "Campaigns").
 * An entry without its own `updatedAt` carries the file's modification time,
 * so an API or CLI write made after the file was last edited wins, and
 * editing the file again wins over it at the next start.
 */

const fileSchema = z.strictObject({ campaigns: z.array(z.unknown()) });

/** The file's campaigns, each with its `updatedAt`; throws ConfigError naming the file, entry, path and what was expected. */
export function loadCampaignsFile(file: string, now: Date): CampaignPatch[] {
  const { text, modifiedAt } = readDeclarationsFile(file, 'campaigns file', 'OPENTIME_CAMPAIGNS');
  const document = parseDeclarations(text, file);
  const shape = fileSchema.safeParse(document);
  if (!shape.success) throw new ConfigError(`${file}: expected a "campaigns:" list of campaigns, each with an id and a name (README, "Campaigns").`);
  // A file written a moment "in the future" by another machine's clock still loads: it is the operator's own.
  const fileTime = new Date(Math.min(modifiedAt.getTime(), now.getTime())).toISOString();
  const clock = { now, maxClockSkewSeconds: DEFAULT_MAX_CLOCK_SKEW_SECONDS };
  const problems: string[] = [];
  const campaigns: CampaignPatch[] = [];
  const seen = new Map<string, number>();
  shape.data.campaigns.forEach((entry, index) => {
    const id = typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
    const where = `${file}: campaigns[${index}]${id === undefined ? '' : ` (id "${id.slice(0, 128)}")`}`;
    const parsed = parseRecord(entry, campaignPatchSchema, clock);
    if ('errors' in parsed) {
      for (const problem of parsed.errors) problems.push(`${where}${problem.path ? ` at ${problem.path}` : ''}: ${problem.message}`);
      return;
    }
    const earlier = seen.get(parsed.value.id);
    if (earlier !== undefined) {
      problems.push(`${where}: duplicate campaign id "${parsed.value.id}" (also campaigns[${earlier}]); each campaign is declared once`);
      return;
    }
    seen.set(parsed.value.id, index);
    campaigns.push({ ...parsed.value, updatedAt: parsed.value.updatedAt ?? fileTime });
  });
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return campaigns;
}

/**
 * Writes the declared campaigns: all or none (a new campaign without a name
 * is a config error naming it). A declaration older than what the database
 * holds (changed through the API or `opentime campaign` since the file was
 * edited) is left as stored and logged once.
 */
export async function declareCampaigns(campaigns: Pick<Campaigns, 'applyCampaignPatches'>, file: string, declared: readonly CampaignPatch[], now: Date, logger?: Logger): Promise<PatchBatchResult> {
  if (declared.length === 0) return { written: true, created: 0, updated: 0, unchanged: 0, stale: [], incomplete: [] };
  const result = await campaigns.applyCampaignPatches(declared, { now, onIncomplete: 'abort' });
  if (!result.written) {
    throw new ConfigError(
      result.incomplete
        .map(({ index, id, missing }) => `${file}: campaigns[${index}] (id "${id}") at ${missing.join(', ')}: required for a new campaign (no campaign "${id}" is stored yet)`)
        .join('\n'),
    );
  }
  for (const { id, storedUpdatedAt } of result.stale) {
    logger?.warn({ campaign: id, file, storedUpdatedAt }, 'declared campaign is older than the stored one (written since through the API or opentime campaign); kept the stored one');
  }
  logger?.info({ file, created: result.created, updated: result.updated, unchanged: result.unchanged, stale: result.stale.length }, 'campaigns file applied');
  return result;
}
