// Copyright 2026 the moonwire authors. MIT license.
// Must type-check: typed received messages on CryptoNetNode.on and
// CNetNode.setMessageHandler (the second type argument types `message`), and
// untyped use unchanged (`message` is a LuaValue). Never run (only `deno
// check`ed).
import type {
  CNetNode,
  CryptoNet,
  LuaValue,
  MessageHandler,
} from "../../../cnet/mod.ts";
import type { Equal } from "./_equal.ts";

interface Chat {
  op: "chat";
  text: string;
  to?: string;
  tags: string[];
}
interface Join {
  op: "join";
  room: string;
}

export function typedOn(node: CryptoNet.CryptoNetNode): string[] {
  const seen: string[] = [];
  node.on<"encrypted_message", Chat>("encrypted_message", (event) => {
    const _same: Equal<typeof event, CryptoNet.EncryptedMessageEvent<Chat>> =
      true;
    seen.push(event.message.text, ...event.message.tags);
  });
  // A union narrows on its tag.
  node.on<"plain_message", Chat | Join>("plain_message", (event) => {
    const _plain: false = event.authenticated;
    if (event.message.op === "join") seen.push(event.message.room);
    else seen.push(event.message.text);
  });
  // Events without a message ignore it.
  node.on<"login", Chat>("login", (event) => seen.push(event.username));
  const handler: CryptoNet.CryptoNetEventHandler<"encrypted_message", Chat> = (
    event,
  ) => seen.push(event.message.text);
  node.on("encrypted_message", handler).close();
  return seen;
}

export function untypedOn(node: CryptoNet.CryptoNetNode): void {
  node.on("encrypted_message", (event) => {
    const _same: Equal<typeof event.message, LuaValue> = true;
  });
  node.on("plain_message", (event) => {
    const _same: Equal<typeof event, CryptoNet.PlainMessageEvent> = true;
  });
  const _map: Equal<
    CryptoNet.CryptoNetEventMap["encrypted_message"],
    CryptoNet.EncryptedMessageEvent<LuaValue>
  > = true;
  const _handler: Equal<
    CryptoNet.CryptoNetEventHandler<"login">,
    (event: CryptoNet.LoginEvent) => void
  > = true;
  const _message: Promise<CryptoNet.EncryptedMessageEvent> = new Promise(
    (resolve) => node.on("encrypted_message", resolve),
  );
}

export function cnetHandlers(cnet: CNetNode): string[] {
  const seen: string[] = [];
  cnet.setMessageHandler<"encrypted_message", Chat>(
    "encrypted_message",
    (event) => seen.push(event.message.text),
  );
  const join: MessageHandler<"plain_message", Join> = (event) =>
    seen.push(event.message.room);
  cnet.setMessageHandler("plain_message", join);
  cnet.setMessageHandler("encrypted_message", (event) => {
    const _same: Equal<typeof event.message, LuaValue> = true;
  });
  const _untyped: Equal<
    MessageHandler<"encrypted_message">,
    (event: CryptoNet.EncryptedMessageEvent) => void
  > = true;
  cnet.setMessageHandler("encrypted_message", undefined);
  return seen;
}
