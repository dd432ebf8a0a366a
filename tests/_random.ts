// Copyright 2026 the moonwire authors. MIT license.
// Seeded randomness for the tests' random-input cases: the project's one
// mulberry32 (cnet/_prng.ts), so every seeded test draws the same sequence
// from the same seed. Not for anything secret.
export { mulberry32 } from "../cnet/_prng.ts";
