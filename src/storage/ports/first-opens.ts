/**
 * When each subscriber first opened each campaign as a human: the moment an
 * evergreen countdown (`deadline: { afterFirstOpen: … }`, kinds/countdown)
 * counts from. Opens read and record it through recording/first-opens.ts.
 *
 * Promises every implementation keeps (test/storage/contract.ts):
 * - first writer wins, across processes: `claim` records `openedAt` only if
 *   nothing is recorded yet for the campaign and subscriber (INSERT … ON
 *   CONFLICT DO NOTHING) and resolves the moment in force, this one or the
 *   earlier one. Of any number of concurrent claims of one key, from any
 *   number of Storage instances on the same database, all resolve the same
 *   moment;
 * - a claim resolves once committed: a `get` anywhere that runs after it
 *   returns that moment, and it never changes.
 */
export interface FirstOpenStore {
  /** Epoch milliseconds of the first human open, or undefined when there has been none. */
  get(campaignId: string, subscriberId: string): Promise<number | undefined>;
  /** Records `openedAt` unless a first open is recorded; resolves the first open in force (epoch milliseconds). */
  claim(campaignId: string, subscriberId: string, openedAt: number): Promise<number>;
}
