import { z } from 'zod';
import { baseBlockSchema } from '../../blocks/block-config';
import type { AmpListPayload, BlockKind, ResolveContext } from '../kind';
import { ctaSlot } from '../shared/cta-slot';
import { greetingPlaceholders, resolveGreeting } from '../shared/greeting';
import { bannerNarrowHeight, drawBanner, drawBannerNarrow } from './draw';
import { bannerSamples } from './samples';

const bannerSchema = baseBlockSchema.extend({
  kind: z.literal('banner'),
  /**
   * The picture behind the text, fitted as the theme's `pictureFit` and
   * `pictureFocus` say; fetched through the image loader like product
   * pictures (OPENTIME_IMAGE_HOSTS). Absent: the theme's accent colour.
   */
  backgroundImage: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
});
export type BannerConfig = z.infer<typeof bannerSchema>;

export interface BannerView {
  kind: 'banner';
  /** e.g. "Welcome back, Lena"; the generic headline ("Hello!") when the subscriber is unknown. */
  headline: string;
  /** Under the headline; an empty message draws none. */
  subline: string;
  /** The button; an empty label draws none (the whole picture still links to `url`). */
  cta: { label: string; url: string };
  /** The background picture's URL (the config's `backgroundImage`); null: the theme's accent colour. */
  image: string | null;
}

const defaultMessages = {
  headline: 'Welcome back, {firstName}',
  genericHeadline: 'Hello!',
  subline: 'Good to see you again.',
  genericSubline: 'Good to see you again.',
  cta: 'Shop now',
} as const;

/**
 * BANNER — a personal line of text over a picture or the brand colour, in the
 * theme's font (a brand font named in `theme.fonts`, render/brand-fonts.ts):
 * the headline and subline come from the block's messages with
 * `{firstName}` and `{points}` (the loyalty balance, formatted in the
 * reader's locale); a generic open shows the generic messages.
 */
export const bannerKind: BlockKind<'banner', BannerView, BannerConfig, { config: BannerConfig }> = {
  name: 'banner',
  configSchema: bannerSchema,
  defaultMessages,
  placeholders: greetingPlaceholders,

  prepare: (config: BannerConfig) => ({ config }),

  async resolve({ config }, context: ResolveContext): Promise<BannerView> {
    return {
      kind: 'banner',
      ...resolveGreeting(context, config.defaultUrl),
      image: config.backgroundImage ?? null,
    };
  },

  toJson(view: BannerView): AmpListPayload {
    return { items: [view] };
  },

  draw: drawBanner,
  theme: { height: 180, fontSizes: { headline: 32, body: 16 } },
  notShown: ['kind', 'url', 'image'],
  samples: bannerSamples,
  clickSlots: ctaSlot,
  narrow: { height: bannerNarrowHeight, draw: drawBannerNarrow },
  pictures: (view) => [view.image],
};
