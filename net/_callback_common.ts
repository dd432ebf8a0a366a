// Copyright 2026 the moonwire authors. MIT license.
// Shared checks and helpers of the callback API (Cuberite cNetwork): argument
// validation that throws at once, error codes for onError, and the rule that
// an exception thrown by user code inside a callback never corrupts the
// library's state (it is reported as an uncaught error instead).

/** Throws unless `value` is an object whose `required` members are functions
 * and whose `optional` members, when present, are functions. */
export function assertCallbacks(
  action: string,
  what: string,
  value: unknown,
  required: readonly string[],
  optional: readonly string[] = [],
): void {
  if (typeof value !== "object" || value === null) {
    throw new TypeError(
      `Cannot ${action}: ${what} must be an object, got ${describe(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  for (const name of required) {
    if (typeof record[name] !== "function") {
      throw new TypeError(
        `Cannot ${action}: ${what}.${name} must be a function, got ${
          describe(record[name])
        }`,
      );
    }
  }
  for (const name of optional) {
    if (record[name] !== undefined && typeof record[name] !== "function") {
      throw new TypeError(
        `Cannot ${action}: ${what}.${name} must be a function, got ${
          describe(record[name])
        }`,
      );
    }
  }
}

/** Throws TypeError for a non-number and RangeError outside 0–65535. */
export function assertPort(action: string, port: unknown): number {
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${describe(port)}`,
    );
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port ${port} is out of range 0-65535`,
    );
  }
  return port;
}

/** Throws TypeError unless `value` is a string. */
export function assertString(
  action: string,
  what: string,
  value: unknown,
): string {
  if (typeof value !== "string") {
    throw new TypeError(
      `Cannot ${action}: ${what} must be a string, got ${describe(value)}`,
    );
  }
  return value;
}

/** Whether `host` has the shape of a host name or IP literal (the seed's
 * "bad hostname format" check: no resolver is asked about malformed names). */
export function isHostnameFormat(host: string): boolean {
  return host.length > 0 && host.length <= 253 &&
    /^[A-Za-z0-9._:%-]+$/.test(host) && !host.startsWith(".");
}

/** The `code` passed to onError: an errno-style `code` when the error has
 * one (`ENOTFOUND`), else the error class name (`TimeoutError`). */
export function errorCode(error: unknown): string {
  if (!(error instanceof Error)) return "Error";
  // Wrapped OS errors keep their errno code on the cause.
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
    current = current.cause;
  }
  return error.name;
}

/** The message passed to onError. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Calls user code; an exception it throws is reported as uncaught
 * (`reportError`) instead of unwinding through the library. */
export function invoke<A extends unknown[]>(
  fn: ((...args: A) => unknown) | undefined,
  thisArg: unknown,
  ...args: A
): unknown {
  if (fn === undefined) return undefined;
  try {
    return fn.apply(thisArg, args);
  } catch (error) {
    reportError(error);
    return undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The address a bind call (listen, createUdpEndpoint) binds:
 * `options.hostname`, by default `"0.0.0.0"` (all IPv4 interfaces, as
 * Cuberite does). Throws TypeError when `options` is not an object or the
 * hostname not a string. */
export function bindHostname(action: string, options: unknown): string {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action}: options must be an object`);
  }
  const hostname = (options as { hostname?: unknown }).hostname ?? "0.0.0.0";
  if (typeof hostname !== "string") {
    throw new TypeError(`Cannot ${action}: hostname must be a string`);
  }
  return hostname;
}

/** Reports a failed bind through `callbacks.onError` before the bind call
 * returns, as Cuberite does; `failed` says what failed ("Cannot listen on
 * host:port"). */
export function reportBindError(
  callbacks: { onError(code: string, message: string): void },
  error: unknown,
  failed: string,
): void {
  invoke(
    callbacks.onError,
    callbacks,
    errorCode(error),
    `${failed}: ${errorMessage(error)}`,
  );
}
