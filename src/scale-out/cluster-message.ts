/**
 * Whether an IPC message between the cluster's primary and its workers is of
 * `type` (node:cluster delivers every process.send to every 'message'
 * listener, ours and prom-client's alike). The fields are the sender's, this
 * same code's; a parser checks what it reads from them.
 */
export function isClusterMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
