// TLS errors. TlsError is the base of every TLS failure (code ERR_TLS_*); TlsAlertError is a failure
// that is an alert: one this side sends (direction "sent") or one the peer sent (direction
// "received"). Callers branch on `code` and `alert`, never on message text.
import { GwsdkError, type GwsdkErrorOptions } from "../errors.js";
import { TLS_ALERTS, alertName, isClosureAlert, STATUS_ALERT, STATUS_ALERT_RECEIVED } from "./alerts.js";
import { coreStatusError } from "../core/load-core.js";
import { statusInfo } from "../core/status.js";

export interface TlsErrorOptions extends GwsdkErrorOptions {
  /** The core status the error came from, when it came from a core call. */
  status?: number;
}

/** Base of every TLS error: code ERR_TLS_<WHAT>. */
export class TlsError extends GwsdkError {
  readonly status?: number;
  constructor(code: string, message: string, options?: TlsErrorOptions) {
    super(code, message, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}

export type TlsAlertDirection = "sent" | "received";

export interface TlsAlertErrorOptions extends TlsErrorOptions {
  /** Level on the wire; default: fatal (TLS 1.3 treats every error alert as fatal). */
  fatal?: boolean;
  /** The protected alert record this side produced for the peer, to write before closing the transport. */
  alertRecord?: Uint8Array;
}

/**
 * A TLS alert as an error: code "ERR_TLS_ALERT", `alert` the RFC 8446 name (e.g. "bad_record_mac"),
 * `alertNumber` its number (20), `fatal`, and `direction`: "sent" when this side detected the
 * problem and sends the alert, "received" when the peer sent it.
 */
export class TlsAlertError extends TlsError {
  readonly alert: string;
  readonly alertNumber: number;
  readonly fatal: boolean;
  readonly direction: TlsAlertDirection;
  /** For "sent" alerts raised by the record layer: the alert record to write to the transport. */
  readonly alertRecord?: Uint8Array;

  constructor(alertNumber: number, direction: TlsAlertDirection, message?: string, options?: TlsAlertErrorOptions) {
    const name = alertName(alertNumber);
    super("ERR_TLS_ALERT", message ?? (direction === "sent" ? `TLS alert ${name} (${alertNumber}) sent to the peer` : `TLS alert ${name} (${alertNumber}) received from the peer`), options);
    this.alert = name;
    this.alertNumber = alertNumber;
    this.fatal = options?.fatal ?? !isClosureAlert(alertNumber);
    this.direction = direction;
    if (options?.alertRecord) this.alertRecord = options.alertRecord;
  }
}

/**
 * Turns a negative core status from a TLS export into the error to throw:
 *  - alert statuses -> TlsAlertError "sent" (the alert this side must send);
 *  - ERR_TLS_ALERT_RECEIVED -> TlsAlertError "received" with the peer's description (receivedAlert);
 *  - ERR_TLS_CLOSED / _SEQ_EXHAUSTED / _KEY_LIMIT -> TlsError with the status table's code;
 *  - any other status (bounds, arguments, capacity) -> the CoreError of the status table.
 */
export function tlsStatusError(status: number, where: string, receivedAlert?: number): Error {
  const sent = STATUS_ALERT.get(status);
  if (sent !== undefined) {
    return new TlsAlertError(TLS_ALERTS[sent], "sent", `${where}: ${statusInfo(status).text}`, { status });
  }
  if (status === STATUS_ALERT_RECEIVED) {
    const n = receivedAlert ?? 255;
    return new TlsAlertError(n, "received", `${where}: the peer sent alert ${alertName(n)} (${n})`, { status, fatal: true });
  }
  const info = statusInfo(status);
  if (info.code.startsWith("ERR_TLS_")) return new TlsError(info.code, `${where}: ${info.text}`, { status });
  return coreStatusError(status, where);
}
