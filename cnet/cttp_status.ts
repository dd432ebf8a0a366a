// Copyright 2026 the moonwire authors. MIT license.

/**
 * One CTTP status: a numeric code and its message.
 *
 * @example An entry
 * ```ts
 * import { CttpStatus, type CttpStatusEntry } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const status: CttpStatusEntry = CttpStatus.NOT_FOUND;
 * assert.deepEqual(status, { code: 404, message: "Not Found" });
 * ```
 */
export interface CttpStatusEntry {
  /** The numeric code, e.g. `404`. */
  readonly code: number;
  /** The message, e.g. `"Not Found"`. */
  readonly message: string;
}

/**
 * The statuses a CTTP response can carry (HTTP-style codes and messages).
 *
 * | name | code | message |
 * | --- | --- | --- |
 * | `CONTINUE` | 100 | Continue |
 * | `PROCESSING` | 102 | Processing |
 * | `EARLY_HINTS` | 103 | Early Hints |
 * | `OK` | 200 | OK |
 * | `CREATED` | 201 | Created |
 * | `ACCEPTED` | 202 | Accepted |
 * | `MOVED_PERMANENTLY` | 301 | Moved Permanently |
 * | `TEMPORARY_REDIRECT` | 307 | Temporary Redirect |
 * | `PERMANENT_REDIRECT` | 308 | Permanent Redirect |
 * | `BAD_REQUEST` | 400 | Bad Request |
 * | `UNAUTHORIZED` | 401 | Unauthorized |
 * | `FORBIDDEN` | 403 | Forbidden |
 * | `NOT_FOUND` | 404 | Not Found |
 * | `CONFLICT` | 409 | Conflict |
 * | `GONE` | 410 | Gone |
 * | `ENHANCE_YOUR_CALM` | 420 | Enhance Your Calm |
 * | `TOO_MANY_REQUESTS` | 429 | Too Many Requests |
 * | `TOKEN_EXPIRED` | 498 | Token Expired |
 * | `INTERNAL_SERVER_ERROR` | 500 | Internal Server Error |
 * | `NOT_IMPLEMENTED` | 501 | Not Implemented |
 * | `SERVICE_UNAVAILABLE` | 503 | Service Unavailable |
 * | `INSUFFICIENT_STORAGE` | 507 | Insufficient Storage |
 * | `WEB_SERVER_IS_DOWN` | 521 | Web Server Is Down |
 * | `CONNECTION_TIMED_OUT` | 522 | Connection Timed Out |
 *
 * @example Look up a status
 * ```ts
 * import { CttpStatus } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(CttpStatus.OK.code, 200);
 * assert.equal(CttpStatus.TOKEN_EXPIRED.message, "Token Expired");
 * ```
 */
