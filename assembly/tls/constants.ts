// Protocol constants of the TLS record layer and key schedules, named after the RFCs' words.
// RFC 8446 (TLS 1.3) §5, §6, §7; RFC 5246 (TLS 1.2) §6; RFC 5288 (AES-GCM suites); RFC 8449
// (record_size_limit); RFC 7627 (extended master secret).

// ---- ContentType (RFC 8446 §5.1, RFC 5246 §6.2.1) ----
export const CT_CHANGE_CIPHER_SPEC: u32 = 20;
export const CT_ALERT: u32 = 21;
export const CT_HANDSHAKE: u32 = 22;
export const CT_APPLICATION_DATA: u32 = 23;

// ---- protocol versions as they appear on the wire ----
/** Half connection before a version is negotiated: plaintext records only. */
export const PROTO_NONE: u32 = 0;
export const PROTO_TLS12: u32 = 0x0303;
export const PROTO_TLS13: u32 = 0x0304;
/** legacy_record_version of every TLS 1.3 record except possibly an initial ClientHello (RFC 8446 §5.1). */
export const RECORD_VERSION_TLS12: u32 = 0x0303;

// ---- AEADs the record layer protects with (core ids, not IANA numbers) ----
export const AEAD_NONE: u32 = 0;
export const AEAD_AES_128_GCM: u32 = 1;
export const AEAD_AES_256_GCM: u32 = 2;
export const AEAD_TAG_LEN: u32 = 16;
/** TLS 1.3 per-record nonce length (RFC 8446 §5.3: iv_length = max(8, N_MIN) = 12 for GCM). */
export const TLS13_IV_LEN: u32 = 12;
/** TLS 1.2 GCM implicit salt (client/server_write_IV, RFC 5288 §3). */
export const TLS12_SALT_LEN: u32 = 4;
/** TLS 1.2 GCM explicit nonce carried in each record (RFC 5288 §3). */
export const TLS12_EXPLICIT_NONCE_LEN: u32 = 8;

// ---- record sizes ----
export const HEADER_LEN: u32 = 5;
/** 2^14: the largest TLSPlaintext.fragment (RFC 8446 §5.1, RFC 5246 §6.2.1). */
export const MAX_PLAINTEXT: u32 = 16384;
/** 2^14 + 1: the largest TLSInnerPlaintext (content + type + padding, RFC 8446 §5.4). */
export const MAX_INNER_TLS13: u32 = 16385;
/** 2^14 + 256: the largest TLS 1.3 TLSCiphertext.length (RFC 8446 §5.2). */
export const MAX_CIPHERTEXT_TLS13: u32 = 16384 + 256;
/** 2^14 + 2048: the largest TLS 1.2 TLSCiphertext.length (RFC 5246 §6.2.3). */
export const MAX_CIPHERTEXT_TLS12: u32 = 16384 + 2048;
/** Expansion allowed above the record_size_limit on a protected record, per version (as above). */
export const EXPANSION_TLS13: u32 = 256;
export const EXPANSION_TLS12: u32 = 2048;
/** The smallest record_size_limit an endpoint may advertise (RFC 8449 §4). */
export const MIN_RECORD_SIZE_LIMIT: u32 = 64;

// ---- AlertLevel and the AlertDescriptions the core itself uses (RFC 8446 §6) ----
export const ALERT_LEVEL_WARNING: u32 = 1;
export const ALERT_LEVEL_FATAL: u32 = 2;
export const ALERT_CLOSE_NOTIFY: u32 = 0;
export const ALERT_UNEXPECTED_MESSAGE: u32 = 10;
export const ALERT_BAD_RECORD_MAC: u32 = 20;
export const ALERT_RECORD_OVERFLOW: u32 = 22;
export const ALERT_DECODE_ERROR: u32 = 50;
export const ALERT_DECRYPT_ERROR: u32 = 51;
export const ALERT_PROTOCOL_VERSION: u32 = 70;
export const ALERT_INTERNAL_ERROR: u32 = 80;
export const ALERT_USER_CANCELED: u32 = 90;
/** Stored in a half connection when its sticky error has no alert attached. */
export const ALERT_NONE: u32 = 0xff;

// ---- AEAD usage limits (RFC 8446 §5.5) ----
/** floor(2^24.5): AES-GCM full-size records per key keeping ~2^-57 AE margin (RFC 8446 §5.5). */
export const GCM_RECORD_LIMIT: u32 = 23726566;
/** Default point at which the write half asks the host for a KeyUpdate: 2^24 records. */
export const GCM_RECORD_SOFT_LIMIT: u32 = 16777216;
/** Records kept back below the hard limit for handshake and alert records (KeyUpdate, close_notify). */
export const LIMIT_RESERVE: u32 = 16;

/** Consecutive records that carry nothing (empty application data, dropped compatibility CCS)
 *  tolerated before the read half gives up with unexpected_message (as Go's maxUselessRecords). */
export const MAX_USELESS_RECORDS: u32 = 16;

// ---- TLS 1.3 Derive-Secret labels (RFC 8446 §7.1), by core id ----
export const LABEL_EXT_BINDER: u32 = 1;
export const LABEL_RES_BINDER: u32 = 2;
export const LABEL_C_E_TRAFFIC: u32 = 3;
export const LABEL_E_EXP_MASTER: u32 = 4;
export const LABEL_C_HS_TRAFFIC: u32 = 5;
export const LABEL_S_HS_TRAFFIC: u32 = 6;
export const LABEL_C_AP_TRAFFIC: u32 = 7;
export const LABEL_S_AP_TRAFFIC: u32 = 8;
export const LABEL_EXP_MASTER: u32 = 9;
export const LABEL_RES_MASTER: u32 = 10;

// ---- TLS 1.3 key schedule stages ----
export const STAGE_NONE: u32 = 0;
export const STAGE_EARLY: u32 = 1;
export const STAGE_HANDSHAKE: u32 = 2;
export const STAGE_MASTER: u32 = 3;

// ---- TLS 1.2 Finished senders (RFC 5246 §7.4.9) ----
export const SENDER_CLIENT: u32 = 0;
export const SENDER_SERVER: u32 = 1;

/** The largest hash output the key schedules handle (SHA-384). */
export const MAX_HASH_LEN: u32 = 48;
/** TLS 1.2 master_secret length (RFC 5246 §8.1). */
export const MASTER_SECRET_LEN: u32 = 48;
/** TLS 1.2 ClientHello/ServerHello random length. */
export const RANDOM_LEN: u32 = 32;
/** TLS 1.2 verify_data length for every suite we support (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LEN: u32 = 12;
