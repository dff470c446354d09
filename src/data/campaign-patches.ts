import type { Campaign } from './model';
import { patchOutcome, type PatchOutcome, type PatchRules } from './patches';

/**
 * Campaign writes from the API, `opentime campaign` and the campaigns file
 * (README, "Campaigns"). The same rules as a product patch
 * (data/patches.ts): fields left out keep their stored value, and an update
 * older than the stored `updatedAt` is stale and not applied.
 */
export type CampaignPatch = { id: string; updatedAt?: string } & Partial<Omit<Campaign, 'id' | 'updatedAt'>>;

/** A new campaign needs a name; everything else has a neutral default (no deadline, no own senders, every market). */
const requiredForNewCampaign = ['name'] as const;

function mergeCampaign(stored: Campaign, patch: CampaignPatch, updatedAt: string): Campaign {
  return {
    id: stored.id,
    name: patch.name ?? stored.name,
    // null clears the deadline: only an absent field keeps it.
    endsAt: patch.endsAt === undefined ? stored.endsAt : patch.endsAt,
    allowedSenders: patch.allowedSenders ?? stored.allowedSenders,
    markets: patch.markets ?? stored.markets,
    templates: patch.templates ?? stored.templates,
    updatedAt,
  };
}

function newCampaign(id: string): Campaign {
  return { id, name: '', endsAt: null, allowedSenders: [], markets: [], templates: [], updatedAt: '' };
}

const campaignRules: PatchRules<Campaign, CampaignPatch> = { required: requiredForNewCampaign, fresh: newCampaign, merge: mergeCampaign };

export function campaignPatchOutcome(stored: Campaign | undefined, patch: CampaignPatch, now: Date): PatchOutcome<Campaign> {
  return patchOutcome(stored, patch, now, campaignRules);
}
