// Copyright 2026 the moonwire authors. MIT license.
/**
 * Network addresses of the polling API (Pragtical `net.address`).
 *
 * @module
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { Notifier, waitUntil } from "./_poll_wait.ts";

/**
 * The state of a background operation in the polling API: name resolution
 * ({@linkcode Address}) or connecting (`Tcp`). The error message of a
 * `"failure"` is in the object's `error` property.
 */
export type PollStatus = "success" | "waiting" | "failure";

/**
 * Options of the polling API's waits (`Address.waitUntilResolved`,
 * `Tcp.waitUntilConnected`, `Tcp.waitUntilDrained`), after the seed's
 * positional timeout.
 *
 * @example Give up a wait from elsewhere
 * ```ts
 * import type { PollWaitOptions } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const controller = new AbortController();
 * const options: PollWaitOptions = { signal: controller.signal };
 * assert.equal(options.signal?.aborted, false);
 * ```
 */
export interface PollWaitOptions {
  /**
   * Ends the wait at once: the promise rejects with a `DOMException` named
   * `"AbortError"` (message `Cannot <wait>: aborted`, `cause` the signal's
   * reason), also when the signal fired before the call. Only the wait
   * ends: what it waited for (a lookup, a connection, a drain) goes on.
   */
  signal?: AbortSignal;
}

/** Options for {@linkcode Address}. */
export interface AddressOptions {
  /** The IP address, when already known: no lookup is made. */
  ip?: string;
}

/**
 * A network address: a host name or IP address and, once resolved, its IP.
 * Name resolution runs in the background with the system resolver
 * (getaddrinfo, so the hosts file counts), IPv4 first.
 *
 * @example Resolve a name from the hosts file
 * ```ts
 * import { Address } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const address = new Address("localhost");
 * assert.equal(await address.waitUntilResolved(-1), "success");
 * assert.equal(address.getIp(), "127.0.0.1");
 * ```
 */
export class Address {
  #hostname: string;
  #ip: string | null = null;
  #status: PollStatus = "waiting";
  #error: Error | null = null;
  #notifier = new Notifier();

  /**
   * Creates an address and starts resolving it unless it is an IP literal or
   * `options.ip` is given. Prefer {@linkcode resolveAddress}.
   *
   * @param hostname A host name or an IPv4/IPv6 address.
   * @param options The IP, when already known.
   */
  constructor(hostname: string, options: AddressOptions = {}) {
    if (typeof hostname !== "string") {
      throw new TypeError(
        `Cannot resolve address: hostname must be a string, got ${typeof hostname}`,
      );
    }
    if (hostname.length === 0) {
      throw new TypeError("Cannot resolve address: hostname is empty");
    }
    this.#hostname = hostname;
    const known = options.ip ?? (isIP(hostname) !== 0 ? hostname : undefined);
    if (known !== undefined) {
      if (isIP(known) === 0) {
        throw new TypeError(
          `Cannot resolve address: ${known} is not an IP address`,
        );
      }
      this.#ip = known;
      this.#status = "success";
      return;
    }
    lookup(hostname, { order: "ipv4first" }).then(
      (result) => {
        this.#ip = result.address;
        this.#status = "success";
        this.#notifier.notify();
      },
      (error: unknown) => {
        this.#error = new Error(
          `Cannot resolve ${hostname}: ${
            error instanceof Error ? error.message : String(error)
          }`,
          { cause: error },
        );
        this.#status = "failure";
        this.#notifier.notify();
      },
    );
  }

  /**
   * The host name or IP address this address was made from.
   *
   * @returns The initial host name.
   *
   * @example Hostname
   * ```ts
   * import { resolveAddress } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(resolveAddress("127.0.0.1").getHostname(), "127.0.0.1");
   * ```
   */
  getHostname(): string {
    return this.#hostname;
  }

  /**
   * The resolved IP address, or `null` while waiting or after a failure.
   *
   * @returns The IP address or `null`.
   *
   * @example IP of a literal
   * ```ts
   * import { resolveAddress } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(resolveAddress("::1").getIp(), "::1");
   * ```
   */
  getIp(): string | null {
    return this.#ip;
  }

  /**
   * The resolve status now, without waiting. On `"failure"` see `error`.
   *
   * @returns `"success"`, `"waiting"` or `"failure"`.
   *
   * @example Literals resolve at once
   * ```ts
   * import { resolveAddress } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * assert.equal(resolveAddress("127.0.0.1").getStatus(), "success");
   * ```
   */
  getStatus(): PollStatus {
    return this.#status;
  }

  /** Why resolving failed (status `"failure"`), else `null`. */
  get error(): Error | null {
    return this.#error;
  }

  /**
   * Waits up to `timeout` ms for the lookup to finish: 0 checks once, -1
   * waits until it finishes.
   *
   * @param timeout Milliseconds; default 0.
   * @param options An abort signal that ends the wait (the lookup goes on).
   * @returns The status after waiting.
   * @throws {DOMException} An `AbortError` when `options.signal` fires.
   *
   * @example A failed lookup
   * ```ts
   * import { resolveAddress } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const address = resolveAddress("no-such-host.invalid");
   * assert.equal(await address.waitUntilResolved(-1), "failure");
   * assert.match(address.error!.message, /^Cannot resolve no-such-host.invalid: /);
   * ```
   *
   * @example Abort the wait
   * ```ts
   * import { resolveAddress } from "@moonwire/moonwire/net";
   * import assert from "node:assert/strict";
   *
   * const address = resolveAddress("localhost");
   * const signal = AbortSignal.abort();
   * await assert.rejects(address.waitUntilResolved(-1, { signal }), {
   *   name: "AbortError",
   *   message: "Cannot wait for address: aborted",
   * });
   * await address.waitUntilResolved(-1);
   * ```
   */
  async waitUntilResolved(
    timeout = 0,
    options: PollWaitOptions = {},
  ): Promise<PollStatus> {
    await waitUntil(
      "wait for address",
      () => this.#status !== "waiting",
      timeout,
      options,
      this.#notifier,
    );
    return this.#status;
  }

  /**
   * The host name, as in the seed's `__tostring`.
   *
   * @returns The initial host name.
   */
  toString(): string {
    return this.#hostname;
  }
}

/**
 * Starts resolving a host name or IP address with the system resolver.
 * Returns at once; poll with `getStatus()` or wait with `waitUntilResolved()`.
 *
 * @param address A host name (hosts file and DNS) or an IP address.
 * @returns The address, resolving in the background.
 *
 * @example Resolve and wait
 * ```ts
 * import { resolveAddress } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const address = resolveAddress("localhost");
 * assert.equal(await address.waitUntilResolved(5000), "success");
 * assert.equal(String(address), "localhost");
 * ```
 */
export function resolveAddress(address: string): Address {
  return new Address(address);
}
