// Copyright 2026 the moonwire authors. MIT license.

/**
 * Result codes of {@linkcode CNetNode.register} (seed 001 returns an
 * integer).
 *
 * | name | code | meaning |
 * | --- | --- | --- |
 * | `SUCCESS` | 0 | the account was created |
 * | `CONNECT_FAILED` | 1 | no connection to the server |
 * | `NOT_ACKNOWLEDGED` | 2 | the request was not acknowledged or not answered |
 * | `DISCONNECT_NOT_ACKNOWLEDGED` | 3 | created, but the close was not acknowledged |
 * | `NAME_TAKEN` | 4 | a user with that name exists |
 * | `REFUSED` | 5 | registration is off, the server's limit is reached, or the name or password is invalid |
 *
 * @example Codes
 * ```ts
 * import { RegisterResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(RegisterResult.NAME_TAKEN, 4);
 * ```
 */
export const RegisterResult = {
  SUCCESS: 0,
  CONNECT_FAILED: 1,
  NOT_ACKNOWLEDGED: 2,
  DISCONNECT_NOT_ACKNOWLEDGED: 3,
  NAME_TAKEN: 4,
  REFUSED: 5,
} as const;

/**
 * One of the {@linkcode RegisterResult} codes.
 *
 * @example A typed code
 * ```ts
 * import { RegisterResult } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const code: RegisterResult = RegisterResult.SUCCESS;
 * assert.equal(code, 0);
 * ```
 */
export type RegisterResult = typeof RegisterResult[keyof typeof RegisterResult];
