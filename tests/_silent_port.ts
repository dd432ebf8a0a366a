// Copyright 2026 the moonwire authors. MIT license.
// A loopback port whose accept backlog is full: the kernel answers no
// further SYN, so a connect to it waits until its own timeout.

/** A listening port that never answers a connect; dispose to free it. */
export interface SilentPort extends Disposable {
  port: number;
}

/** Fills a fresh listener's backlog until a connect hangs (500 ms). */
export async function silentPort(): Promise<SilentPort> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  for (;;) {
    const connecting = Deno.connect({
      hostname: "127.0.0.1",
      port: listener.addr.port,
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const conn = await Promise.race([
      connecting,
      new Promise<null>((resolve) => timer = setTimeout(resolve, 500, null)),
    ]);
    clearTimeout(timer);
    if (conn === null) {
      connecting.then((late) => late.close(), () => {});
      break;
    }
    conns.push(conn);
  }
  return {
    port: listener.addr.port,
    [Symbol.dispose]() {
      for (const conn of conns) conn.close();
      listener.close();
    },
  };
}
