// The key-schedule steps a TLS handshake needs, every secret kept in the core:
//   TlsTranscript       transcript hash (SHA-256/384), snapshots, HelloRetryRequest rewrite
//   TlsSecret           handle to a secret in the core (reveal() only for key logs and tests)
//   Tls13KeySchedule    Extract / Derive-Secret chain; Finished, exporter, resumption, KeyUpdate helpers
//   Tls12KeySchedule    (extended) master secret, key block, Finished verify_data, RFC 5705 exporter
export { TlsSecret } from "./key-schedule-secret.js";
export { TlsTranscript } from "./key-schedule-transcript.js";
export {
  Tls13KeySchedule, TLS13_LABELS, tls13Finished, tls13VerifyFinished, tls13ExportKeyingMaterial, tls13ResumptionPsk,
  tls13NextTrafficSecret, tls13TrafficKeys,
} from "./key-schedule-tls13.js";
export type { Tls13Label, Tls13Stage } from "./key-schedule-tls13.js";
export { Tls12KeySchedule, SENDER_ID } from "./key-schedule-tls12.js";
export type { Tls12Sender, Tls12Randoms, Tls12ExtendedMasterSecretParams, Tls12MasterSecretParams, Tls12FromMasterParams } from "./key-schedule-tls12.js";
