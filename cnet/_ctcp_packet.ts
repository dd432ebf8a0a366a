// Copyright 2026 the moonwire authors. MIT license.
// The CTCP wire format: string-keyed tables
//   { __ctcp: kind, c: connection id, o: sent by the initiator, s: seq, a: ack, d?: data }
// and their validation. The engine (_ctcp_engine.ts) speaks it.
import type { LuaValue } from "./_cnet_lua_value.ts";

/** Packet kinds on the wire. */
export const CtcpKind = {
  SYN: 1,
  SYN_ACK: 2,
  ACK: 3,
  DATA: 4,
  FIN: 5,
  FIN_ACK: 6,
  RST: 7,
} as const;
export type Kind = typeof CtcpKind[keyof typeof CtcpKind];

/** The key that marks a table as a CTCP packet. */
export const CTCP_MARKER = "__ctcp";

export interface ParsedPacket {
  kind: Kind;
  id: number;
  fromInitiator: boolean;
  seq: number;
  ack: number;
  data: LuaValue;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    !Array.isArray(value) && !(value instanceof Map) &&
    !(value instanceof Uint8Array);
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Whether a received value is meant for CTCP (it carries the marker key). */
export function isCtcpPacket(value: unknown): boolean {
  return isRecord(value) && Object.hasOwn(value, CTCP_MARKER);
}

export function parsePacket(
  value: Record<string, unknown>,
): ParsedPacket | null {
  const kind = value[CTCP_MARKER];
  const { c, o, s, a } = value;
  if (
    typeof kind !== "number" || !Number.isInteger(kind) || kind < 1 ||
    kind > 7 || typeof c !== "number" || !Number.isInteger(c) || c < 0 ||
    c > 0xffffffff || typeof o !== "boolean" || !isSeq(s) || !isSeq(a)
  ) return null;
  const data = value.d ?? null;
  if (kind !== CtcpKind.DATA && data !== null) return null;
  return {
    kind: kind as Kind,
    id: c,
    fromInitiator: o,
    seq: s,
    ack: a,
    data: data as LuaValue,
  };
}
