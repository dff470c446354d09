/** Thrown by a kind's resolve when the data a block needs is not there: the block's fallback is shown. */
export class HoldBack extends Error {
  override name = 'HoldBack';
  constructor(readonly reason: string) {
    super(reason);
  }
}
