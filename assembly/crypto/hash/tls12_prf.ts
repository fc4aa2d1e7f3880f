// The TLS 1.2 pseudorandom function (RFC 5246 §5):
//   PRF(secret, label, seed) = P_<hash>(secret, label || seed)
//   P_hash(secret, seed) = HMAC_hash(secret, A(1) || seed) || HMAC_hash(secret, A(2) || seed) || ...
//   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
// with SHA-256 for every TLS 1.2 suite we speak except the *_SHA384 ones (RFC 5288 §3, RFC 5289 §3.2).
//
// Constant time: everything is HMAC (see hmac.ts); loops run over the public output length.
import { shaDigestLen } from "./sha";
import { hmacCompute, hmacFinal, hmacInit, hmacKeyInit, hmacUpdate } from "./hmac";
import { copySmall } from "./bytes";
import { KDF_BLOCK, KDF_KEY, KDF_MAC, KDF_PREV, kdfWipe } from "./kdf_scratch";

/**
 * Writes outLen bytes of P_hash(secret, label || seed) to out (alg ALG_SHA256 or ALG_SHA384 for
 * TLS 1.2; the construction itself works with any of the four). The label and seed are read for
 * every block, so out must not overlap them; it may overlap the secret (absorbed first).
 */
export function tls12Prf(
  alg: i32, secret: usize, secretLen: usize, label: usize, labelLen: usize,
  seed: usize, seedLen: usize, out: usize, outLen: usize,
): void {
  const dl = shaDigestLen(alg);
  hmacKeyInit(KDF_KEY, alg, secret, secretLen);
  // A(1) = HMAC(secret, label || seed)
  hmacInit(KDF_MAC, KDF_KEY);
  hmacUpdate(KDF_MAC, label, labelLen);
  hmacUpdate(KDF_MAC, seed, seedLen);
  hmacFinal(KDF_MAC, KDF_PREV, dl);
  let done: usize = 0;
  while (done < outLen) {
    hmacInit(KDF_MAC, KDF_KEY);
    hmacUpdate(KDF_MAC, KDF_PREV, dl);
    hmacUpdate(KDF_MAC, label, labelLen);
    hmacUpdate(KDF_MAC, seed, seedLen);
    hmacFinal(KDF_MAC, KDF_BLOCK, dl);
    let take = outLen - done;
    if (take > dl) take = dl;
    copySmall(out + done, KDF_BLOCK, take);
    done += take;
    // A(i+1) = HMAC(secret, A(i)); hmacCompute reads all of its input before writing its output.
    if (done < outLen) hmacCompute(KDF_KEY, KDF_PREV, dl, KDF_PREV, dl);
  }
  kdfWipe();
}
