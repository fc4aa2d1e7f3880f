// The primitives the SRTP engine uses, gathered in one place: AES (counter mode), HMAC-SHA1 with a
// compact reusable key context, and AES-GCM. Each lives in its own crypto module; this file only
// re-exports their internal AssemblyScript API so the engine names one import.
export { AES_BATCH_BLOCKS, AES_CTX_SIZE, AES_KEEP_MAX, CTR_MODE_CM, aesCtxSize, aesKeyInit, aesCtrXor, aesCtrXorKeep } from "../crypto/aes/aes";
export { lanesAdd, lanesAddRaw, lanesAddStream, lanesEnd, lanesFlush, lanesFree } from "../crypto/aes/ctr_lanes";
export { HMAC_SHA1_KEY_SIZE, hmacSha1KeyInit, hmacSha1Compute } from "../crypto/hash/hmac_sha1";
export { GCM_CTX_SIZE, gcmCtxSize, gcmKeyInit, gcmSeal, gcmOpen } from "../crypto/gcm/gcm";
