// Copyright 2026 the moonwire authors. MIT license.
// Noise handshake patterns (revision 34, §7 and §9): the standard patterns as
// token strings, a parser for them, and the PSK modifier.

/** A handshake token of a message pattern. */
export type NoiseToken = "e" | "s" | "ee" | "es" | "se" | "ss" | "psk";

/** A parsed handshake pattern with its modifiers applied. */
export interface NoisePattern {
  /** Full pattern name including modifiers, e.g. `NNpsk0+psk2`. */
  readonly name: string;
  /** Tokens of the initiator's pre-message (`-> s`), usually empty. */
  readonly initiatorPreMessage: readonly NoiseToken[];
  /** Tokens of the responder's pre-message (`<- s`), usually empty. */
  readonly responderPreMessage: readonly NoiseToken[];
  /** Message patterns; even indexes go initiator → responder. */
  readonly messages: readonly (readonly NoiseToken[])[];
  /** One-way pattern (N, K, X and their modifications). */
  readonly oneWay: boolean;
  /** Number of `psk` tokens, i.e. PSKs the handshake consumes. */
  readonly pskCount: number;
  /** Whether the initiator has a static key pair in this pattern. */
  readonly initiatorHasStatic: boolean;
  /** Whether the responder has a static key pair in this pattern. */
  readonly responderHasStatic: boolean;
}

// The fundamental one-way (§7.4), interactive (§7.5) and deferred (§7.6)
// patterns. "..." separates the pre-messages from the handshake messages.
const PATTERNS: Readonly<Record<string, string>> = {
  N: "<- s ... -> e, es",
  K: "-> s <- s ... -> e, es, ss",
  X: "<- s ... -> e, es, s, ss",
  NN: "-> e <- e, ee",
  NK: "<- s ... -> e, es <- e, ee",
  NX: "-> e <- e, ee, s, es",
  XN: "-> e <- e, ee -> s, se",
  XK: "<- s ... -> e, es <- e, ee -> s, se",
  XX: "-> e <- e, ee, s, es -> s, se",
  KN: "-> s ... -> e <- e, ee, se",
  KK: "-> s <- s ... -> e, es, ss <- e, ee, se",
  KX: "-> s ... -> e <- e, ee, se, s, es",
  IN: "-> e, s <- e, ee, se",
  IK: "<- s ... -> e, es, s, ss <- e, ee, se",
  IX: "-> e, s <- e, ee, se, s, es",
  NK1: "<- s ... -> e <- e, ee, es",
  NX1: "-> e <- e, ee, s -> es",
  X1N: "-> e <- e, ee -> s <- se",
  X1K: "<- s ... -> e, es <- e, ee -> s <- se",
  XK1: "<- s ... -> e <- e, ee, es -> s, se",
  X1K1: "<- s ... -> e <- e, ee, es -> s <- se",
  X1X: "-> e <- e, ee, s, es -> s <- se",
  XX1: "-> e <- e, ee, s -> es, s, se",
  X1X1: "-> e <- e, ee, s -> es, s <- se",
  K1N: "-> s ... -> e <- e, ee -> se",
  K1K: "-> s <- s ... -> e, es <- e, ee -> se",
  KK1: "-> s <- s ... -> e <- e, ee, se, es",
  K1K1: "-> s <- s ... -> e <- e, ee, es -> se",
  K1X: "-> s ... -> e <- e, ee, s, es -> se",
  KX1: "-> s ... -> e <- e, ee, se, s -> es",
  K1X1: "-> s ... -> e <- e, ee, s -> se, es",
  I1N: "-> e, s <- e, ee -> se",
  I1K: "<- s ... -> e, es, s <- e, ee -> se",
  IK1: "<- s ... -> e, s <- e, ee, se, es",
  I1K1: "<- s ... -> e, s <- e, ee, es -> se",
  I1X: "-> e, s <- e, ee, s, es -> se",
  IX1: "-> e, s <- e, ee, se, s -> es",
  I1X1: "-> e, s <- e, ee, s -> se, es",
};

