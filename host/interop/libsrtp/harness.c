/*
 * gwsdk libsrtp interop harness.
 *
 * A small program, compiled on the machine that runs it against the system libsrtp 2.x
 * (`cc harness.c $(pkg-config --cflags --libs libsrtp2)`), that lets the TypeScript driver
 * (host/interop/libsrtp/index.ts) drive libsrtp packet by packet: create sessions, protect and
 * unprotect batches of RTP/RTCP packets, set/get the rollover counter, and time libsrtp's own
 * packet rate.
 *
 * Protocol (docs/interop-libsrtp.md has the full table). Every message in both directions is a
 * frame: u32 body length (little endian), then the body. Integers in bodies are little endian.
 *   request body:  u8 opcode, then the opcode's fields
 *   response body: u8 0 (ok) then the result, or
 *                  u8 1 (error), u8 kind, i32 libsrtp status (or 0), u16 length, message text
 * Requests are answered strictly in order, one response per request. A malformed request gets an
 * error response and the harness reads on; only a broken stream (EOF mid-frame, read/write
 * failure, a frame length above 64 MiB) ends it.
 *
 * Every length that comes from the driver is checked before use: packets live in one fixed
 * buffer with room for libsrtp's worst-case trailer, so no driver input can make libsrtp write
 * past it (libsrtp itself trusts the caller to leave SRTP_MAX_TRAILER_LEN bytes after a packet).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#define HARNESS_PROTOCOL_VERSION 1u

/* Limits. A frame is at most 64 MiB; a packet at most 65535 bytes (the largest UDP payload). */
#define MAX_FRAME (64u << 20)
#define MAX_PACKET 65535u
#define MAX_BATCH (1u << 20)
#define MAX_SESSIONS 4096u
#define MAX_KEYS 16u /* SRTP_MAX_NUM_MASTER_KEYS in libsrtp 2.x */
#define MAX_MKI 4u   /* RFC 4568 allows 1..128; the harness offers what SDES peers use */
/* libsrtp writes at most SRTP_MAX_TRAILER_LEN (+4 for the SRTCP index) after the packet. */
#define PACKET_SLACK (SRTP_MAX_TRAILER_LEN + 4u + 60u)
#define PACKET_BUF (MAX_PACKET + PACKET_SLACK)

enum opcode {
    OP_HELLO = 1,
    OP_CREATE = 2,
    OP_DESTROY = 3,
    OP_PROTECT = 4,
    OP_UNPROTECT = 5,
    OP_SET_ROC = 6,
    OP_GET_ROC = 7,
    OP_BENCH = 8,
};

enum error_kind {
    KIND_REQUEST = 1,     /* malformed request: a driver bug */
    KIND_SRTP = 2,        /* libsrtp returned a status for a session-level call */
    KIND_UNSUPPORTED = 3, /* the linked libsrtp cannot do this profile */
    KIND_PARAM = 4,       /* well-formed request with a bad value (unknown session, key length) */
};

/* ---------------------------------------------------------------------------------------------
 * libsrtp status names, from the enum in <srtp2/srtp.h> (the values are libsrtp's stable ABI).
 */
static const char *status_name(int s)
{
    switch (s) {
    case srtp_err_status_ok: return "ok";
    case srtp_err_status_fail: return "fail";
    case srtp_err_status_bad_param: return "bad_param";
    case srtp_err_status_alloc_fail: return "alloc_fail";
    case srtp_err_status_dealloc_fail: return "dealloc_fail";
    case srtp_err_status_init_fail: return "init_fail";
    case srtp_err_status_terminus: return "terminus";
    case srtp_err_status_auth_fail: return "auth_fail";
    case srtp_err_status_cipher_fail: return "cipher_fail";
    case srtp_err_status_replay_fail: return "replay_fail";
    case srtp_err_status_replay_old: return "replay_old";
    case srtp_err_status_algo_fail: return "algo_fail";
    case srtp_err_status_no_such_op: return "no_such_op";
    case srtp_err_status_no_ctx: return "no_ctx";
    case srtp_err_status_cant_check: return "cant_check";
    case srtp_err_status_key_expired: return "key_expired";
    case srtp_err_status_socket_err: return "socket_err";
    case srtp_err_status_signal_err: return "signal_err";
    case srtp_err_status_nonce_bad: return "nonce_bad";
    case srtp_err_status_read_fail: return "read_fail";
    case srtp_err_status_write_fail: return "write_fail";
    case srtp_err_status_parse_err: return "parse_err";
    case srtp_err_status_encode_err: return "encode_err";
    case srtp_err_status_semaphore_err: return "semaphore_err";
    case srtp_err_status_pfkey_err: return "pfkey_err";
    case srtp_err_status_bad_mki: return "bad_mki";
    case srtp_err_status_pkt_idx_old: return "pkt_idx_old";
    case srtp_err_status_pkt_idx_adv: return "pkt_idx_adv";
    default: return NULL;
    }
}
#define STATUS_NAME_COUNT 28

