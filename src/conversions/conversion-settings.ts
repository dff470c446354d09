import type { AttributionModel } from '../storage/ports/orders';
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from './order-intake';

/**
 * How conversions are credited and accepted (README "Conversions and
 * revenue"): OPENTIME_ATTRIBUTION_WINDOW_DAYS, OPENTIME_ATTRIBUTION_MODEL and
 * OPENTIME_CONVERSION_SECRET, validated with the rest of the config.
 */
export interface ConversionSettings {
  /** How long before an order a click or open may be credited with it. */
  windowDays: number;
  /** Which touch the report credits: the last click (default) or the last human open. */
  model: AttributionModel;
  /** Signs conversion pixel URLs (HMAC-SHA256); absent: the pixel records nothing. */
  pixelSecret?: string;
}

export const DEFAULT_CONVERSION_SETTINGS: ConversionSettings = { windowDays: DEFAULT_ATTRIBUTION_WINDOW_DAYS, model: 'last_click' };
