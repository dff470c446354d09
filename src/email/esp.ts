/**
 * How each ESP writes "this recipient's value of the opentime_token field",
 * for `opentime export`. The field is the column `opentime tokens` adds to a
 * send list (import it into the ESP as a custom field of that name).
 */
export const ESP_TOKEN_TAGS = {
  /** Merge tags are upper-case letters, digits and underscores: import the column as OT_TOKEN. */
  mailchimp: '*|OT_TOKEN|*',
  /** A personalization string naming the sendable data extension's column. */
  sfmc: '%%opentime_token%%',
  /** Liquid, a custom attribute. */
  braze: '{{custom_attribute.${opentime_token}}}',
  /** Django-style template tag, a profile property. */
  klaviyo: "{{ person|lookup:'opentime_token' }}",
} as const;

export type Esp = keyof typeof ESP_TOKEN_TAGS;
export const ESPS = Object.keys(ESP_TOKEN_TAGS) as Esp[];
