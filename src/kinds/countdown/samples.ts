import type { KindSamples } from '../kind';
import type { CountdownView } from './index';

const running: CountdownView = {
  kind: 'countdown',
  deadline: '2026-11-25T10:00:00.000Z',
  deadlineText: 'Wed, Nov 25, 5:00 AM EST',
  secondsLeft: 273_273,
  state: 'running',
  headline: 'Sale ends in',
  message: 'Ends Wed, Nov 25, 5:00 AM EST',
  units: [
    { key: 'days', value: '3', label: 'days' },
    { key: 'hours', value: '03', label: 'hours' },
    { key: 'minutes', value: '54', label: 'minutes' },
    { key: 'seconds', value: '33', label: 'seconds' },
  ],
  text: '3 days 03:54:33',
  cta: { label: 'Shop the sale', url: 'https://shop.example/sale' },
};

/** Right to left: the largest unit is drawn on the right. */
const runningArabic: CountdownView = {
  kind: 'countdown',
  deadline: '2026-11-25T10:00:00.000Z',
  deadlineText: 'الأربعاء، ٢٥ نوفمبر، ١٢:٠٠ م غرينتش+٢',
  secondsLeft: 259_200,
  state: 'running',
  headline: 'ينتهي العرض خلال',
  message: 'ينتهي الأربعاء، ٢٥ نوفمبر، ١٢:٠٠ م غرينتش+٢',
  units: [
    { key: 'days', value: '٣', label: 'أيام' },
    { key: 'hours', value: '٠٠', label: 'ساعة' },
    { key: 'minutes', value: '٠٠', label: 'دقيقة' },
    { key: 'seconds', value: '٠٠', label: 'ثانية' },
  ],
  text: '٣ أيام ٠٠:٠٠:٠٠',
  cta: { label: 'تسوق الآن', url: 'https://shop.example/sale' },
};

/** The message does not repeat the deadline, so the deadline gets a line of its own. */
const expired: CountdownView = {
  kind: 'countdown',
  deadline: '2026-11-20T10:00:00.000Z',
  deadlineText: 'Fr., 20. Nov., 11:00 MEZ',
  secondsLeft: 0,
  state: 'expired',
  headline: 'Der Sale ist vorbei',
  message: 'Neue Angebote warten auf dich.',
  units: [],
  text: '',
  cta: { label: 'Neuheiten ansehen', url: 'https://shop.example/sale' },
};

export const countdownSamples: KindSamples<CountdownView> = [
  // Wide, four boxes show the time left; narrow, the one-line `text` stands in for them.
  { name: 'running', view: running, alsoNotShown: ['text'] },
  { name: 'running, right to left', view: runningArabic, alsoNotShown: ['text'] },
  { name: 'running, narrow', view: running, theme: { width: 320, height: 220 }, alsoNotShown: ['units'] },
  { name: 'expired', view: expired },
];
