// Copyright 2026 the moonwire authors. MIT license.
// `register` on both ends: the server's policy per hosted server and its
// handler of the reserved path, and the client's mapping of the response to
// a RegisterResult code.
import type { LuaValue } from "../net/table_codec.ts";
import type { CryptoNetNode, Server, Socket } from "./_cnet_cryptonet.ts";
import { pathSegments } from "./_cttp_router.ts";
import type { ConnectAndSendCttpRequestResult } from "./cnet_node_types.ts";
import type { CtcpConnection } from "./ctcp_connection.ts";
import { CttpRequest } from "./cttp_request.ts";
import { CttpRequestMethod } from "./cttp_request_method.ts";
import { CttpResponse } from "./cttp_response.ts";
import { CttpStatus } from "./cttp_status.ts";
import { RegisterResult } from "./register_result.ts";

/** Requests under this path are the node's own (registration). */
const RESERVED_PREFIX = ".cnet";
/** The path `register` posts to. */
export const REGISTER_PATH = "/.cnet/register";
const DEFAULT_MAX_REGISTERED = 10_000;

interface RegistrationPolicy {
  allow: boolean;
  max: number;
  count: number;
  inFlight: Set<string>;
}

/** Throws when a REST handler path is under the reserved prefix. */
export function checkRestPath(path: unknown): void {
  if (typeof path === "string" && pathSegments(path)[0] === RESERVED_PREFIX) {
    throw new RangeError(
      `Cannot set REST handler: paths under /${RESERVED_PREFIX} are reserved`,
    );
  }
}

/** Checks the `maxRegisteredUsers` host option before the server is hosted. */
export function checkMaxRegisteredUsers(value: unknown): void {
  if (
    value !== undefined && (!Number.isInteger(value) || (value as number) < 0)
  ) {
    throw new RangeError(
      `Cannot host server: maxRegisteredUsers must be a non-negative integer, got ${value}`,
    );
  }
}

/** The request `register` sends. */
export function registerRequest(
  username: unknown,
  password: unknown,
): CttpRequest {
  if (typeof username !== "string" || typeof password !== "string") {
    throw new TypeError(
      "Cannot register: username and password must be strings",
    );
  }
  return new CttpRequest(CttpRequestMethod.POST, REGISTER_PATH, {}, {
    username,
    password,
  });
}

/** The `register` code of the request's outcome. */
export function registerResult(
  result: ConnectAndSendCttpRequestResult,
): RegisterResult {
  if (!result.connected) return RegisterResult.CONNECT_FAILED;
  const code = result.response?.statusCode;
  if (code === undefined) return RegisterResult.NOT_ACKNOWLEDGED;
  if (code === CttpStatus.CONFLICT.code) return RegisterResult.NAME_TAKEN;
  if (code !== CttpStatus.CREATED.code) return RegisterResult.REFUSED;
  return result.disconnectAcknowledged
    ? RegisterResult.SUCCESS
    : RegisterResult.DISCONNECT_NOT_ACKNOWLEDGED;
}

/** The server side: each hosted server's policy and the request handler. */
export class Registrations {
  readonly #cryptoNet: CryptoNetNode;
  // Keyed by the server object so a closed server's policy goes with it.
  readonly #policies = new WeakMap<Server, RegistrationPolicy>();

  constructor(cryptoNet: CryptoNetNode) {
    this.#cryptoNet = cryptoNet;
  }

  /** Sets a newly hosted server's policy (options checked beforehand). */
  add(server: Server, allow: boolean | undefined, max: number | undefined) {
    this.#policies.set(server, {
      allow: allow ?? true,
      max: max ?? DEFAULT_MAX_REGISTERED,
      count: 0,
      inFlight: new Set(),
    });
  }

  /** Answers a registration request that arrived over `connection`. */
  async serve(
    data: LuaValue,
    connection: CtcpConnection<Socket>,
  ): Promise<CttpResponse> {
    const server = connection.socket.server;
    const policy = server && this.#policies.get(server);
    if (server === undefined || policy === undefined || !policy.allow) {
      return new CttpResponse(
        CttpStatus.FORBIDDEN,
        {},
        "Registration is disabled",
      );
    }
    const fields =
      typeof data === "object" && data !== null && !Array.isArray(data) &&
        !(data instanceof Map) && !(data instanceof Uint8Array)
        ? data as Record<string, LuaValue>
        : {};
    const { username, password } = fields;
    if (
      typeof username !== "string" || username.length < 1 ||
      username.length > 64 || typeof password !== "string" ||
      password.length < 1 || password.length > 1024
    ) {
      return new CttpResponse(
        CttpStatus.BAD_REQUEST,
        {},
        "Username must be 1-64 and password 1-1024 characters",
      );
    }
    if (policy.count + policy.inFlight.size >= policy.max) {
      return new CttpResponse(
        CttpStatus.INSUFFICIENT_STORAGE,
        {},
        "Registration limit reached",
      );
    }
    const taken = new CttpResponse(
      CttpStatus.CONFLICT,
      {},
      "Username is taken",
    );
    if (policy.inFlight.has(username)) return taken;
    // Reserve the name before any await, so two registrations cannot both pass.
    policy.inFlight.add(username);
    try {
      if (await this.#cryptoNet.userExists(server, username)) return taken;
      await this.#cryptoNet.addUser(server, username, password);
      policy.count++;
    } finally {
      policy.inFlight.delete(username);
    }
    return new CttpResponse(CttpStatus.CREATED, {}, null);
  }
}