/* ---------------------------------------------------------------------------------------------
 * Profiles, by their SDES names (RFC 4568, RFC 6188, RFC 7714). SRTCP uses the RFC pairing: the
 * _32 suites keep an 80-bit SRTCP tag (RFC 4568 section 6.2, RFC 6188 section 3); libsrtp's own
 * srtp_crypto_policy_set_from_profile_for_rtcp() does the same for the suites it has a profile
 * number for, and the HELLO answer reports what that setter chose so the driver can check it.
 */
static void null_cipher_hmac_sha1_32(srtp_crypto_policy_t *p)
{
    srtp_crypto_policy_set_null_cipher_hmac_sha1_80(p);
    p->auth_tag_len = 4;
}

typedef void (*policy_setter)(srtp_crypto_policy_t *p);

struct profile {
    const char *name;
    policy_setter rtp;
    policy_setter rtcp;
    unsigned key_len;
    unsigned salt_len;
    int libsrtp_profile; /* srtp_profile_t, or 0 when libsrtp has no profile number for it */
    int supported;       /* probed at start-up */
};

static struct profile profiles[] = {
    { "AES_CM_128_HMAC_SHA1_80", srtp_crypto_policy_set_rtp_default,
      srtp_crypto_policy_set_rtcp_default, 16, 14, srtp_profile_aes128_cm_sha1_80, 0 },
    { "AES_CM_128_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
      srtp_crypto_policy_set_rtcp_default, 16, 14, srtp_profile_aes128_cm_sha1_32, 0 },
    { "AES_192_CM_HMAC_SHA1_80", srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80,
      srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80, 24, 14, 0, 0 },
    { "AES_192_CM_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32,
      srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80, 24, 14, 0, 0 },
    { "AES_256_CM_HMAC_SHA1_80", srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80,
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, 32, 14, 0, 0 },
    { "AES_256_CM_HMAC_SHA1_32", srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32,
      srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80, 32, 14, 0, 0 },
    { "AEAD_AES_128_GCM", srtp_crypto_policy_set_aes_gcm_128_16_auth,
      srtp_crypto_policy_set_aes_gcm_128_16_auth, 16, 12, srtp_profile_aead_aes_128_gcm, 0 },
    { "AEAD_AES_256_GCM", srtp_crypto_policy_set_aes_gcm_256_16_auth,
      srtp_crypto_policy_set_aes_gcm_256_16_auth, 32, 12, srtp_profile_aead_aes_256_gcm, 0 },
    { "NULL_HMAC_SHA1_80", srtp_crypto_policy_set_null_cipher_hmac_sha1_80,
      srtp_crypto_policy_set_null_cipher_hmac_sha1_80, 16, 14, srtp_profile_null_sha1_80, 0 },
    { "NULL_HMAC_SHA1_32", null_cipher_hmac_sha1_32,
      srtp_crypto_policy_set_null_cipher_hmac_sha1_80, 16, 14, srtp_profile_null_sha1_32, 0 },
};
#define PROFILE_COUNT (sizeof(profiles) / sizeof(profiles[0]))

static int is_aead(const struct profile *p)
{
    return p->salt_len == 12;
}