const ONE_WAY = new Set(["N", "K", "X"]);
const TOKENS = new Set<string>(["e", "s", "ee", "es", "se", "ss"]);

/** Names of the supported fundamental patterns. */
export const NOISE_PATTERN_NAMES: readonly string[] = Object.keys(PATTERNS);

interface Segment {
  initiator: boolean;
  tokens: NoiseToken[];
}

// Splits "-> e, es <- e, ee" into direction-tagged token lists.
function parseSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  for (const part of text.trim().split(/\s*(?=->|<-)/)) {
    if (part === "") continue;
    const initiator = part.startsWith("->");
    const tokens = part.slice(2).split(",").map((t) => t.trim()).filter((t) =>
      t !== ""
    );
    for (const token of tokens) {
      if (!TOKENS.has(token)) {
        throw new SyntaxError(
          `Cannot parse Noise pattern: unknown token "${token}"`,
        );
      }
    }
    segments.push({ initiator, tokens: tokens as NoiseToken[] });
  }
  return segments;
}

/**
 * Parses a pattern name with optional modifiers (`XXpsk3`, `NNpsk0+psk2`).
 *
 * @param name The pattern part of a protocol name.
 * @returns The parsed pattern.
 * @throws {SyntaxError} When the modifier list does not parse.
 * @throws {TypeError} When the base pattern or a modifier is unsupported.
 */
export function parseNoisePattern(name: string): NoisePattern {
  const match = /^([A-Z][A-Z0-9]*?)((?:[a-z][a-z0-9]*)(?:\+[a-z][a-z0-9]*)*)?$/
    .exec(name);
  if (match === null) {
    throw new SyntaxError(
      `Cannot parse Noise pattern: "${name}" is not a pattern name`,
    );
  }
  const base = match[1];
  const source = PATTERNS[base];
  if (source === undefined) {
    throw new TypeError(
      `Cannot parse Noise pattern: unsupported handshake pattern "${base}"`,
    );
  }
  const [pre, body] = source.includes("...")
    ? source.split("...")
    : ["", source];
  const preSegments = parseSegments(pre);
  const segments = parseSegments(body);
  segments.forEach((segment, i) => {
    // Our tables always alternate, initiator first; guard the invariant.
    if (segment.initiator !== (i % 2 === 0)) {
      throw new SyntaxError(
        `Cannot parse Noise pattern: "${base}" does not alternate directions`,
      );
    }
  });
  const messages = segments.map((s) => [...s.tokens]);
  const initiatorPreMessage = preSegments.find((s) => s.initiator)?.tokens ??
    [];
  const responderPreMessage = preSegments.find((s) => !s.initiator)?.tokens ??
    [];

  const modifiers = match[2] === undefined ? [] : match[2].split("+");
  const seen = new Set<number>();
  let pskCount = 0;
  for (const modifier of modifiers) {
    const psk = /^psk(0|[1-9][0-9]*)$/.exec(modifier);
    if (psk === null) {
      throw new TypeError(
        `Cannot parse Noise pattern: unsupported modifier "${modifier}" in "${name}"`,
      );
    }
    const index = Number(psk[1]);
    if (index > messages.length || seen.has(index)) {
      throw new TypeError(
        `Cannot parse Noise pattern: modifier "${modifier}" does not fit "${base}" with ${messages.length} messages`,
      );
    }
    seen.add(index);
    if (index === 0) messages[0].unshift("psk");
    else messages[index - 1].push("psk");
    pskCount++;
  }

  const all = (initiator: boolean) => [
    ...(initiator ? initiatorPreMessage : responderPreMessage),
    ...messages.filter((_, i) => (i % 2 === 0) === initiator).flat(),
  ];
  return {
    name,
    initiatorPreMessage,
    responderPreMessage,
    messages,
    oneWay: ONE_WAY.has(base),
    pskCount,
    initiatorHasStatic: all(true).includes("s"),
    responderHasStatic: all(false).includes("s"),
  };
}
