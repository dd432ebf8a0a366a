// Copyright 2026 the moonwire authors. MIT license.
// The mm Server's listening socket: Deno.listen with an error that says
// which address failed, in house style.

/**
 * Listens on `hostname:port` (TCP). A failure is rethrown as the same error
 * class (e.g. `Deno.errors.AddrInUse`, as the Server docs promise) with the
 * message `Cannot create server on <hostname>:<port>: <reason>` and the
 * original error as `cause`.
 */
export function listenTcp(hostname: string, port: number): Deno.TcpListener {
  try {
    return Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    const original = error instanceof Error ? error : new Error(String(error));
    // "Address already in use (os error 98)" -> "address already in use".
    const text = original.message.replace(/ \(os error \d+\)$/, "");
    const reason = text.charAt(0).toLowerCase() + text.slice(1);
    const ErrorClass = original.constructor as ErrorConstructor;
    throw new ErrorClass(
      `Cannot create server on ${hostname}:${port}: ${reason}`,
      { cause: error },
    );
  }
}
