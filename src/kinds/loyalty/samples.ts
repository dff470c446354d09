import type { KindSamples } from '../kind';
import type { LoyaltyView } from './index';

const midTier: LoyaltyView = {
  kind: 'loyalty',
  greeting: 'Hi Emma, you are a Gold member',
  points: '2,750',
  balance: '2,750 points',
  member: true,
  tier: 'Gold',
  nextTier: 'Platinum',
  progress: 0.0333,
  progressPercent: '3%',
  progressText: '7,250 points to Platinum',
  cta: { label: 'Use your points', url: 'https://shop.example/rewards' },
};

const topTier: LoyaltyView = {
  kind: 'loyalty',
  greeting: 'Hallo Lena, du bist Platinum-Mitglied',
  points: '15.200',
  balance: '15.200 Punkte',
  member: true,
  tier: 'Platinum',
  nextTier: null,
  progress: 1,
  progressPercent: '100 %',
  progressText: 'Du hast unsere höchste Stufe erreicht',
  cta: { label: 'Punkte einlösen', url: 'https://shop.example/rewards' },
};

const newMemberRightToLeft: LoyaltyView = {
  kind: 'loyalty',
  greeting: 'مرحبًا ليلى، أنت عضو برونزي',
  points: '٠',
  balance: '٠ نقطة',
  member: true,
  tier: 'برونزي',
  nextTier: 'فضي',
  progress: 0,
  progressPercent: '٠٪؜',
  progressText: '١٬٠٠٠ نقطة للوصول إلى فضي',
  cta: { label: 'استخدم نقاطك', url: 'https://shop.example/rewards' },
};

/** Below the first tier's threshold: the pill says so and the bar runs to the first tier. */
const notMemberYet: LoyaltyView = {
  kind: 'loyalty',
  greeting: 'Hi Noah, welcome to our rewards club',
  points: '40',
  balance: '40 points',
  member: false,
  tier: 'Not a member yet',
  nextTier: 'Bronze',
  progress: 0.4,
  progressPercent: '40%',
  progressText: '60 points to Bronze',
  cta: { label: 'Start earning points', url: 'https://shop.example/rewards' },
};

export const loyaltySamples: KindSamples<LoyaltyView> = [
  { name: 'mid tier', view: midTier },
  { name: 'top tier', view: topTier },
  { name: 'new member, right to left', view: newMemberRightToLeft },
  { name: 'not a member yet', view: notMemberYet },
];