static struct profile *find_profile(const uint8_t *name, size_t len)
{
    for (size_t i = 0; i < PROFILE_COUNT; i++) {
        if (strlen(profiles[i].name) == len && memcmp(profiles[i].name, name, len) == 0)
            return &profiles[i];
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Bounded reader over a request body and growable writer for a response body.
 */
typedef struct {
    const uint8_t *p;
    size_t n;
    size_t off;
    int bad;
} reader;

static const uint8_t *rd_bytes(reader *r, size_t len)
{
    if (r->bad || len > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += len;
    return q;
}

static uint32_t rd_u8(reader *r)
{
    const uint8_t *q = rd_bytes(r, 1);
    return q ? q[0] : 0;
}

static uint32_t rd_u32(reader *r)
{
    const uint8_t *q = rd_bytes(r, 4);
    return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24
             : 0;
}

typedef struct {
    uint8_t *p;
    size_t n;
    size_t cap;
} writer;

static writer out; /* the response being built; frame header space reserved at p[0..3] */

static void wr_reserve(size_t more)
{
    if (more <= out.cap - out.n)
        return;
    size_t cap = out.cap ? out.cap : 1u << 16;
    while (cap - out.n < more) {
        if (cap > ((size_t)1 << 40)) {
            fprintf(stderr, "harness: response too large\n");
            exit(3);
        }
        cap *= 2;
    }
    uint8_t *q = realloc(out.p, cap);
    if (!q) {
        fprintf(stderr, "harness: out of memory\n");
        exit(3);
    }
    out.p = q;
    out.cap = cap;
}

static void wr_bytes(const void *b, size_t len)
{
    wr_reserve(len);
    if (len)
        memcpy(out.p + out.n, b, len);
    out.n += len;
}

static void wr_u8(uint32_t v)
{
    uint8_t b = (uint8_t)v;
    wr_bytes(&b, 1);
}

static void wr_u16(uint32_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    wr_bytes(b, 2);
}

static void wr_u32(uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    wr_bytes(b, 4);
}

static void wr_u64(uint64_t v)
{
    wr_u32((uint32_t)v);
    wr_u32((uint32_t)(v >> 32));
}

static void wr_str8(const char *s)
{
    size_t len = strlen(s);
    if (len > 255)
        len = 255;
    wr_u8((uint32_t)len);
    wr_bytes(s, len);
}

static void begin_ok(void)
{
    out.n = 4;
    wr_u8(0);
}

static void begin_error(int kind, int status, const char *msg)
{
    out.n = 4;
    wr_u8(1);
    wr_u8((uint32_t)kind);
    wr_u32((uint32_t)status);
    size_t len = strlen(msg);
    if (len > 1024)
        len = 1024;
    wr_u16((uint32_t)len);
    wr_bytes(msg, len);
}

static int send_response(void)
{
    uint32_t body = (uint32_t)(out.n - 4);
    out.p[0] = (uint8_t)body;
    out.p[1] = (uint8_t)(body >> 8);
    out.p[2] = (uint8_t)(body >> 16);
    out.p[3] = (uint8_t)(body >> 24);
    if (fwrite(out.p, 1, out.n, stdout) != out.n || fflush(stdout) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Sessions.
 */
struct session {
    srtp_t ctx;
    int use_mki;
    unsigned num_keys;
    int in_use;
};

static struct session sessions[MAX_SESSIONS];

/* One aligned packet buffer (libsrtp wants 32-bit alignment) with room for the trailer. */
static uint32_t packet_words[(PACKET_BUF + 3) / 4];
#define packet_buf ((uint8_t *)packet_words)

static struct session *get_session(uint32_t id)
{
    if (id == 0 || id > MAX_SESSIONS || !sessions[id - 1].in_use)
        return NULL;
    return &sessions[id - 1];
}

struct key_spec {
    uint8_t material[SRTP_MAX_KEY_LEN]; /* master key || master salt, as libsrtp wants it */
    uint8_t mki[MAX_MKI];
    unsigned mki_len;
};

/*
 * Builds a policy and creates a libsrtp session. Returns the libsrtp status.
 * ssrc_type: 0 = wildcard (any outbound for a sender, any inbound for a receiver), 1 = specific.
 */
static srtp_err_status_t make_session(srtp_t *ctx, const struct profile *prof, int sender,
                                      int ssrc_type, uint32_t ssrc, uint32_t window,
                                      int allow_repeat_tx, unsigned rtcp_tag_len,
                                      struct key_spec *keys, unsigned num_keys, int use_mki)
{
    srtp_policy_t policy;
    srtp_master_key_t mk[MAX_KEYS];
    srtp_master_key_t *mk_ptrs[MAX_KEYS];

    memset(&policy, 0, sizeof policy);
    prof->rtp(&policy.rtp);
    prof->rtcp(&policy.rtcp);
    if (rtcp_tag_len)
        policy.rtcp.auth_tag_len = (int)rtcp_tag_len;
    if (ssrc_type == 1) {
        policy.ssrc.type = ssrc_specific;
        policy.ssrc.value = ssrc;
    } else {
        policy.ssrc.type = sender ? ssrc_any_outbound : ssrc_any_inbound;
    }
    policy.window_size = window;
    policy.allow_repeat_tx = allow_repeat_tx;
    if (use_mki) {
        for (unsigned i = 0; i < num_keys; i++) {
            mk[i].key = keys[i].material;
            mk[i].mki_id = keys[i].mki;
            mk[i].mki_size = keys[i].mki_len;
            mk_ptrs[i] = &mk[i];
        }
        policy.key = NULL;
        policy.keys = mk_ptrs;
        policy.num_master_keys = num_keys;
    } else {
        policy.key = keys[0].material;
    }
    policy.next = NULL;
    return srtp_create(ctx, &policy);
}

static void fill_pattern(uint8_t *b, size_t n, uint32_t seed)
{
    /* xorshift32: deterministic filler for probe and bench keys and payloads (not secret). */
    uint32_t x = seed ? seed : 0x9e3779b9u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (uint8_t)x;
    }
}

static void build_rtp(uint8_t *b, size_t size, uint16_t seq, uint32_t ssrc)
{
    b[0] = 0x80;
    b[1] = 0x00;
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    uint32_t ts = (uint32_t)seq * 160u;
    b[4] = (uint8_t)(ts >> 24);
    b[5] = (uint8_t)(ts >> 16);
    b[6] = (uint8_t)(ts >> 8);
    b[7] = (uint8_t)ts;
    b[8] = (uint8_t)(ssrc >> 24);
    b[9] = (uint8_t)(ssrc >> 16);
    b[10] = (uint8_t)(ssrc >> 8);
    b[11] = (uint8_t)ssrc;
    fill_pattern(b + 12, size - 12, 0x1234567u);
}

static void build_rtcp(uint8_t *b, size_t size, uint32_t ssrc)
{
    uint32_t words = (uint32_t)(size / 4) - 1; /* RTCP length field: 32-bit words minus one */
    b[0] = 0x80;
    b[1] = 200; /* SR */
    b[2] = (uint8_t)(words >> 8);
    b[3] = (uint8_t)words;
    b[4] = (uint8_t)(ssrc >> 24);
    b[5] = (uint8_t)(ssrc >> 16);
    b[6] = (uint8_t)(ssrc >> 8);
    b[7] = (uint8_t)ssrc;
    fill_pattern(b + 8, size - 8, 0x7654321u);
}

/* Start-up probe: a profile is supported when libsrtp creates a session and protects with it. */
static void probe_profiles(void)
{
    for (size_t i = 0; i < PROFILE_COUNT; i++) {
        struct profile *p = &profiles[i];
        struct key_spec key;
        srtp_t ctx = NULL;
        memset(&key, 0, sizeof key);
        fill_pattern(key.material, p->key_len + p->salt_len, (uint32_t)i + 1u);
        if (make_session(&ctx, p, 1, 0, 0, 0, 0, 0, &key, 1, 0) != srtp_err_status_ok) {
            p->supported = 0;
            continue;
        }
        int len = 172;
        build_rtp(packet_buf, (size_t)len, 1, 0x01020304u);
        p->supported = srtp_protect(ctx, packet_buf, &len) == srtp_err_status_ok;
        srtp_dealloc(ctx);
    }
}

/* ---------------------------------------------------------------------------------------------
 * Commands.
 */
static void cmd_hello(reader *r)
{
    (void)r;
    begin_ok();
    wr_u32(HARNESS_PROTOCOL_VERSION);
    wr_str8(srtp_get_version_string());
    wr_u32(srtp_get_version());
    wr_u8(STATUS_NAME_COUNT);
    for (int s = 0; s < STATUS_NAME_COUNT; s++) {
        const char *n = status_name(s);
        wr_str8(n ? n : "");
    }
    wr_u8((uint32_t)PROFILE_COUNT);
    for (size_t i = 0; i < PROFILE_COUNT; i++) {
        const struct profile *p = &profiles[i];
        srtp_crypto_policy_t rtp, rtcp;
        memset(&rtp, 0, sizeof rtp);
        memset(&rtcp, 0, sizeof rtcp);
        p->rtp(&rtp);
        p->rtcp(&rtcp);
        wr_str8(p->name);
        wr_u8((uint32_t)p->supported);
        wr_u8(p->key_len);
        wr_u8(p->salt_len);
        wr_u8((uint32_t)rtp.auth_tag_len);
        wr_u8((uint32_t)rtcp.auth_tag_len);
        /* What libsrtp's own profile setters choose, for the driver to check the RFC pairing:
         * u8 state (0: libsrtp has no srtp_profile_t for this suite, 1: setters answered,
         * 2: a setter refused), then SRTP tag length, SRTCP tag length, and 1 when the setters
         * give exactly the policies this table uses (all three 0 unless state is 1). */
        srtp_crypto_policy_t lp_rtp, lp_rtcp;
        memset(&lp_rtp, 0, sizeof lp_rtp);
        memset(&lp_rtcp, 0, sizeof lp_rtcp);
        if (!p->libsrtp_profile) {
            wr_u8(0);
            wr_u8(0);
            wr_u8(0);
            wr_u8(0);
        } else if (srtp_crypto_policy_set_from_profile_for_rtp(&lp_rtp, (srtp_profile_t)p->libsrtp_profile) !=
                       srtp_err_status_ok ||
                   srtp_crypto_policy_set_from_profile_for_rtcp(&lp_rtcp, (srtp_profile_t)p->libsrtp_profile) !=
                       srtp_err_status_ok) {
            wr_u8(2);
            wr_u8(0);
            wr_u8(0);
            wr_u8(0);
        } else {
            int same = memcmp(&lp_rtp, &rtp, sizeof rtp) == 0 && memcmp(&lp_rtcp, &rtcp, sizeof rtcp) == 0;
            wr_u8(1);
            wr_u8((uint32_t)lp_rtp.auth_tag_len);
            wr_u8((uint32_t)lp_rtcp.auth_tag_len);
            wr_u8((uint32_t)same);
        }
    }
}

static void cmd_create(reader *r)
{
    uint32_t role = rd_u8(r);
    uint32_t name_len = rd_u8(r);
    const uint8_t *name = rd_bytes(r, name_len);
    uint32_t ssrc_type = rd_u8(r);
    uint32_t ssrc = rd_u32(r);
    uint32_t window = rd_u32(r);
    uint32_t allow_repeat = rd_u8(r);
    uint32_t rtcp_tag = rd_u8(r);
    uint32_t num_keys = rd_u8(r);
    struct key_spec keys[MAX_KEYS];
    unsigned with_mki = 0;

    memset(keys, 0, sizeof keys);
    if (r->bad) {
        begin_error(KIND_REQUEST, 0, "truncated create request");
        return;
    }
    struct profile *prof = find_profile(name, name_len);
    if (!prof) {
        begin_error(KIND_PARAM, 0, "unknown profile name");
        return;
    }
    if (!prof->supported) {
        begin_error(KIND_UNSUPPORTED, 0, "profile not supported by the linked libsrtp");
        return;
    }
    if (role > 1 || ssrc_type > 1 || allow_repeat > 1) {
        begin_error(KIND_PARAM, 0, "bad role, ssrc type or allow_repeat_tx");
        return;
    }
    if (num_keys < 1 || num_keys > MAX_KEYS) {
        begin_error(KIND_PARAM, 0, "need 1..16 master keys");
        return;
    }
    if (window != 0 && (window < 64 || window >= 0x8000)) {
        begin_error(KIND_PARAM, 0, "replay window must be 0 (default 128) or 64..32767");
        return;
    }
    if (rtcp_tag != 0) {
        if (is_aead(prof) ? rtcp_tag != 16 : (rtcp_tag != 4 && rtcp_tag != 10)) {
            begin_error(KIND_PARAM, 0, "SRTCP tag length must be 4 or 10 (HMAC) or 16 (GCM)");
            return;
        }
    }
    for (uint32_t i = 0; i < num_keys; i++) {
        uint32_t klen = rd_u8(r);
        const uint8_t *k = rd_bytes(r, klen);
        uint32_t slen = rd_u8(r);
        const uint8_t *s = rd_bytes(r, slen);
        uint32_t mlen = rd_u8(r);
        const uint8_t *m = rd_bytes(r, mlen);
        if (r->bad) {
            begin_error(KIND_REQUEST, 0, "truncated key in create request");
            goto wipe;
        }
        if (klen != prof->key_len || slen != prof->salt_len) {
            begin_error(KIND_PARAM, 0, "master key or salt length does not match the profile");
            goto wipe;
        }
        if (mlen > MAX_MKI) {
            begin_error(KIND_PARAM, 0, "MKI longer than 4 bytes");
            goto wipe;
        }
        memcpy(keys[i].material, k, klen);
        memcpy(keys[i].material + klen, s, slen);
        memcpy(keys[i].mki, m, mlen);
        keys[i].mki_len = mlen;
        if (mlen)
            with_mki++;
    }
    if (r->off != r->n) {
        begin_error(KIND_REQUEST, 0, "trailing bytes in create request");
        goto wipe;
    }
    /* Either every key has an MKI (libsrtp's srtp_master_key_t array) or there is one key and no
     * MKI (policy.key). libsrtp could not tell MKI-less keys apart on receive. */
    if (with_mki != 0 && with_mki != num_keys) {
        begin_error(KIND_PARAM, 0, "either every master key has an MKI or none does");
        goto wipe;
    }
    if (with_mki == 0 && num_keys != 1) {
        begin_error(KIND_PARAM, 0, "several master keys need MKIs");
        goto wipe;
    }
    uint32_t slot = 0;
    while (slot < MAX_SESSIONS && sessions[slot].in_use)
        slot++;
    if (slot == MAX_SESSIONS) {
        begin_error(KIND_PARAM, 0, "too many sessions");
        goto wipe;
    }
    srtp_t ctx = NULL;
    srtp_err_status_t st = make_session(&ctx, prof, role == 0, (int)ssrc_type, ssrc, window,
                                        (int)allow_repeat, rtcp_tag, keys, num_keys, with_mki != 0);
    if (st != srtp_err_status_ok) {
        begin_error(KIND_SRTP, (int)st, "srtp_create failed");
        goto wipe;
    }
    sessions[slot].ctx = ctx;
    sessions[slot].use_mki = with_mki != 0;
    sessions[slot].num_keys = num_keys;
    sessions[slot].in_use = 1;
    begin_ok();
    wr_u32(slot + 1);
wipe:
    memset(keys, 0, sizeof keys);
}

static void cmd_destroy(reader *r)
{
    uint32_t id = rd_u32(r);
    if (r->bad || r->off != r->n) {
        begin_error(KIND_REQUEST, 0, "bad destroy request");
        return;
    }
    struct session *s = get_session(id);
    if (!s) {
        begin_error(KIND_PARAM, 0, "no such session");
        return;
    }
    srtp_err_status_t st = srtp_dealloc(s->ctx);
    memset(s, 0, sizeof *s);
    if (st != srtp_err_status_ok) {
        begin_error(KIND_SRTP, (int)st, "srtp_dealloc failed");
        return;
    }
    begin_ok();
}

/*
 * PROTECT / UNPROTECT: u32 session, u8 flags (bit 0: RTCP), u32 MKI index (protect only),
 * u32 count, then count × (u32 length, bytes). Answer: u32 count, then per packet
 * i32 libsrtp status, u32 length, bytes (length 0 and no bytes when the status is not ok).
 */
static void cmd_transform(reader *r, int protect)
{
    uint32_t id = rd_u32(r);
    uint32_t flags = rd_u8(r);
    uint32_t mki_index = protect ? rd_u32(r) : 0;
    uint32_t count = rd_u32(r);
    if (r->bad || (flags & ~1u) != 0) {
        begin_error(KIND_REQUEST, 0, "bad transform request header");
        return;
    }
    if (count > MAX_BATCH) {
        begin_error(KIND_REQUEST, 0, "batch too large");
        return;
    }
    /* Validate the whole batch's framing before touching libsrtp, so a malformed batch has no
     * side effects on the session. */
    size_t start = r->off;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len = rd_u32(r);
        if (r->bad || len > MAX_PACKET) {
            begin_error(KIND_REQUEST, 0, "bad packet length in batch");
            return;
        }
        rd_bytes(r, len);
    }
    if (r->bad || r->off != r->n) {
        begin_error(KIND_REQUEST, 0, "batch framing does not match the frame length");
        return;
    }
    struct session *s = get_session(id);
    if (!s) {
        begin_error(KIND_PARAM, 0, "no such session");
        return;
    }
    if (protect && s->use_mki && mki_index >= s->num_keys) {
        begin_error(KIND_PARAM, 0, "MKI index out of range");
        return;
    }
    int rtcp = flags & 1u;
    r->off = start;
    begin_ok();
    wr_u32(count);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len = rd_u32(r);
        const uint8_t *pkt = rd_bytes(r, len);
        /* Fresh buffer each time: zeroed slack, so nothing from an earlier packet leaks into a
         * short packet that libsrtp might read past. */
        memset(packet_buf + len, 0, PACKET_SLACK);
        memcpy(packet_buf, pkt, len);
        int n = (int)len;
        srtp_err_status_t st;
        unsigned use_mki = (unsigned)s->use_mki;
        if (protect) {
            st = rtcp ? srtp_protect_rtcp_mki(s->ctx, packet_buf, &n, use_mki, mki_index)
                      : srtp_protect_mki(s->ctx, packet_buf, &n, use_mki, mki_index);
        } else {
            st = rtcp ? srtp_unprotect_rtcp_mki(s->ctx, packet_buf, &n, use_mki)
                      : srtp_unprotect_mki(s->ctx, packet_buf, &n, use_mki);
        }
        if (st == srtp_err_status_ok && (n < 0 || (size_t)n > PACKET_BUF)) {
            /* Cannot happen with a correct libsrtp; never send bytes we do not own. */
            st = srtp_err_status_fail;
        }
        wr_u32((uint32_t)st);
        if (st == srtp_err_status_ok) {
            wr_u32((uint32_t)n);
            wr_bytes(packet_buf, (size_t)n);
        } else {
            wr_u32(0);
        }
    }
}

static void cmd_set_roc(reader *r)
{
    uint32_t id = rd_u32(r);
    uint32_t ssrc = rd_u32(r);
    uint32_t roc = rd_u32(r);
    if (r->bad || r->off != r->n) {
        begin_error(KIND_REQUEST, 0, "bad set_roc request");
        return;
    }
    struct session *s = get_session(id);
    if (!s) {
        begin_error(KIND_PARAM, 0, "no such session");
        return;
    }
    srtp_err_status_t st = srtp_set_stream_roc(s->ctx, ssrc, roc);
    if (st != srtp_err_status_ok) {
        begin_error(KIND_SRTP, (int)st, "srtp_set_stream_roc failed");
        return;
    }
    begin_ok();
}

static void cmd_get_roc(reader *r)
{
    uint32_t id = rd_u32(r);
    uint32_t ssrc = rd_u32(r);
    if (r->bad || r->off != r->n) {
        begin_error(KIND_REQUEST, 0, "bad get_roc request");
        return;
    }
    struct session *s = get_session(id);
    if (!s) {
        begin_error(KIND_PARAM, 0, "no such session");
        return;
    }
    uint32_t roc = 0;
    srtp_err_status_t st = srtp_get_stream_roc(s->ctx, ssrc, &roc);
    if (st != srtp_err_status_ok) {
        begin_error(KIND_SRTP, (int)st, "srtp_get_stream_roc failed");
        return;
    }
    begin_ok();
    wr_u32(roc);
}

/* CPU time of this (single-threaded) harness, not wall time: the benchmark times our side on CPU
 * time too, so a loaded machine slows neither side's figure more than the other's. */
static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * BENCH: u8 name length, name, u8 op (0 protect, 1 unprotect), u8 flags (bit 0 RTCP, bit 1 MKI),
 * u32 packet size (whole RTP/RTCP packet before protection), u32 count.
 * Answer: u64 elapsed CPU ns (timed loops only), u64 packets processed, u32 chunk size.
 *
 * Work goes in chunks of BENCH_CHUNK packets. For protect, the untimed part copies the plaintext
 * packets into place (sequence number incremented each time); the timed part protects them.
 * For unprotect, the untimed part protects them with a sender session; the timed part
 * unprotects them with a receiver session. So each timed loop is libsrtp's call alone.
 */
#define BENCH_CHUNK 256u
static void cmd_bench(reader *r)
{
    uint32_t name_len = rd_u8(r);
    const uint8_t *name = rd_bytes(r, name_len);
    uint32_t op = rd_u8(r);
    uint32_t flags = rd_u8(r);
    uint32_t size = rd_u32(r);
    uint32_t count = rd_u32(r);
    if (r->bad || r->off != r->n || op > 1 || (flags & ~3u) != 0) {
        begin_error(KIND_REQUEST, 0, "bad bench request");
        return;
    }
    int rtcp = flags & 1u;
    int mki = (flags & 2u) != 0;
    struct profile *prof = find_profile(name, name_len);
    if (!prof) {
        begin_error(KIND_PARAM, 0, "unknown profile name");
        return;
    }
    if (!prof->supported) {
        begin_error(KIND_UNSUPPORTED, 0, "profile not supported by the linked libsrtp");
        return;
    }
    if (size < (rtcp ? 8u : 12u) || size > 8192u || (rtcp && size % 4 != 0)) {
        begin_error(KIND_PARAM, 0, "bench packet size must be 12..8192 (RTP) or 8..8192 and a multiple of 4 (RTCP)");
        return;
    }
    if (count < 1 || count > 100000000u) {
        begin_error(KIND_PARAM, 0, "bench count must be 1..100000000");
        return;
    }
    size_t stride = ((size_t)size + PACKET_SLACK + 15u) & ~(size_t)15u;
    uint8_t *chunk = aligned_alloc(16, stride * BENCH_CHUNK);
    uint8_t *plain = malloc(size);
    int *lens = malloc(sizeof(int) * BENCH_CHUNK);
    if (!chunk || !plain || !lens) {
        free(chunk);
        free(plain);
        free(lens);
        begin_error(KIND_PARAM, 0, "out of memory");
        return;
    }
    const uint32_t ssrc = 0x5eed0001u;
    struct key_spec key;
    memset(&key, 0, sizeof key);
    fill_pattern(key.material, prof->key_len + prof->salt_len, 0xbe7c4u);
    if (mki) {
        key.mki[0] = 1;
        key.mki_len = 1;
    }
    srtp_t tx = NULL, rx = NULL;
    srtp_err_status_t st = make_session(&tx, prof, 1, 0, 0, 0, 0, 0, &key, 1, mki);
    if (st == srtp_err_status_ok && op == 1)
        st = make_session(&rx, prof, 0, 0, 0, 0, 0, 0, &key, 1, mki);
    if (st != srtp_err_status_ok) {
        begin_error(KIND_SRTP, (int)st, "srtp_create failed");
        goto done;
    }
    if (rtcp)
        build_rtcp(plain, size, ssrc);
    else
        build_rtp(plain, size, 0, ssrc);

    uint64_t elapsed = 0;
    uint64_t done_count = 0;
    uint32_t seq = 0;
    while (done_count < count) {
        uint32_t n = count - done_count < BENCH_CHUNK ? (uint32_t)(count - done_count) : BENCH_CHUNK;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t *b = chunk + i * stride;
            memcpy(b, plain, size);
            if (!rtcp) {
                b[2] = (uint8_t)(seq >> 8);
                b[3] = (uint8_t)seq;
            }
            seq = (seq + 1) & 0xffffu;
            lens[i] = (int)size;
            if (op == 1) {
                st = rtcp ? srtp_protect_rtcp_mki(tx, b, &lens[i], (unsigned)mki, 0)
                          : srtp_protect_mki(tx, b, &lens[i], (unsigned)mki, 0);
                if (st != srtp_err_status_ok)
                    goto failed;
            }
        }
        uint64_t t0 = now_ns();
        if (op == 0) {
            for (uint32_t i = 0; i < n; i++) {
                st = rtcp ? srtp_protect_rtcp_mki(tx, chunk + i * stride, &lens[i], (unsigned)mki, 0)
                          : srtp_protect_mki(tx, chunk + i * stride, &lens[i], (unsigned)mki, 0);
                if (st != srtp_err_status_ok)
                    goto failed;
            }
        } else {
            for (uint32_t i = 0; i < n; i++) {
                st = rtcp ? srtp_unprotect_rtcp_mki(rx, chunk + i * stride, &lens[i], (unsigned)mki)
                          : srtp_unprotect_mki(rx, chunk + i * stride, &lens[i], (unsigned)mki);
                if (st != srtp_err_status_ok)
                    goto failed;
            }
        }
        elapsed += now_ns() - t0;
        done_count += n;
    }
    begin_ok();
    wr_u64(elapsed);
    wr_u64(done_count);
    wr_u32(BENCH_CHUNK);
    goto done;
failed:
    begin_error(KIND_SRTP, (int)st, "libsrtp failed during the bench");
done:
    if (tx)
        srtp_dealloc(tx);
    if (rx)
        srtp_dealloc(rx);
    memset(&key, 0, sizeof key);
    free(chunk);
    free(plain);
    free(lens);
}

/* ---------------------------------------------------------------------------------------------
 * Main loop.
 */
static int read_full(uint8_t *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t k = fread(b + got, 1, n - got, stdin);
        if (k == 0)
            return got == 0 ? 0 : -1; /* 0: clean EOF before anything; -1: EOF mid-item */
        got += k;
    }
    return 1;
}

