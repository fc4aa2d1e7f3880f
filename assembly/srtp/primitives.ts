// The primitives the SRTP engine uses, gathered in one place: AES (counter mode), HMAC-SHA1 with a
// reusable key context, and AES-GCM. Each lives in its own crypto module; this file only re-exports
// their internal AssemblyScript API so the engine names one import.
export { AES_CTX_SIZE, CTR_MODE_CM, aesKeyInit, aesCtrXor } from "../crypto/aes/aes";
export { ALG_SHA1 } from "../crypto/hash/sha";
export { HMAC_KEY_SIZE, hmacKeyInit, hmacCompute } from "../crypto/hash/hmac";
export { GCM_CTX_SIZE, gcmKeyInit, gcmSeal, gcmOpen } from "../crypto/gcm/gcm";
