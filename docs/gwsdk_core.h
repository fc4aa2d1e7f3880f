/*
 * gwsdk_core.h — the WebAssembly core's exports, for a C host (generated; do not edit).
 * Regenerate with `npm run gen:c-header` after building; a test checks it matches the builds.
 *
 * The core is a wasm32 module (build/core.wasm with SIMD, build/core-scalar.wasm without). It imports
 * only env.abort(i32 msg, i32 file, i32 line, i32 col) and exports one fixed linear memory named
 * "memory" (initial = maximum pages). Each prototype below is the signature of the wasm export of the
 * same name: wasm i32 maps to uint32_t (pointers are offsets into the core's memory, lengths are
 * bytes), i64 to uint64_t. Results are int32_t: >= 0 a length or value, < 0 a status from the table
 * in docs/abi.md (GWSDK_ERR_* below). How a host binds an export depends on its runtime: with wasm2c
 * each becomes w2c_<module>_<name>(instance, ...), with WAMR/wasm3 it is looked up by name.
 * Every pointer/length must lie in [arena_base(), arena_end()); see docs/abi.md for each call.
 */
#ifndef GWSDK_CORE_H
#define GWSDK_CORE_H

#include <stdint.h>

/* status codes (assembly/abi/status.ts) */
#define GWSDK_OK (0)
#define GWSDK_ERR_BOUNDS (-1)
#define GWSDK_ERR_ARG (-2)
#define GWSDK_ERR_KEY_LENGTH (-3)
#define GWSDK_ERR_CAPACITY (-4)
#define GWSDK_ERR_AUTH (-5)
#define GWSDK_ERR_SELFTEST (-6)
#define GWSDK_ERR_STATE (-7)
#define GWSDK_ERR_LIMIT (-8)
#define GWSDK_ERR_SRTP_AUTH_FAIL (-32)
#define GWSDK_ERR_SRTP_REPLAY (-33)
#define GWSDK_ERR_SRTP_REPLAY_OLD (-34)
#define GWSDK_ERR_SRTP_MKI (-35)
#define GWSDK_ERR_SRTP_KEY_EXPIRED (-36)
#define GWSDK_ERR_SRTP_MALFORMED (-37)
#define GWSDK_ERR_SRTP_BUFFER (-38)
#define GWSDK_ERR_SRTP_PROFILE (-39)
#define GWSDK_ERR_SRTP_KEY (-40)
#define GWSDK_ERR_SRTP_REPEAT_TX (-41)
#define GWSDK_ERR_SRTP_FULL (-42)
#define GWSDK_ERR_SRTP_NO_STREAM (-43)
#define GWSDK_ERR_SRTP_STATE (-44)
#define GWSDK_ERR_TLS_RECORD_OVERFLOW (-64)
#define GWSDK_ERR_TLS_BAD_RECORD_MAC (-65)
#define GWSDK_ERR_TLS_UNEXPECTED_MESSAGE (-66)
#define GWSDK_ERR_TLS_DECODE_ERROR (-67)
#define GWSDK_ERR_TLS_PROTOCOL_VERSION (-68)
#define GWSDK_ERR_TLS_DECRYPT_ERROR (-69)
#define GWSDK_ERR_TLS_ALERT_RECEIVED (-70)
#define GWSDK_ERR_TLS_CLOSED (-71)
#define GWSDK_ERR_TLS_SEQ_EXHAUSTED (-72)
#define GWSDK_ERR_TLS_KEY_LIMIT (-73)

