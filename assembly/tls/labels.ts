// Label strings of the TLS key schedules, as ASCII bytes in static memory (no terminator).
// TLS 1.3 labels are given without the "tls13 " prefix, which HKDF-Expand-Label adds (RFC 8446 §7.1).
// Generated from the RFC text; each constant names where its label is defined.

/** "key" (RFC 8446 §7.3 traffic key) */
export const LABEL_KEY: usize = memory.data<u8>([0x6b, 0x65, 0x79]);
export const LABEL_KEY_LEN: usize = 3;
/** "iv" (RFC 8446 §7.3 traffic IV) */
export const LABEL_IV: usize = memory.data<u8>([0x69, 0x76]);
export const LABEL_IV_LEN: usize = 2;
/** "traffic upd" (RFC 8446 §7.2 KeyUpdate) */
export const LABEL_TRAFFIC_UPD: usize = memory.data<u8>([0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63, 0x20, 0x75, 0x70, 0x64]);
export const LABEL_TRAFFIC_UPD_LEN: usize = 11;
/** "finished" (RFC 8446 §4.4.4 finished_key) */
export const LABEL_FINISHED: usize = memory.data<u8>([0x66, 0x69, 0x6e, 0x69, 0x73, 0x68, 0x65, 0x64]);
export const LABEL_FINISHED_LEN: usize = 8;
/** "derived" (RFC 8446 §7.1 Derive-Secret(., "derived", "")) */
export const LABEL_DERIVED: usize = memory.data<u8>([0x64, 0x65, 0x72, 0x69, 0x76, 0x65, 0x64]);
export const LABEL_DERIVED_LEN: usize = 7;
/** "exporter" (RFC 8446 §7.5 TLS-Exporter) */
export const LABEL_EXPORTER: usize = memory.data<u8>([0x65, 0x78, 0x70, 0x6f, 0x72, 0x74, 0x65, 0x72]);
export const LABEL_EXPORTER_LEN: usize = 8;
/** "resumption" (RFC 8446 §4.6.1 PSK from a ticket) */
export const LABEL_RESUMPTION: usize = memory.data<u8>([0x72, 0x65, 0x73, 0x75, 0x6d, 0x70, 0x74, 0x69, 0x6f, 0x6e]);
export const LABEL_RESUMPTION_LEN: usize = 10;
/** "ext binder" (RFC 8446 §7.1) */
export const LABEL_EXT_BINDER: usize = memory.data<u8>([0x65, 0x78, 0x74, 0x20, 0x62, 0x69, 0x6e, 0x64, 0x65, 0x72]);
export const LABEL_EXT_BINDER_LEN: usize = 10;
/** "res binder" (RFC 8446 §7.1) */
export const LABEL_RES_BINDER: usize = memory.data<u8>([0x72, 0x65, 0x73, 0x20, 0x62, 0x69, 0x6e, 0x64, 0x65, 0x72]);
export const LABEL_RES_BINDER_LEN: usize = 10;
/** "c e traffic" (RFC 8446 §7.1) */
export const LABEL_C_E_TRAFFIC: usize = memory.data<u8>([0x63, 0x20, 0x65, 0x20, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63]);
export const LABEL_C_E_TRAFFIC_LEN: usize = 11;
/** "e exp master" (RFC 8446 §7.1) */
export const LABEL_E_EXP_MASTER: usize = memory.data<u8>([0x65, 0x20, 0x65, 0x78, 0x70, 0x20, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72]);
export const LABEL_E_EXP_MASTER_LEN: usize = 12;
/** "c hs traffic" (RFC 8446 §7.1) */
export const LABEL_C_HS_TRAFFIC: usize = memory.data<u8>([0x63, 0x20, 0x68, 0x73, 0x20, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63]);
export const LABEL_C_HS_TRAFFIC_LEN: usize = 12;
/** "s hs traffic" (RFC 8446 §7.1) */
export const LABEL_S_HS_TRAFFIC: usize = memory.data<u8>([0x73, 0x20, 0x68, 0x73, 0x20, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63]);
export const LABEL_S_HS_TRAFFIC_LEN: usize = 12;
/** "c ap traffic" (RFC 8446 §7.1) */
export const LABEL_C_AP_TRAFFIC: usize = memory.data<u8>([0x63, 0x20, 0x61, 0x70, 0x20, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63]);
export const LABEL_C_AP_TRAFFIC_LEN: usize = 12;
/** "s ap traffic" (RFC 8446 §7.1) */
export const LABEL_S_AP_TRAFFIC: usize = memory.data<u8>([0x73, 0x20, 0x61, 0x70, 0x20, 0x74, 0x72, 0x61, 0x66, 0x66, 0x69, 0x63]);
export const LABEL_S_AP_TRAFFIC_LEN: usize = 12;
/** "exp master" (RFC 8446 §7.1) */
export const LABEL_EXP_MASTER: usize = memory.data<u8>([0x65, 0x78, 0x70, 0x20, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72]);
export const LABEL_EXP_MASTER_LEN: usize = 10;
/** "res master" (RFC 8446 §7.1) */
export const LABEL_RES_MASTER: usize = memory.data<u8>([0x72, 0x65, 0x73, 0x20, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72]);
export const LABEL_RES_MASTER_LEN: usize = 10;
/** "master secret" (RFC 5246 §8.1) */
export const LABEL_MASTER_SECRET: usize = memory.data<u8>([0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0x20, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
export const LABEL_MASTER_SECRET_LEN: usize = 13;
/** "extended master secret" (RFC 7627 §4) */
export const LABEL_EXTENDED_MASTER_SECRET: usize = memory.data<u8>([0x65, 0x78, 0x74, 0x65, 0x6e, 0x64, 0x65, 0x64, 0x20, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0x20, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
export const LABEL_EXTENDED_MASTER_SECRET_LEN: usize = 22;
/** "key expansion" (RFC 5246 §6.3) */
export const LABEL_KEY_EXPANSION: usize = memory.data<u8>([0x6b, 0x65, 0x79, 0x20, 0x65, 0x78, 0x70, 0x61, 0x6e, 0x73, 0x69, 0x6f, 0x6e]);
export const LABEL_KEY_EXPANSION_LEN: usize = 13;
/** "client finished" (RFC 5246 §7.4.9) */
export const LABEL_CLIENT_FINISHED: usize = memory.data<u8>([0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x20, 0x66, 0x69, 0x6e, 0x69, 0x73, 0x68, 0x65, 0x64]);
export const LABEL_CLIENT_FINISHED_LEN: usize = 15;
/** "server finished" (RFC 5246 §7.4.9) */
export const LABEL_SERVER_FINISHED: usize = memory.data<u8>([0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x20, 0x66, 0x69, 0x6e, 0x69, 0x73, 0x68, 0x65, 0x64]);
export const LABEL_SERVER_FINISHED_LEN: usize = 15;