export const CttpStatus: {
  readonly CONTINUE: { readonly code: 100; readonly message: "Continue" };
  readonly PROCESSING: { readonly code: 102; readonly message: "Processing" };
  readonly EARLY_HINTS: { readonly code: 103; readonly message: "Early Hints" };
  readonly OK: { readonly code: 200; readonly message: "OK" };
  readonly CREATED: { readonly code: 201; readonly message: "Created" };
  readonly ACCEPTED: { readonly code: 202; readonly message: "Accepted" };
  readonly MOVED_PERMANENTLY: {
    readonly code: 301;
    readonly message: "Moved Permanently";
  };
  readonly TEMPORARY_REDIRECT: {
    readonly code: 307;
    readonly message: "Temporary Redirect";
  };
  readonly PERMANENT_REDIRECT: {
    readonly code: 308;
    readonly message: "Permanent Redirect";
  };
  readonly BAD_REQUEST: { readonly code: 400; readonly message: "Bad Request" };
  readonly UNAUTHORIZED: {
    readonly code: 401;
    readonly message: "Unauthorized";
  };
  readonly FORBIDDEN: { readonly code: 403; readonly message: "Forbidden" };
  readonly NOT_FOUND: { readonly code: 404; readonly message: "Not Found" };
  readonly CONFLICT: { readonly code: 409; readonly message: "Conflict" };
  readonly GONE: { readonly code: 410; readonly message: "Gone" };
  readonly ENHANCE_YOUR_CALM: {
    readonly code: 420;
    readonly message: "Enhance Your Calm";
  };
  readonly TOO_MANY_REQUESTS: {
    readonly code: 429;
    readonly message: "Too Many Requests";
  };
  readonly TOKEN_EXPIRED: {
    readonly code: 498;
    readonly message: "Token Expired";
  };
  readonly INTERNAL_SERVER_ERROR: {
    readonly code: 500;
    readonly message: "Internal Server Error";
  };
  readonly NOT_IMPLEMENTED: {
    readonly code: 501;
    readonly message: "Not Implemented";
  };
  readonly SERVICE_UNAVAILABLE: {
    readonly code: 503;
    readonly message: "Service Unavailable";
  };
  readonly INSUFFICIENT_STORAGE: {
    readonly code: 507;
    readonly message: "Insufficient Storage";
  };
  readonly WEB_SERVER_IS_DOWN: {
    readonly code: 521;
    readonly message: "Web Server Is Down";
  };
  readonly CONNECTION_TIMED_OUT: {
    readonly code: 522;
    readonly message: "Connection Timed Out";
  };
} = {
  CONTINUE: { code: 100, message: "Continue" },
  PROCESSING: { code: 102, message: "Processing" },
  EARLY_HINTS: { code: 103, message: "Early Hints" },
  OK: { code: 200, message: "OK" },
  CREATED: { code: 201, message: "Created" },
  ACCEPTED: { code: 202, message: "Accepted" },
  MOVED_PERMANENTLY: { code: 301, message: "Moved Permanently" },
  TEMPORARY_REDIRECT: { code: 307, message: "Temporary Redirect" },
  PERMANENT_REDIRECT: { code: 308, message: "Permanent Redirect" },
  BAD_REQUEST: { code: 400, message: "Bad Request" },
  UNAUTHORIZED: { code: 401, message: "Unauthorized" },
  FORBIDDEN: { code: 403, message: "Forbidden" },
  NOT_FOUND: { code: 404, message: "Not Found" },
  CONFLICT: { code: 409, message: "Conflict" },
  GONE: { code: 410, message: "Gone" },
  ENHANCE_YOUR_CALM: { code: 420, message: "Enhance Your Calm" },
  TOO_MANY_REQUESTS: { code: 429, message: "Too Many Requests" },
  TOKEN_EXPIRED: { code: 498, message: "Token Expired" },
  INTERNAL_SERVER_ERROR: { code: 500, message: "Internal Server Error" },
  NOT_IMPLEMENTED: { code: 501, message: "Not Implemented" },
  SERVICE_UNAVAILABLE: { code: 503, message: "Service Unavailable" },
  INSUFFICIENT_STORAGE: { code: 507, message: "Insufficient Storage" },
  WEB_SERVER_IS_DOWN: { code: 521, message: "Web Server Is Down" },
  CONNECTION_TIMED_OUT: { code: 522, message: "Connection Timed Out" },
};

const BY_CODE = new Map<number, CttpStatusEntry>(
  Object.values(CttpStatus).map((entry) => [entry.code, entry]),
);

/**
 * The {@linkcode CttpStatus} entry with the given code, or `undefined` when
 * the code is not in the table.
 *
 * @param code A status code, e.g. `404`.
 * @returns The entry, or `undefined`.
 *
 * @example Find a status by code
 * ```ts
 * import { cttpStatusFromCode } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cttpStatusFromCode(409)?.message, "Conflict");
 * assert.equal(cttpStatusFromCode(418), undefined);
 * ```
 */
export function cttpStatusFromCode(code: number): CttpStatusEntry | undefined {
  return BY_CODE.get(code);
}
