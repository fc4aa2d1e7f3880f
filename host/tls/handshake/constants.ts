// TLS registry values (IANA) used by the handshake, named as in RFC 8446 / RFC 5246 / RFC 8422.

export const ProtocolVersion = {
  SSL3: 0x0300,
  TLS10: 0x0301,
  TLS11: 0x0302,
  TLS12: 0x0303,
  TLS13: 0x0304,
} as const;

export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;

export const ExtensionType = {
  server_name: 0,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  application_layer_protocol_negotiation: 16,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  renegotiation_info: 0xff01,
} as const;

/** Cipher suites this stack can negotiate, with their IANA names. */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 0xc027,
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 0xc028,
  TLS_EMPTY_RENEGOTIATION_INFO_SCSV: 0x00ff,
  TLS_FALLBACK_SCSV: 0x5600,
} as const;

export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
} as const;

export const SignatureScheme = {
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
} as const;

function invert(o: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(o).map(([k, v]) => [v, k]));
}

const suiteNames = invert(CipherSuite);
const groupNames = invert(NamedGroup);
const schemeNames = invert(SignatureScheme);
const typeNames = invert(HandshakeType);

export function cipherSuiteName(v: number): string {
  return suiteNames.get(v) ?? `0x${v.toString(16).padStart(4, "0")}`;
}
export function groupName(v: number): string {
  return groupNames.get(v) ?? `0x${v.toString(16).padStart(4, "0")}`;
}
export function signatureSchemeName(v: number): string {
  return schemeNames.get(v) ?? `0x${v.toString(16).padStart(4, "0")}`;
}
export function handshakeTypeName(v: number): string {
  return typeNames.get(v) ?? `handshake_${v}`;
}

/** ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
export const HELLO_RETRY_REQUEST_RANDOM = Uint8Array.from(
  Buffer.from("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c", "hex"),
);

/** Downgrade sentinels in the last 8 bytes of ServerHello.random (RFC 8446 §4.1.3). */
export const DOWNGRADE_TLS12 = Uint8Array.from(Buffer.from("444f574e47524401", "hex"));
export const DOWNGRADE_TLS11 = Uint8Array.from(Buffer.from("444f574e47524400", "hex"));
