// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import {
  CtcpConnection,
  CttpRequest,
  CttpRequestMethod,
  CttpResponse,
  CttpStatus,
  cttpStatusFromCode,
  MessageEventType,
} from "../../cnet/mod.ts";

Deno.test("MessageEventType values are the CryptoNet event names", () => {
  assert.deepEqual({ ...MessageEventType }, {
    CONNECTION_CLOSED: "connection_closed",
    CONNECTION_OPENED: "connection_opened",
    ENCRYPTED_MESSAGE: "encrypted_message",
    LOGIN: "login",
    LOGIN_FAILED: "login_failed",
    LOGOUT: "logout",
    MODEM_MESSAGE: "modem_message",
    PLAIN_MESSAGE: "plain_message",
  });
  assert.deepEqual(Object.values(CttpRequestMethod), ["GET", "POST", "DELETE"]);
});

Deno.test("CttpStatus holds exactly the seed's codes", () => {
  assert.deepEqual(
    Object.values(CttpStatus).map((status) => status.code),
    [
      100,
      102,
      103,
      200,
      201,
      202,
      301,
      307,
      308,
      400,
      401,
      403,
      404,
      409,
      410,
      420,
      429,
      498,
      500,
      501,
      503,
      507,
      521,
      522,
    ],
  );
  assert.deepEqual(CttpStatus.TOKEN_EXPIRED, {
    code: 498,
    message: "Token Expired",
  });
  assert.equal(cttpStatusFromCode(522), CttpStatus.CONNECTION_TIMED_OUT);
  assert.equal(cttpStatusFromCode(999), undefined);
});

Deno.test("CttpRequest, CttpResponse and CtcpConnection construct and check their arguments", () => {
  const request = new CttpRequest("POST", "/a/b", { k: 1 }, [1, 2]);
  assert.deepEqual(
    [request.requestMethod, request.path, request.header, request.data],
    ["POST", "/a/b", { k: 1 }, [1, 2]],
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new CttpRequest(1 as any, "/"),
    {
      name: "TypeError",
      message:
        "Cannot create CTTP request: method must be a string, got number",
    },
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new CttpRequest("GET", null as any),
    {
      name: "TypeError",
      message: "Cannot create CTTP request: path must be a string, got object",
    },
  );
  const response = new CttpResponse(CttpStatus.GONE);
  assert.deepEqual(
    [
      response.statusCode,
      response.statusMessage,
      response.header,
      response.data,
    ],
    [410, "Gone", {}, null],
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new CttpResponse({ code: 1.5, message: "x" } as any),
    {
      name: "TypeError",
      message:
        "Cannot create CTTP response: status must have an integer code and a string message",
    },
  );
  const connection = new CtcpConnection({ id: "s" }, 5, 9);
  assert.deepEqual(connection.socket, { id: "s" });
  assert.equal(connection.isOpen, false);
});
