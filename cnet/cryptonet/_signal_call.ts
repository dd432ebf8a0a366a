// Copyright 2026 the moonwire authors. MIT license.
// How the node's network waits (connect, discover, requestCertificate,
// login) honour `{ signal }` at the face: the unit underneath keeps running
// to its own end, so an abort rejects at once and whatever the unit still
// produces is handed to `discard` (a late socket closed, a late login logged
// out, a late answer dropped).
import { abortable, checkSignal, throwIfAborted } from "../../net/_abort.ts";

/**
 * Runs `start()` under `signal`: a non-AbortSignal is a TypeError, a fired
 * signal rejects before anything starts, a later abort rejects at once with
 * `Cannot <action>: aborted` and passes a late result to `discard`.
 */
export async function withSignal<T>(
  action: string,
  signal: unknown,
  start: () => Promise<T>,
  discard: (late: T) => unknown = () => {},
): Promise<T> {
  const checked = checkSignal(signal, action);
  throwIfAborted(checked, action);
  const running = start();
  return await abortable(running, checked, action, () => {
    // A late failure, or one of the clean-up itself, has nobody to go to.
    running.then(discard).catch(() => {});
  });
}
