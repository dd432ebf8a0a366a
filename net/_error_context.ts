// Copyright 2026 the moonwire authors. MIT license.
// Errors that say what failed and where. A wrapped error keeps the class,
// name and errno code of the one it wraps (callers test `name`, `instanceof`
// or the onError code), and has it as its `cause`.

/**
 * The same kind of error as `error` with `message`, `cause` set to `error`.
 *
 * @param error The error to wrap.
 * @param message The new message (`Cannot <action> <target>: <reason>`).
 * @returns The wrapped error.
 */
export function withContext(error: unknown, message: string): Error {
  if (!(error instanceof Error)) return new Error(message, { cause: error });
  let wrapped: Error;
  try {
    const Class = error.constructor as new (
      message: string,
      options: ErrorOptions,
    ) => Error;
    wrapped = new Class(message, { cause: error });
    if (!(wrapped instanceof Error)) throw wrapped;
  } catch {
    wrapped = new Error(message, { cause: error });
  }
  wrapped.message = message;
  wrapped.cause = error;
  wrapped.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) (wrapped as { code?: unknown }).code = code;
  return wrapped;
}

/**
 * Whether a TLS handshake failed because the peer answered with something
 * that is not TLS (rustls and OpenSSL say it their own way).
 *
 * @param error A handshake error.
 * @returns `true` for a plain-text answer.
 */
export function isNotTlsAnswer(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /InvalidContentType|wrong version number|WRONG_VERSION_NUMBER/i
    .test(`${error.message} ${(error as { code?: unknown }).code ?? ""}`);
}

/** The reason given when the peer did not answer TLS. */
export const NOT_TLS_REASON = "the peer did not answer TLS";

/** The message of a thrown value (an Error's message, else its text). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
