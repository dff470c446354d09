import type { ClickSlots } from '../kind';

/** One click slot, the view's call to action: for kinds whose picture links nothing but its button. */
export const ctaSlot: ClickSlots<unknown, { cta: { url: string } }> = {
  count: () => 1,
  max: 1,
  urls: (view) => [view.cta.url],
};
