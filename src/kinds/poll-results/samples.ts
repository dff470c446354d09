import type { KindSamples } from '../kind';
import type { PollResultsView } from './index';

const cta = { label: 'Have your say', url: 'https://shop.example/style-survey' };

export const pollResultsSamples: KindSamples<PollResultsView> = [
  {
    name: 'votes in',
    view: {
      kind: 'poll-results',
      pollId: 'style-poll',
      question: 'Which look should lead our next drop?',
      answers: [
        { id: 'classic', label: 'Timeless classics', count: 7, percent: 58, percentText: '58%' },
        { id: 'bold', label: 'Bold colour', count: 4, percent: 33, percentText: '33%' },
        { id: 'minimal', label: 'Clean minimal', count: 1, percent: 9, percentText: '9%' },
      ],
      totalText: '12 votes',
      cta,
    },
  },
  {
    name: 'no votes yet',
    view: {
      kind: 'poll-results',
      pollId: 'email-rating',
      question: 'How useful was this email?',
      answers: ['1', '2', '3', '4', '5'].map((id) => ({ id, label: id, count: 0, percent: 0, percentText: '0%' })),
      totalText: 'No votes yet',
      cta,
    },
  },
  {
    name: 'right to left',
    view: {
      kind: 'poll-results',
      pollId: 'style-poll',
      question: 'أي إطلالة تفضلين؟',
      answers: [
        { id: 'classic', label: 'كلاسيكية', count: 2, percent: 67, percentText: '٦٧٪' },
        { id: 'bold', label: 'ألوان جريئة', count: 1, percent: 33, percentText: '٣٣٪' },
      ],
      totalText: '٣ أصوات',
      cta: { label: 'شاركي برأيك', url: cta.url },
    },
  },
];
