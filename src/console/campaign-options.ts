import type { Campaign } from '../data/model';

/** A campaign as a console form's <select> lists it. */
export interface CampaignOption {
  id: string;
  name: string;
  selected: boolean;
}

/** The campaign picker of the console's forms (preview, timeline, reports, send test): every campaign, the chosen one selected. */
export function campaignOptions(campaigns: readonly Campaign[], chosenId: string | undefined): CampaignOption[] {
  return campaigns.map((campaign) => ({ id: campaign.id, name: campaign.name, selected: campaign.id === chosenId }));
}