int main(void)
{
    static uint8_t inbuf[1u << 16];
    static uint8_t outbuf[1u << 16];
    setvbuf(stdin, (char *)inbuf, _IOFBF, sizeof inbuf);
    setvbuf(stdout, (char *)outbuf, _IOFBF, sizeof outbuf);

    srtp_err_status_t st = srtp_init();
    if (st != srtp_err_status_ok) {
        fprintf(stderr, "harness: srtp_init failed: %d\n", (int)st);
        return 2;
    }
    probe_profiles();
    wr_reserve(1u << 16);

    uint8_t *req = NULL;
    size_t req_cap = 0;
    for (;;) {
        uint8_t hdr[4];
        int rc = read_full(hdr, 4);
        if (rc == 0)
            break;
        if (rc < 0) {
            fprintf(stderr, "harness: truncated frame header\n");
            return 1;
        }
        uint32_t len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
                       (uint32_t)hdr[3] << 24;
        if (len == 0) {
            begin_error(KIND_REQUEST, 0, "empty frame");
            if (send_response() != 0)
                return 1;
            continue;
        }
        if (len > MAX_FRAME) {
            /* The driver never sends this: the stream is out of step and cannot be trusted to
             * resynchronise. Say why, then stop. */
            begin_error(KIND_REQUEST, 0, "frame larger than 64 MiB");
            send_response();
            fprintf(stderr, "harness: frame of %u bytes, stopping\n", len);
            return 1;
        }
        if (len > req_cap) {
            uint8_t *q = realloc(req, len);
            if (!q) {
                fprintf(stderr, "harness: out of memory\n");
                return 3;
            }
            req = q;
            req_cap = len;
        }
        if (read_full(req, len) != 1) {
            fprintf(stderr, "harness: truncated frame body\n");
            return 1;
        }
        reader r = { req + 1, len - 1, 0, 0 };
        switch (req[0]) {
        case OP_HELLO: cmd_hello(&r); break;
        case OP_CREATE: cmd_create(&r); break;
        case OP_DESTROY: cmd_destroy(&r); break;
        case OP_PROTECT: cmd_transform(&r, 1); break;
        case OP_UNPROTECT: cmd_transform(&r, 0); break;
        case OP_SET_ROC: cmd_set_roc(&r); break;
        case OP_GET_ROC: cmd_get_roc(&r); break;
        case OP_BENCH: cmd_bench(&r); break;
        default: begin_error(KIND_REQUEST, 0, "unknown opcode"); break;
        }
        /* Requests carry key material: do not leave it in the buffer. */
        memset(req, 0, len);
        if (send_response() != 0)
            return 1;
        /* Keep memory bounded after a huge batch. */
        if (out.cap > (64u << 20)) {
            free(out.p);
            out.p = NULL;
            out.cap = 0;
            out.n = 0;
            wr_reserve(1u << 16);
        }
    }
    for (uint32_t i = 0; i < MAX_SESSIONS; i++) {
        if (sessions[i].in_use)
            srtp_dealloc(sessions[i].ctx);
    }
    free(req);
    free(out.p);
    srtp_shutdown();
    return 0;
}
