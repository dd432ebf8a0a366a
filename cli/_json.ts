// Copyright 2026 the moonwire authors. MIT license.
// JSON on the command line, to and from Lua-style tables. Byte strings have
// no JSON form: they print as {"$base64": "..."} and that shape is read back
// as bytes, so a table printed by `mm listen` can be sent again as it is.
import { UsageError } from "./_usage_error.ts";

function replace(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $base64: value.toBase64() };
  if (value instanceof Map) return Object.fromEntries(value);
  return value === undefined ? null : value;
}

function revive(_key: string, value: unknown): unknown {
  if (
    typeof value === "object" && value !== null && !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { $base64?: unknown }).$base64 === "string"
  ) {
    try {
      return Uint8Array.fromBase64((value as { $base64: string }).$base64);
    } catch {
      return value;
    }
  }
  return value;
}

/** `value` as one line of JSON, byte strings as `{"$base64": ...}`. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, replace);
}

/** Parses a JSON argument, or throws a UsageError naming it. */
export function parseJsonArgument(label: string, text: string): unknown {
  try {
    return JSON.parse(text, revive);
  } catch (error) {
    throw new UsageError(
      `${label} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

/** Parses a JSON table (object or array), or throws a UsageError. */
export function parseJsonTable(
  label: string,
  text: string,
): Record<string, unknown> | unknown[] {
  const value = parseJsonArgument(label, text);
  if (
    typeof value !== "object" || value === null || value instanceof Uint8Array
  ) {
    throw new UsageError(`${label} must be a JSON object or array`);
  }
  return value as Record<string, unknown> | unknown[];
}