#ifdef __cplusplus
extern "C" {
#endif

/* ---- abi/core_exports ---- */
int32_t core_abi_version(void);
int32_t core_simd(void);
int32_t arena_base(void);
int32_t arena_end(void);
int32_t ct_equal(uint32_t a, uint32_t b, uint32_t n);
int32_t wipe_bytes(uint32_t p, uint32_t n);
int32_t selftest(void);
/* ---- selftest ---- */
int32_t selftest_failed(void);
/* ---- crypto/aes/exports ---- */
int32_t aes_ctx_size(void);
int32_t aes_key_init(uint32_t ctx, uint32_t key, uint32_t key_len);
int32_t aes_ecb_encrypt(uint32_t ctx, uint32_t src, uint32_t dst, uint32_t len);
int32_t aes_ctr_state_size(void);
int32_t aes_ctr_init(uint32_t state, uint32_t iv16, uint32_t mode);
int32_t aes_ctr_run(uint32_t ctx, uint32_t state, uint32_t src, uint32_t dst, uint32_t len);
/* ---- crypto/hash/exports ---- */
int32_t sha_ctx_size(void);
int32_t sha_digest_len(uint32_t alg);
int32_t sha_init(uint32_t ctx, uint32_t alg);
int32_t sha_update(uint32_t ctx, uint32_t data, uint32_t len);
int32_t sha_final(uint32_t ctx, uint32_t out, uint32_t cap);
int32_t sha_snapshot(uint32_t ctx, uint32_t out, uint32_t cap);
int32_t sha_digest(uint32_t alg, uint32_t data, uint32_t len, uint32_t out, uint32_t cap);
int32_t hmac_key_size(void);
int32_t hmac_ctx_size(void);
int32_t hmac_key_init(uint32_t kctx, uint32_t alg, uint32_t key, uint32_t keyLen);
int32_t hmac_init(uint32_t mctx, uint32_t kctx);
int32_t hmac_update(uint32_t mctx, uint32_t data, uint32_t len);
int32_t hmac_final(uint32_t mctx, uint32_t out, uint32_t outLen);
int32_t hmac_compute(uint32_t kctx, uint32_t data, uint32_t len, uint32_t out, uint32_t outLen);
int32_t hmac_verify(uint32_t kctx, uint32_t data, uint32_t len, uint32_t tag, uint32_t tagLen);
int32_t hkdf_extract(uint32_t alg, uint32_t salt, uint32_t saltLen, uint32_t ikm, uint32_t ikmLen, uint32_t prkOut, uint32_t cap);
int32_t hkdf_expand(uint32_t alg, uint32_t prk, uint32_t prkLen, uint32_t info, uint32_t infoLen, uint32_t out, uint32_t outLen);
int32_t hkdf_expand_label(uint32_t alg, uint32_t secret, uint32_t secretLen, uint32_t label, uint32_t labelLen, uint32_t context, uint32_t contextLen, uint32_t out, uint32_t outLen);
int32_t tls12_prf(uint32_t alg, uint32_t secret, uint32_t secretLen, uint32_t label, uint32_t labelLen, uint32_t seed, uint32_t seedLen, uint32_t out, uint32_t outLen);
/* ---- crypto/gcm/exports ---- */
int32_t ghash_run(uint32_t h, uint32_t y, uint32_t data, uint32_t len);
int32_t gcm_ctx_size(void);
int32_t gcm_key_init(uint32_t ctx, uint32_t key, uint32_t key_len);
int32_t gcm_seal(uint32_t ctx, uint32_t iv, uint32_t iv_len, uint32_t aad, uint32_t aad_len, uint32_t src, uint32_t dst, uint32_t len, uint32_t tag, uint32_t tag_len);
int32_t gcm_open(uint32_t ctx, uint32_t iv, uint32_t iv_len, uint32_t aad, uint32_t aad_len, uint32_t src, uint32_t dst, uint32_t len, uint32_t tag, uint32_t tag_len);
/* ---- tls/exports ---- */
int32_t tls_half_ctx_size(void);
int32_t tls_half_init(uint32_t h, uint32_t dir);
int32_t tls_half_close(uint32_t h);
int32_t tls_half_set_version(uint32_t h, uint32_t proto);
int32_t tls_half_set_record_version(uint32_t h, uint32_t version);
int32_t tls_half_set_key(uint32_t h, uint32_t proto, uint32_t aead, uint32_t key, uint32_t keyLen, uint32_t iv, uint32_t ivLen);
int32_t tls13_half_install(uint32_t h, uint32_t aead, uint32_t alg, uint32_t secret, uint32_t secretLen);
int32_t tls13_half_key_update(uint32_t h);
int32_t tls12_half_install(uint32_t h, uint32_t aead, uint32_t alg, uint32_t master, uint32_t masterLen, uint32_t clientRandom, uint32_t serverRandom, uint32_t side);
int32_t tls_half_set_record_size_limit(uint32_t h, uint32_t limit);
int32_t tls_half_set_padding(uint32_t h, uint32_t block);
int32_t tls_half_set_ccs_allowed(uint32_t h, uint32_t on);
int32_t tls_half_set_usage_limits(uint32_t h, uint32_t soft, uint32_t hard);
int32_t tls_half_error(uint32_t h);
int32_t tls_half_alert(uint32_t h);
int32_t tls_half_last_type(uint32_t h);
int32_t tls_half_flags(uint32_t h);
int64_t tls_half_seq(uint32_t h);
int32_t tls_half_version(uint32_t h);
int32_t tls_half_max_fragment(uint32_t h);
int32_t tls_record_sealed_size(uint32_t h, uint32_t type, uint32_t len);
int32_t tls_record_seal(uint32_t h, uint32_t type, uint32_t src, uint32_t len, uint32_t out, uint32_t cap);
int32_t tls_record_open(uint32_t h, uint32_t rec, uint32_t recLen, uint32_t out, uint32_t cap);
int32_t tls_alert_seal(uint32_t h, uint32_t level, uint32_t desc, uint32_t out, uint32_t cap);
int32_t tls_reasm_ctx_size(void);
int32_t tls_reasm_init(uint32_t r);
int32_t tls_reasm_close(uint32_t r);
int32_t tls_reasm_want(uint32_t r);
int32_t tls_reasm_write_ptr(uint32_t r);
int32_t tls_reasm_commit(uint32_t r, uint32_t h, uint32_t n);
int32_t tls_reasm_feed(uint32_t r, uint32_t h, uint32_t src, uint32_t len);
int32_t tls_reasm_ready(uint32_t r);
int32_t tls_reasm_pending(uint32_t r);
int32_t tls_reasm_open(uint32_t r, uint32_t h, uint32_t out, uint32_t cap);
int32_t tls_transcript_ctx_size(void);
int32_t tls_transcript_init(uint32_t t, uint32_t alg);
int32_t tls_transcript_select(uint32_t t, uint32_t alg);
int32_t tls_transcript_update(uint32_t t, uint32_t p, uint32_t n);
int32_t tls_transcript_hash(uint32_t t, uint32_t alg, uint32_t out);
int32_t tls_transcript_hello_retry(uint32_t t);
int32_t tls_transcript_close(uint32_t t);
int32_t tls13_ks_ctx_size(void);
int32_t tls13_ks_init(uint32_t ks, uint32_t alg, uint32_t psk, uint32_t pskLen);
int32_t tls13_ks_handshake(uint32_t ks, uint32_t shared, uint32_t sharedLen);
int32_t tls13_ks_master(uint32_t ks);
int32_t tls13_ks_derive(uint32_t ks, uint32_t label, uint32_t t, uint32_t out);
int32_t tls13_ks_stage(uint32_t ks);
int32_t tls13_ks_close(uint32_t ks);
int32_t tls13_finished(uint32_t alg, uint32_t base, uint32_t baseLen, uint32_t t, uint32_t out);
int32_t tls13_finished_verify(uint32_t alg, uint32_t base, uint32_t baseLen, uint32_t t, uint32_t data, uint32_t dataLen);
int32_t tls13_exporter(uint32_t alg, uint32_t secret, uint32_t secretLen, uint32_t label, uint32_t labelLen, uint32_t context, uint32_t contextLen, uint32_t out, uint32_t outLen);
int32_t tls13_resumption_psk(uint32_t alg, uint32_t secret, uint32_t secretLen, uint32_t nonce, uint32_t nonceLen, uint32_t out);
int32_t tls13_next_secret(uint32_t alg, uint32_t secret, uint32_t secretLen, uint32_t out);
int32_t tls13_traffic_keys(uint32_t alg, uint32_t secret, uint32_t secretLen, uint32_t keyLen, uint32_t out);
int32_t tls12_master_secret_ems(uint32_t alg, uint32_t pms, uint32_t pmsLen, uint32_t t, uint32_t out);
int32_t tls12_master_secret(uint32_t alg, uint32_t pms, uint32_t pmsLen, uint32_t clientRandom, uint32_t serverRandom, uint32_t out);
int32_t tls12_key_block(uint32_t alg, uint32_t master, uint32_t masterLen, uint32_t clientRandom, uint32_t serverRandom, uint32_t out, uint32_t outLen);
int32_t tls12_finished(uint32_t alg, uint32_t master, uint32_t masterLen, uint32_t sender, uint32_t t, uint32_t out);
int32_t tls12_finished_verify(uint32_t alg, uint32_t master, uint32_t masterLen, uint32_t sender, uint32_t t, uint32_t data, uint32_t dataLen);
int32_t tls12_exporter(uint32_t alg, uint32_t master, uint32_t masterLen, uint32_t label, uint32_t labelLen, uint32_t clientRandom, uint32_t serverRandom, uint32_t context, uint32_t contextLen, uint32_t useContext, uint32_t out, uint32_t outLen);
/* ---- srtp/exports ---- */
int32_t srtp_profile_param(uint32_t profile, uint32_t which);
int32_t srtp_session_size(uint32_t maxStreams, uint32_t maxKeys, uint32_t window, uint32_t profile);
int32_t srtp_key_slot_size(uint32_t profile);
int32_t srtp_stream_slot_size(uint32_t window);
int32_t srtp_session_init(uint32_t s, uint32_t len, uint32_t direction, uint32_t profile, uint32_t maxStreams, uint32_t maxKeys, uint32_t window, uint32_t flags, uint32_t mkiLen, uint32_t seed);
int32_t srtp_key_add(uint32_t s, uint32_t key, uint32_t keyLen, uint32_t salt, uint32_t saltLen, uint32_t mki, uint32_t mkiLen, double lifetime);
int32_t srtp_key_add_session_keys(uint32_t s, uint32_t keys, uint32_t keysLen, uint32_t mki, uint32_t mkiLen, double lifetime);
int32_t srtp_key_use(uint32_t s, uint32_t mki, uint32_t mkiLen);
int32_t srtp_key_remove(uint32_t s, uint32_t mki, uint32_t mkiLen);
int32_t srtp_key_info(uint32_t s, uint32_t slot, uint32_t out);
int32_t srtp_events(uint32_t s);
int32_t srtp_protect(uint32_t s, uint32_t src, uint32_t len, uint32_t dst, uint32_t cap);
int32_t srtp_unprotect(uint32_t s, uint32_t src, uint32_t len, uint32_t dst, uint32_t cap);
int32_t srtcp_protect(uint32_t s, uint32_t src, uint32_t len, uint32_t dst, uint32_t cap);
int32_t srtcp_unprotect(uint32_t s, uint32_t src, uint32_t len, uint32_t dst, uint32_t cap);
int32_t srtp_batch(uint32_t s, uint32_t op, uint32_t descs, uint32_t count);
int32_t srtp_get_roc(uint32_t s, uint32_t ssrc, uint32_t out);
int32_t srtp_set_roc(uint32_t s, uint32_t ssrc, uint32_t roc);
int32_t srtcp_get_index(uint32_t s, uint32_t ssrc, uint32_t out);
int32_t srtcp_set_index(uint32_t s, uint32_t ssrc, uint32_t index);
int32_t srtp_stream_remove(uint32_t s, uint32_t ssrc);
int32_t srtp_stream_count(uint32_t s);
int32_t srtp_stats(uint32_t s, uint32_t ssrc, uint32_t whole, uint32_t out);

#ifdef __cplusplus
}
#endif

#endif /* GWSDK_CORE_H */
