import type { KindSamples } from '../kind';
import type { CalloutView } from './index';

const url = 'https://shop.example/winter';

export const calloutSamples: KindSamples<CalloutView> = [
  {
    name: 'personal',
    view: { kind: 'callout', headline: 'Emma, your winter edit is here', subline: 'You have 2,750 points to spend on it.', cta: { label: 'See the edit', url } },
  },
  {
    name: 'generic',
    view: { kind: 'callout', headline: 'Your winter edit is here', subline: 'New coats and knitwear, picked for the cold days ahead.', cta: { label: 'See the edit', url } },
  },
  {
    name: 'long German headline',
    view: {
      kind: 'callout',
      headline: 'Lena, deine Winterauswahl ist da: Mäntel, Strick und alles für die kalten Tage',
      subline: 'Du hast 15.200 Punkte, die du dafür einlösen kannst.',
      cta: { label: 'Zur Auswahl', url },
    },
  },
  {
    name: 'right to left',
    view: { kind: 'callout', headline: 'ليلى، تشكيلة الشتاء وصلت', subline: 'لديك ١٥٬٢٠٠ نقطة لتستخدميها.', cta: { label: 'شاهدي التشكيلة', url } },
  },
];
