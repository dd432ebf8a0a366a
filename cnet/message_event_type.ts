// Copyright 2026 the moonwire authors. MIT license.

/**
 * The types of CryptoNet message event a cNet program can handle with
 * `setMessageHandler`. Each value is the CryptoNet event's name.
 *
 * | name | triggered when |
 * | --- | --- |
 * | `CONNECTION_CLOSED` | a client disconnected from a server |
 * | `CONNECTION_OPENED` | a client connected to a server |
 * | `ENCRYPTED_MESSAGE` | an encrypted message is received |
 * | `LOGIN` | a client successfully logged in |
 * | `LOGIN_FAILED` | a client failed to log in |
 * | `LOGOUT` | a client logged out |
 * | `MODEM_MESSAGE` | a modem message is received |
 * | `PLAIN_MESSAGE` | an unencrypted message is received |
 *
 * @example Event names
 * ```ts
 * import { MessageEventType } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * assert.equal(MessageEventType.ENCRYPTED_MESSAGE, "encrypted_message");
 * assert.equal(Object.keys(MessageEventType).length, 8);
 * ```
 */
// Spelled out so that deno doc shows the values.
export const MessageEventType: {
  readonly CONNECTION_CLOSED: "connection_closed";
  readonly CONNECTION_OPENED: "connection_opened";
  readonly ENCRYPTED_MESSAGE: "encrypted_message";
  readonly LOGIN: "login";
  readonly LOGIN_FAILED: "login_failed";
  readonly LOGOUT: "logout";
  readonly MODEM_MESSAGE: "modem_message";
  readonly PLAIN_MESSAGE: "plain_message";
} = {
  CONNECTION_CLOSED: "connection_closed",
  CONNECTION_OPENED: "connection_opened",
  ENCRYPTED_MESSAGE: "encrypted_message",
  LOGIN: "login",
  LOGIN_FAILED: "login_failed",
  LOGOUT: "logout",
  MODEM_MESSAGE: "modem_message",
  PLAIN_MESSAGE: "plain_message",
};

/**
 * One of the {@linkcode MessageEventType} values, e.g. `"encrypted_message"`.
 *
 * @example A typed event name
 * ```ts
 * import { MessageEventType } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const type: MessageEventType = MessageEventType.LOGIN;
 * assert.equal(type, "login");
 * ```
 */
export type MessageEventType =
  typeof MessageEventType[keyof typeof MessageEventType];
