/**
 * A service a setting names (OPENTIME_REDIS_URL, OPENTIME_DATABASE_URL) that
 * does not answer, or refuses us, at start-up. Its message is one line naming the setting
 * (never its password), the address and what failed; start-up prints it
 * without a stack (startup-failure.ts), as it does a port in use.
 */
export class ServiceUnreachableError extends Error {
  override name = 'ServiceUnreachableError';
}

/** A service URL as it may appear in a log or an error: the password replaced. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
