// The primitives the SRTP engine uses, gathered in one place: AES (counter mode), HMAC-SHA1 with a
// reusable key context, and AES-GCM. Each lives in its own crypto module; this file only re-exports
// their internal AssemblyScript API so the engine names one import.
export { AES_CTX_SIZE, CTR_MODE_CM, aesKeyInit, aesCtrXor } from "../crypto/aes/aes";
export { ALG_SHA1 } from "../crypto/hash/sha";
export { HMAC_KEY_SIZE, hmacKeyInit, hmacCompute } from "../crypto/hash/hmac";
// TEMPORARY until the gcm branch lands: GCM profiles refuse every packet. Replace with
// export { GCM_CTX_SIZE, gcmKeyInit, gcmSeal, gcmOpen } from "../crypto/gcm/gcm";
export const GCM_READY: bool = false;
export const GCM_CTX_SIZE: usize = 16;
export function gcmKeyInit(ctx: usize, key: usize, keyLen: i32): i32 { return 0; }
export function gcmSeal(ctx: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize, src: usize, dst: usize, len: usize, tag: usize, tagLen: usize): void { unreachable(); }
export function gcmOpen(ctx: usize, iv: usize, ivLen: usize, aad: usize, aadLen: usize, src: usize, dst: usize, len: usize, tag: usize, tagLen: usize): i32 { return -5; }
