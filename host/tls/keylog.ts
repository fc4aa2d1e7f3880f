// Key logs in the NSS SSLKEYLOGFILE format, for Wireshark (debugging only). A line is written only
// when the application passed a `keylog` callback (gwsdk sim/gateway --keylog FILE); FIPS mode
// refuses one. https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/
import type { TlsSecret } from "./key-schedule-secret.js";

/** Receives one SSLKEYLOGFILE line (without newline). */
export type KeylogSink = (line: string) => void;

export type KeylogLabel =
  | "CLIENT_RANDOM"
  | "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
  | "SERVER_HANDSHAKE_TRAFFIC_SECRET"
  | "CLIENT_TRAFFIC_SECRET_0"
  | "SERVER_TRAFFIC_SECRET_0";

/** Writes `<label> <client random hex> <secret hex>` when a sink is set; the revealed copy is wiped. */
export function logSecret(sink: KeylogSink | undefined, label: KeylogLabel, clientRandom: Uint8Array, secret: TlsSecret): void {
  if (!sink) return;
  const bytes = secret.reveal();
  try {
    sink(`${label} ${Buffer.from(clientRandom).toString("hex")} ${Buffer.from(bytes).toString("hex")}`);
  } finally {
    bytes.fill(0);
  }
}
