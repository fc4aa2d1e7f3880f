// Errors of the mutual-TLS handshake and connection. Every failure is a TlsError with a stable
// `code`; a refusal this side decided carries the alert it sent (`alert`, `alertNumber`), chosen as
// RFC 8446 §6.2 / RFC 5246 §7.2 prescribe. An alert the peer sent is a TlsAlertError (code
// ERR_TLS_ALERT, direction "received"), as is a record the record layer refused (direction "sent").
import { TLS_ALERTS, type TlsAlertName } from "./alerts.js";
import { TlsAlertError, TlsError } from "./errors.js";
import { DecodeError } from "./handshake/codec.js";

/** Every code the mTLS layer produces (docs/api.md "TLS" lists them with their alerts). */
export const MTLS_ERROR_CODES = [
  "ERR_TLS_CERT_UNTRUSTED",
  "ERR_TLS_CERT_EXPIRED",
  "ERR_TLS_CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_REVOKED",
  "ERR_TLS_CERT_REVOCATION_UNKNOWN",
  "ERR_TLS_CERT_NAME",
  "ERR_TLS_CERT_EKU",
  "ERR_TLS_CERT_WEAK",
  "ERR_TLS_CERT_INVALID",
  "ERR_TLS_CLOCK",
  "ERR_TLS_PEER_NOT_ALLOWED",
  "ERR_TLS_NO_CLIENT_CERT",
  "ERR_TLS_NO_SERVER_CERT",
  "ERR_TLS_PROTOCOL_VERSION",
  "ERR_TLS_INAPPROPRIATE_FALLBACK",
  "ERR_TLS_DOWNGRADE",
  "ERR_TLS_NO_SHARED_SUITE",
  "ERR_TLS_NO_SHARED_GROUP",
  "ERR_TLS_NO_SHARED_SIGNATURE",
  "ERR_TLS_NO_EXTENDED_MASTER_SECRET",
  "ERR_TLS_NO_SECURE_RENEGOTIATION",
  "ERR_TLS_BAD_SIGNATURE",
  "ERR_TLS_BAD_FINISHED",
  "ERR_TLS_PROTOCOL",
  "ERR_TLS_ALERT",
  "ERR_TLS_TIMEOUT",
  "ERR_TLS_UNEXPECTED_EOF",
  "ERR_TLS_SOCKET",
  "ERR_TLS_CLOSED",
  "ERR_TLS_KEY_LIMIT",
  "ERR_TLS_CONFIG",
  "ERR_TLS_CREDENTIALS",
  "ERR_TLS_INTERNAL",
] as const;
export type MtlsErrorCode = (typeof MTLS_ERROR_CODES)[number];

export interface TlsHandshakeErrorOptions {
  cause?: unknown;
  /** Certificate verification: the verifier's reason ("expired", "name", ...). */
  reason?: string;
  /** Certificate verification: depth of the certificate at fault (0 = the peer's own). */
  depth?: number;
}

/**
 * A failure this side detected. `alert` is what it sent to the peer (absent when none was sent,
 * e.g. a timeout); `code` says why in terms a person can act on.
 */
export class TlsHandshakeError extends TlsError {
  readonly alert: TlsAlertName | undefined;
  readonly alertNumber: number | undefined;
  readonly reason?: string;
  readonly depth?: number;
  readonly direction = "sent" as const;
  constructor(code: MtlsErrorCode, alert: TlsAlertName | undefined, message: string, options: TlsHandshakeErrorOptions = {}) {
    super(code, message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.alert = alert;
    this.alertNumber = alert === undefined ? undefined : TLS_ALERTS[alert];
    if (options.reason !== undefined) this.reason = options.reason;
    if (options.depth !== undefined) this.depth = options.depth;
  }
}

/** A refusal with its own code and alert. */
export function refuse(code: MtlsErrorCode, alert: TlsAlertName, message: string, options?: TlsHandshakeErrorOptions): TlsHandshakeError {
  return new TlsHandshakeError(code, alert, message, options);
}

/** A protocol violation by the peer (malformed, unexpected or illegal message): ERR_TLS_PROTOCOL. */
export function protocolError(alert: TlsAlertName, message: string, cause?: unknown): TlsHandshakeError {
  return new TlsHandshakeError("ERR_TLS_PROTOCOL", alert, message, cause !== undefined ? { cause } : {});
}

/** The alert to send for an error about to end the connection, or undefined when none is due. */
export function alertToSend(e: unknown): number | undefined {
  if (e instanceof TlsHandshakeError) return e.alertNumber;
  if (e instanceof TlsAlertError) return e.direction === "sent" && !e.alertRecord ? e.alertNumber : undefined;
  if (e instanceof DecodeError) return TLS_ALERTS[e.alert];
  if (e instanceof TlsError) return undefined;
  return TLS_ALERTS.internal_error;
}

/**
 * Normalizes anything thrown inside a handshake into the error the caller sees: DecodeError
 * becomes ERR_TLS_PROTOCOL with its alert; TLS errors pass through; anything else is
 * ERR_TLS_INTERNAL (internal_error), with the original as `cause`.
 */
export function asTlsError(e: unknown, where: string): TlsError {
  if (e instanceof TlsError) return e;
  if (e instanceof DecodeError) return protocolError(e.alert, `${where}: ${e.message}`, e);
  const msg = e instanceof Error ? e.message : String(e);
  return new TlsHandshakeError("ERR_TLS_INTERNAL", "internal_error", `${where}: internal error: ${msg}`, { cause: e });
}
