import type { KindSamples } from '../kind';
import type { BannerView } from './index';

const url = 'https://shop.example/rewards';
const picture = 'https://opentime.test/demo/products/wool-overcoat-camel.png';

export const bannerSamples: KindSamples<BannerView> = [
  {
    name: 'personal',
    view: { kind: 'banner', headline: 'Welcome back, Lena', subline: 'You have 15,200 points waiting.', cta: { label: 'See your rewards', url }, image: null },
  },
  {
    name: 'generic',
    view: { kind: 'banner', headline: 'Hello!', subline: 'Good to see you again.', cta: { label: 'Shop now', url }, image: null },
  },
  {
    name: 'over a picture',
    view: { kind: 'banner', headline: 'Welcome back, Emma', subline: 'Your winter edit is here.', cta: { label: 'See the edit', url }, image: picture },
  },
  {
    name: 'picture contained',
    view: { kind: 'banner', headline: 'Welcome back, Emma', subline: 'Your winter edit is here.', cta: { label: 'See the edit', url }, image: picture },
    theme: { pictureFit: 'contain', pictureFocus: 'right' },
  },
  {
    name: 'picture failed to load',
    view: { kind: 'banner', headline: 'Welcome back, Emma', subline: 'Your winter edit is here.', cta: { label: 'See the edit', url }, image: picture },
    missingImages: [picture],
  },
  {
    name: 'headline only',
    view: { kind: 'banner', headline: 'Hello, Oliver!', subline: '', cta: { label: '', url }, image: null },
  },
  {
    name: 'long German headline',
    view: {
      kind: 'banner',
      headline: 'Willkommen zurück, Lena: deine Winterauswahl mit Mänteln und Strick ist da',
      subline: 'Du hast 15.200 Punkte, die du dafür einlösen kannst.',
      cta: { label: 'Zu deinen Prämien', url },
      image: null,
    },
  },
  {
    name: 'right to left',
    view: { kind: 'banner', headline: 'مرحبًا بعودتك يا ليلى', subline: 'لديك ١٥٬٢٠٠ نقطة بانتظارك.', cta: { label: 'شاهدي مكافآتك', url }, image: null },
  },
];
