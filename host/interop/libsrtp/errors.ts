// Errors of the interop harnesses (ERR_INTEROP_*). Callers branch on `code`, never on the text.
import { GwsdkError, type GwsdkErrorOptions } from "../../errors.js";

export type InteropErrorCode =
  /** No C compiler, no pkg-config, or the library is not installed; `install` says what to run. */
  | "ERR_INTEROP_UNAVAILABLE"
  /** The harness did not compile or link; the message carries the compiler's output. */
  | "ERR_INTEROP_BUILD"
  /** The harness broke the protocol, refused a malformed request, or died. */
  | "ERR_INTEROP_PROTOCOL"
  /** The linked library cannot do what was asked (e.g. a profile it was built without). */
  | "ERR_INTEROP_UNSUPPORTED"
  /** A value the harness cannot accept (key length, unknown session, MKI index out of range). */
  | "ERR_INTEROP_PARAM"
  /** The library itself returned an error status for a session-level call; see `libraryStatus`. */
  | "ERR_INTEROP_LIBSRTP";

export interface InteropErrorOptions extends GwsdkErrorOptions {
  /** For ERR_INTEROP_UNAVAILABLE: the command that installs what is missing. */
  install?: string;
  /** For ERR_INTEROP_LIBSRTP: libsrtp's status name (e.g. "bad_param"). */
  libraryStatus?: string;
}

export class InteropError extends GwsdkError {
  declare readonly code: InteropErrorCode;
  readonly install?: string;
  readonly libraryStatus?: string;
  constructor(code: InteropErrorCode, message: string, options?: InteropErrorOptions) {
    super(code, message, options);
    if (options?.install !== undefined) this.install = options.install;
    if (options?.libraryStatus !== undefined) this.libraryStatus = options.libraryStatus;
  }
}
