// TLS alerts: the AlertDescription registry (RFC 8446 §6 and the IANA "TLS Alerts" registry for the
// TLS 1.2-only values), AlertLevel, parsing and building the two-byte Alert message, and the core
// statuses that stand for an alert this side must send.

/** AlertLevel (RFC 8446 §6, RFC 5246 §7.2). */
export const AlertLevel = { warning: 1, fatal: 2 } as const;
export type AlertLevel = (typeof AlertLevel)[keyof typeof AlertLevel];

/**
 * AlertDescription numbers by RFC name. RFC 8446 §6 lists every value TLS 1.3 defines; the
 * `_RESERVED` names are TLS 1.2-era values a TLS 1.3 peer must never send but a TLS 1.2 peer may
 * (decryption_failed, no_certificate, export_restriction, no_renegotiation, ...).
 */
export const TLS_ALERTS = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  decryption_failed_RESERVED: 21,
  record_overflow: 22,
  decompression_failure_RESERVED: 30,
  handshake_failure: 40,
  no_certificate_RESERVED: 41,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  export_restriction_RESERVED: 60,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  no_renegotiation_RESERVED: 100,
  missing_extension: 109,
  unsupported_extension: 110,
  certificate_unobtainable_RESERVED: 111,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  bad_certificate_hash_value_RESERVED: 114,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

export type TlsAlertName = keyof typeof TLS_ALERTS;

const BY_NUMBER = new Map<number, TlsAlertName>(
  (Object.entries(TLS_ALERTS) as [TlsAlertName, number][]).map(([name, n]) => [n, name]),
);

/** The RFC name of an alert number; an unregistered number gives "unknown_alert_<n>". */
export function alertName(n: number): string {
  return BY_NUMBER.get(n) ?? `unknown_alert_${n}`;
}

/** True for a registered alert name. */
export function isAlertName(name: string): name is TlsAlertName {
  return Object.prototype.hasOwnProperty.call(TLS_ALERTS, name);
}

/** The number of a registered alert name. */
export function alertNumber(name: TlsAlertName): number {
  return TLS_ALERTS[name];
}

/**
 * Closure alerts (RFC 8446 §6.1): close_notify and user_canceled. Every other alert is an error
 * alert, fatal whatever its level in TLS 1.3 (RFC 8446 §6: "MUST be treated as error alerts when
 * received regardless of the AlertLevel").
 */
export function isClosureAlert(n: number): boolean {
  return n === TLS_ALERTS.close_notify || n === TLS_ALERTS.user_canceled;
}

/** The level to send an alert with: warning for the closure alerts, fatal for every error alert (RFC 8446 §6.2). */
export function defaultAlertLevel(n: number): AlertLevel {
  return isClosureAlert(n) ? AlertLevel.warning : AlertLevel.fatal;
}

export interface ParsedAlert {
  level: number;
  description: number;
  name: string;
}

/**
 * Parses an Alert message (two bytes: level, description). Returns undefined when it is not
 * exactly two bytes or the level is not 1 or 2 (a decode_error for the caller).
 */
export function parseAlert(bytes: Uint8Array): ParsedAlert | undefined {
  if (bytes.length !== 2) return undefined;
  const level = bytes[0]!;
  const description = bytes[1]!;
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) return undefined;
  return { level, description, name: alertName(description) };
}

/** Builds the two-byte Alert message. */
export function buildAlert(level: AlertLevel, description: number): Uint8Array {
  if (!Number.isInteger(description) || description < 0 || description > 255) throw new RangeError(`alert description ${description} is not a byte`);
  return Uint8Array.of(level, description);
}

/**
 * Core statuses (assembly/abi/status.ts) that mean "this side must send this alert". The core sets
 * the same description on the half connection (tls_half_alert); this table lets code that only has
 * a status (e.g. a Finished check) name the alert.
 */
export const STATUS_ALERT: ReadonlyMap<number, TlsAlertName> = new Map<number, TlsAlertName>([
  [-64, "record_overflow"],
  [-65, "bad_record_mac"],
  [-66, "unexpected_message"],
  [-67, "decode_error"],
  [-68, "protocol_version"],
  [-69, "decrypt_error"],
]);

/** The core status meaning "the peer sent a fatal alert" (the description is on the half connection). */
export const STATUS_ALERT_RECEIVED = -70;
