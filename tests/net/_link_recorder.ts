// Copyright 2026 the moonwire authors. MIT license.
// Link callbacks for the STARTTLS tests (tests/net/callback_tls_test.ts and
// tests/interop/callback_openssl_test.ts) that log events and collect text.
import type { LinkCallbacks, TcpLink } from "../../net/tcp_link.ts";

const decoder = new TextDecoder();

/** What a recorder saw; `terminal` resolves at the first terminal callback. */
export interface Recorder {
  callbacks: LinkCallbacks;
  /** "connected", "data" (once per run of chunks), "remoteClosed", "error …". */
  events: string[];
  text: () => string;
  terminal: Promise<TcpLink>;
  /** Resolves once the text contains `text`, or at the terminal callback. */
  waitText: (text: string) => Promise<void>;
}

/** Link callbacks that record into a {@linkcode Recorder}. */
export function recorder(hooks: {
  onConnected?: (link: TcpLink) => void;
  /** Returns `true` when the bytes are not application data (ClientHello). */
  onData?: (link: TcpLink, data: Uint8Array, rec: Recorder) => boolean | void;
  onText?: (link: TcpLink, rec: Recorder) => void;
} = {}): Recorder {
  const events: string[] = [];
  let text = "";
  let wanted: { text: string; resolve: () => void } | undefined;
  const terminal = Promise.withResolvers<TcpLink>();
  const check = () => {
    if (wanted && text.includes(wanted.text)) wanted.resolve();
  };
  const rec: Recorder = {
    events,
    text: () => text,
    terminal: terminal.promise,
    waitText: (want) =>
      new Promise<void>((resolve) => {
        wanted = { text: want, resolve };
        check();
      }),
    callbacks: {
      onConnected: (link) => {
        events.push("connected");
        hooks.onConnected?.(link);
      },
      onReceivedData: (link, data) => {
        if (hooks.onData?.(link, data, rec) === true) return;
        if (events.at(-1) !== "data") events.push("data");
        text += decoder.decode(data);
        check();
        hooks.onText?.(link, rec);
      },
      onRemoteClosed: (link) => {
        events.push("remoteClosed");
        terminal.resolve(link);
        wanted?.resolve();
      },
      onError: (link, code, message) => {
        events.push(`error ${code}: ${message}`);
        terminal.resolve(link);
        wanted?.resolve();
      },
    },
  };
  return rec;
}
