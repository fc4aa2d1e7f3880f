// The hash module's internal AssemblyScript API, for the SRTP and TLS modules to call directly
// (no bounds or state checks: the exports in exports.ts do those for the host).
export {
  ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512, SHA_CTX_SIZE, SHA_MAX_DIGEST, SHA_MAX_BLOCK,
  shaAlgValid, shaCtxLive, shaCtxRuns, shaDigestLen, shaBlockLen, shaInit, shaUpdate, shaFinal, shaSnapshot, shaDigest,
} from "./sha";
export {
  HMAC_KEY_SIZE, HMAC_CTX_SIZE, hmacKeyInit, hmacInit, hmacUpdate, hmacFinal, hmacCompute, hmacVerify,
} from "./hmac";
export { HKDF_LABEL_MAX, HKDF_CONTEXT_MAX, hkdfExtract, hkdfExpand, hkdfExpandLabel } from "./hkdf";
export { tls12Prf } from "./tls12_prf";
