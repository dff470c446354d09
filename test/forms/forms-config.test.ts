import { parseFormsConfig } from '../../src/forms/forms-config';

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
});
