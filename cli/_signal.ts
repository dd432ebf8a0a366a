// Copyright 2026 the moonwire authors. MIT license.
// Long-running commands run until SIGINT or SIGTERM. The listeners go as soon
// as one signal arrives (so a second Ctrl-C during a slow shutdown kills the
// process the usual way) or when `abort` fires (the command ended by itself).

const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];

/**
 * Resolves with the first SIGINT or SIGTERM, or with `undefined` once
 * `abort` fires.
 */
export function untilSignal(
  abort?: AbortSignal,
): Promise<Deno.Signal | undefined> {
  const { promise, resolve } = Promise.withResolvers<
    Deno.Signal | undefined
  >();
  const stop = (signal: Deno.Signal | undefined) => {
    for (const [name, added] of listeners) {
      Deno.removeSignalListener(name, added);
    }
    abort?.removeEventListener("abort", onAbort);
    resolve(signal);
  };
  const onAbort = () => stop(undefined);
  const listeners = SIGNALS.map((signal) => {
    const listener = () => stop(signal);
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  if (abort?.aborted) stop(undefined);
  else abort?.addEventListener("abort", onAbort);
  return promise;
}
