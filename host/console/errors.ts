// Console errors (ERR_CONSOLE_*). The HTTP API answers { error: { code, message } } with the status
// given here; the front end branches on `code`, never on the message. docs/console.md lists them.
import { GwsdkError, type GwsdkErrorOptions } from "../errors.js";

export type ConsoleErrorCode =
  | "ERR_CONSOLE_AUTH" // 401: not logged in, or the session expired
  | "ERR_CONSOLE_LOGIN" // 401: wrong password
  | "ERR_CONSOLE_RATE_LIMITED" // 429: too many failed logins; Retry-After says when to try again
  | "ERR_CONSOLE_CSRF" // 403: a state-changing request without the session's CSRF token
  | "ERR_CONSOLE_ORIGIN" // 403: a state-changing request from another origin
  | "ERR_CONSOLE_HOST" // 421: the Host header names none of the console's addresses (DNS rebinding)
  | "ERR_CONSOLE_PASSWORD_SET" // 409: first-use setup when a password already exists
  | "ERR_CONSOLE_PASSWORD_NOT_SET" // 409: login before the first-use setup
  | "ERR_CONSOLE_PASSWORD_WEAK" // 400: the new password is too short or too long
  | "ERR_CONSOLE_AUTH_FILE" // the password file is damaged, or readable by others
  | "ERR_CONSOLE_BAD_REQUEST" // 400: malformed request
  | "ERR_CONSOLE_TOO_LARGE" // 413: upload above the limit
  | "ERR_CONSOLE_NOT_FOUND" // 404
  | "ERR_CONSOLE_BUSY" // 503: too many live-update streams
  | "ERR_CONSOLE_DISABLED" // the board has the console off (console.enabled = false)
  | "ERR_CONSOLE_TLS" // no usable HTTPS identity
  | "ERR_CONSOLE_INTERNAL"; // 500

export const CONSOLE_HTTP_STATUS: Record<ConsoleErrorCode, number> = {
  ERR_CONSOLE_AUTH: 401,
  ERR_CONSOLE_LOGIN: 401,
  ERR_CONSOLE_RATE_LIMITED: 429,
  ERR_CONSOLE_CSRF: 403,
  ERR_CONSOLE_ORIGIN: 403,
  ERR_CONSOLE_HOST: 421,
  ERR_CONSOLE_PASSWORD_SET: 409,
  ERR_CONSOLE_PASSWORD_NOT_SET: 409,
  ERR_CONSOLE_PASSWORD_WEAK: 400,
  ERR_CONSOLE_AUTH_FILE: 500,
  ERR_CONSOLE_BAD_REQUEST: 400,
  ERR_CONSOLE_TOO_LARGE: 413,
  ERR_CONSOLE_NOT_FOUND: 404,
  ERR_CONSOLE_BUSY: 503,
  ERR_CONSOLE_DISABLED: 503,
  ERR_CONSOLE_TLS: 500,
  ERR_CONSOLE_INTERNAL: 500,
};

export interface ConsoleErrorOptions extends GwsdkErrorOptions {
  /** For ERR_CONSOLE_RATE_LIMITED: seconds until the next attempt is allowed. */
  retryAfterSeconds?: number;
  file?: string;
}

export class ConsoleError extends GwsdkError {
  declare readonly code: ConsoleErrorCode;
  readonly retryAfterSeconds?: number;
  readonly file?: string;
  constructor(code: ConsoleErrorCode, message: string, options: ConsoleErrorOptions = {}) {
    super(code, message, options);
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.file !== undefined) this.file = options.file;
  }

  get httpStatus(): number {
    return CONSOLE_HTTP_STATUS[this.code];
  }
}
