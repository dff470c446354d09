/** Thrown by a kind's resolve when the data a block needs is not there: the block's fallback is shown. */
export class HoldBack extends Error {
  override name = 'HoldBack';
  /**
   * Nothing is missing: the records say the block does not apply (a
   * countdown in a campaign without a deadline). Shown as a rule's hold-back,
   * with no log line per open.
   */
  readonly expected: boolean;

  constructor(
    readonly reason: string,
    options: { expected?: boolean } = {},
  ) {
    super(reason);
    this.expected = options.expected ?? false;
  }
}
