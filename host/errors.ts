// Typed errors. Every error the SDK throws carries a stable `code` (ERR_<AREA>_<WHAT>); callers
// branch on `code`, never on the message text.

export interface GwsdkErrorOptions {
  cause?: unknown;
}

export class GwsdkError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: GwsdkErrorOptions) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Errors from loading or calling the WebAssembly core (ERR_CORE_*). */
export class CoreError extends GwsdkError {
  /** The core's raw status number, when the error came from a core call. */
  readonly status?: number;
  constructor(code: string, message: string, status?: number, options?: GwsdkErrorOptions) {
    super(code, message, options);
    if (status !== undefined) this.status = status;
  }
}
