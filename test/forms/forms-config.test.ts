import { parseFormsConfig, type PreparedPoll } from '../../src/forms/forms-config';
import { pollResultsOf } from '../../src/forms/poll-results';
import { pollWording } from '../../src/forms/poll-wording';

const errorOf = (text: string): string => {
  try {
    parseFormsConfig(text, 'config/forms.yaml');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('the forms config (OPENTIME_FORMS)', () => {
  it('reads polls, ratings (answers 1…scale), notify-me and preferences, with default limits', () => {
    const catalog = parseFormsConfig(
      `forms:
  - { id: p, kind: poll, question: Q, answers: [{ id: a, label: A }, { id: b, label: B }], landingUrl: "https://shop.example/" }
  - { id: r, kind: rating, question: Q, scale: 3, landingUrl: "https://shop.example/" }
  - { id: n, kind: notify }
  - { id: prefs, kind: preferences, fields: [city] }
`,
      'forms.yaml',
    );
    expect(catalog.limits).toEqual({ perTokenPerMinute: 20, perAddressPerMinute: 300, maxBodyBytes: 4096 });
    expect(catalog.forms.get('p')).toMatchObject({ kind: 'poll', secondAnswer: 'change' });
    expect(catalog.forms.get('r')).toMatchObject({ kind: 'rating', answers: [{ id: '1', label: '1' }, { id: '2', label: '2' }, { id: '3', label: '3' }] });
  });

  it('names the file, the form, the path and what was expected, for every form at once, with did-you-mean', () => {
    expect(
      errorOf(`forms:
  - { id: p, kind: poll, question: Q, answer: [{ id: a, label: A }], landingUrl: "https://shop.example/" }
  - { id: n, kind: notfy }
  - { id: prefs, kind: preferences, fields: [city, loyaltyPoints] }
  - { id: p, kind: notify }
`),
    ).toBe(
      [
        'config/forms.yaml: forms[0] (id "p").answer: unknown field; did you mean "answers"?',
        'config/forms.yaml: forms[1] (id "n"): unknown kind "notfy"; expected one of: poll, rating, notify, preferences; did you mean "notify"?',
        'config/forms.yaml: forms[2] (id "prefs").fields[1]: expected one of: firstName, locale, timeZone, currency, country, city; received "loyaltyPoints"',
        'config/forms.yaml: forms[3] (id "p"): duplicate form id "p". Form ids must be unique.',
      ].join('\n'),
    );
    expect(errorOf('limits: { perTokenPerMinit: 5 }\nforms: []\n')).toBe('config/forms.yaml.limits.perTokenPerMinit: unknown field; did you mean "perTokenPerMinute"?');
  });

  const POLL = '{ id: p, kind: poll, question: Q, answers: [{ id: classic, label: Classic }, { id: bold, label: Bold }], landingUrl: "https://shop.example/"';

  it('translates a poll like block messages: the reader\'s locale, then language, then the untranslated text, each text on its own', () => {
    const catalog = parseFormsConfig(
      `forms:
  - ${POLL}, translations: { de: { question: Frage, answers: { classic: Klassisch, bold: Kräftig } }, de-CH: { answers: { bold: Chräftig } }, fr: { answers: { bold: Vif } } } }
`,
      'forms.yaml',
    );
    const poll = catalog.forms.get('p') as PreparedPoll;
    const words = (locale?: string) => {
      const wording = pollWording(poll, locale);
      return [wording.question, ...wording.labels.values()];
    };
    expect(words('de-DE')).toEqual(['Frage', 'Klassisch', 'Kräftig']);
    expect(words('de-CH')).toEqual(['Frage', 'Klassisch', 'Chräftig']);
    expect(words('fr-FR')).toEqual(['Q', 'Classic', 'Vif']);
    expect(words('ja-JP')).toEqual(['Q', 'Classic', 'Bold']);
    expect(words(undefined)).toEqual(['Q', 'Classic', 'Bold']);
    expect(pollResultsOf(poll, { bold: 3, classic: 1 }, 'de-AT')).toEqual({
      question: 'Frage',
      total: 4,
      answers: [
        { id: 'classic', label: 'Klassisch', count: 1, percent: 25 },
        { id: 'bold', label: 'Kräftig', count: 3, percent: 75 },
      ],
    });
  });

  it('a translation of an answer the poll does not have, or under something that is no language tag, is refused by path', () => {
    expect(
      errorOf(`forms:
  - ${POLL}, translations: { de: { answers: { clasic: Klassisch } }, German: { question: Frage } } }
  - { id: r, kind: rating, question: Q, scale: 3, landingUrl: "https://shop.example/", translations: { fr: { answers: { "4": Quatre }, questoin: Q } } }
`),
    ).toBe(
      [
        'config/forms.yaml: forms[0] (id "p").translations.de.answers.clasic: unknown answer "clasic"; expected one of: classic, bold; did you mean "classic"?; received "Klassisch"',
        'config/forms.yaml: forms[0] (id "p").translations.German: "German" is not a language or locale tag; expected one such as de or de-CH; received {"question":"Frage"}',
        'config/forms.yaml: forms[1] (id "r").translations.fr.questoin: unknown field; did you mean "question"?',
        'config/forms.yaml: forms[1] (id "r").translations.fr.answers.4: unknown answer "4"; expected one of: 1, 2, 3; received "Quatre"',
      ].join('\n'),
    );
  });
});
