/**
 * Fills `{name}` placeholders in a configured message with already formatted
 * values. Unknown placeholders stay visible rather than vanishing, so a typo in
 * the blocks config shows up in the first test email instead of silently.
 */
const placeholder = /\{(\w+)\}/g;

export function interpolate(template: string, values: Readonly<Record<string, string | number | null | undefined>>): string {
  if (!template.includes('{')) return template;
  return template.replace(placeholder, (match, name: string) => {
    const value = values[name];
    return value === undefined || value === null ? match : String(value);
  });
}
