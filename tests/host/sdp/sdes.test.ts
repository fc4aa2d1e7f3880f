// a=crypto parsing and formatting (RFC 4568 §9.1 grammar, our limits: MKI 1..4 bytes, lifetime ≤ 2^48).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SdpError } from "../../../host/sdp/errors.js";
import { checkSessionParams, decodeBase64Strict, formatCryptoAttribute, mkiBytes, parseCryptoAttribute } from "../../../host/sdp/sdes.js";
import { toHex } from "../../helpers/vectors.js";

const KS30 = Buffer.from(Array.from({ length: 30 }, (_, i) => i * 3)).toString("base64"); // 40 chars
const is = (c: string) => (e: unknown) => e instanceof SdpError && e.code === c;

test("the Skype for Business form: |2^31|1:1 and |2^31", () => {
  const a = parseCryptoAttribute(`2 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31|1:1`);
  assert.equal(a.tag, 2);
  assert.equal(a.profile, "AES_CM_128_HMAC_SHA1_80");
  assert.equal(a.keyParams.length, 1);
  const k = a.keyParams[0]!;
  assert.equal(k.key.length, 16);
  assert.equal(k.salt.length, 14);
  assert.equal(toHex(Buffer.concat([k.key, k.salt])), Buffer.from(KS30, "base64").toString("hex"));
  assert.equal(k.lifetime, 2 ** 31);
  assert.deepEqual(k.mki, { value: 1, length: 1 });
  assert.deepEqual([...mkiBytes(k.mki!)], [1]);
  const b = parseCryptoAttribute(`3 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31`);
  assert.equal(b.keyParams[0]!.mki, undefined);
  assert.equal(formatCryptoAttribute(a), `2 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31|1:1`);
  assert.equal(formatCryptoAttribute(b), `3 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31`);
});

test("RFC 4568 §9.1 example: MKI length 32 is beyond our 4-byte maximum", () => {
  // a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32 (RFC 4568 §9.1)
  assert.throws(() => parseCryptoAttribute("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32"), is("ERR_SDP_MKI"));
  const ok = parseCryptoAttribute("1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4");
  assert.equal(ok.keyParams[0]!.lifetime, 2 ** 20);
  assert.deepEqual([...mkiBytes(ok.keyParams[0]!.mki!)], [0, 0, 0, 1]);
});

test("key lengths per suite, AES-256 with base64 padding, GCM", () => {
  const k46 = Buffer.alloc(46, 7).toString("base64");
  assert.ok(k46.endsWith("=="));
  const a = parseCryptoAttribute(`1 AES_256_CM_HMAC_SHA1_80 inline:${k46}`);
  assert.equal(a.keyParams[0]!.key.length, 32);
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${k46}`), is("ERR_SDP_KEY_LENGTH"));
  const k28 = Buffer.alloc(28, 1).toString("base64");
  assert.equal(parseCryptoAttribute(`1 AEAD_AES_128_GCM inline:${k28}`).keyParams[0]!.salt.length, 12);
  const k29 = Buffer.alloc(29, 1).toString("base64");
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${k29}`), is("ERR_SDP_KEY_LENGTH"));
});

test("invalid base64 is ERR_SDP_BASE64 (bad alphabet, bad padding, non-canonical)", () => {
  for (const b of ["!!!!" + KS30.slice(4), KS30.slice(0, 39), KS30 + "=", "AB==", KS30.replace("A", "-"), ""]) {
    assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${b}|2^31`), is("ERR_SDP_BASE64"), b);
  }
  assert.equal(decodeBase64Strict("AA==").length, 1);
});

test("lifetime: 2^n or decimal, 1..2^48, before the MKI", () => {
  assert.equal(parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|1048576`).keyParams[0]!.lifetime, 1048576);
  for (const l of ["2^49", "0", "2^", "2^x", "-5", "1e6", "281474976710657"]) {
    assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|${l}`), is("ERR_SDP_LIFETIME"), l);
  }
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|1:1|2^31`), is("ERR_SDP_LIFETIME"));
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31|2^20`), is("ERR_SDP_LIFETIME"));
});

test("MKI: value:length with length 1..4 and a value that fits", () => {
  for (const m of ["1:0", "1:5", "256:1", "65536:2", "a:1", "1:", ":1", "1:1:1"]) {
    assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31|${m}`), is("ERR_SDP_MKI"), m);
  }
  assert.deepEqual(parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|255:1`).keyParams[0]!.mki, { value: 255, length: 1 });
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|1:1|2:1`), is("ERR_SDP_MKI"));
});

test("several keys in one line need distinct MKIs of one length", () => {
  const two = parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31|1:1;inline:${KS30}|2^31|2:1`);
  assert.equal(two.keyParams.length, 2);
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31;inline:${KS30}|2^31|2:1`), is("ERR_SDP_MKI"));
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|1:1;inline:${KS30}|1:1`), is("ERR_SDP_MKI"));
  assert.throws(() => parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|1:1;inline:${KS30}|2:2`), is("ERR_SDP_MKI"));
});

test("syntax: tag, suite, key method", () => {
  for (const v of [
    "",
    "1",
    "1 AES_CM_128_HMAC_SHA1_80",
    `x AES_CM_128_HMAC_SHA1_80 inline:${KS30}`,
    `1234567890 AES_CM_128_HMAC_SHA1_80 inline:${KS30}`,
    `1 AES-CM inline:${KS30}`,
    `1 AES_CM_128_HMAC_SHA1_80 uri:${KS30}`,
    `1 AES_CM_128_HMAC_SHA1_80 inline:${KS30}|2^31|1:1|x`,
  ]) {
    assert.throws(() => parseCryptoAttribute(v), (e: unknown) => e instanceof SdpError, v);
  }
});

test("unknown suites are not errors: the line has no profile", () => {
  const a = parseCryptoAttribute("1 F8_128_HMAC_SHA1_80 inline:anything-goes");
  assert.equal(a.profile, undefined);
  assert.equal(a.suite, "F8_128_HMAC_SHA1_80");
});

test("session parameters: WSH and -optional accepted, the rest refused", () => {
  checkSessionParams(["WSH=128", "-x-ms-thing"]);
  for (const p of ["KDR=1", "UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP", "FEC_ORDER=FEC_SRTP", "WSH=10", "FOO"]) {
    assert.throws(() => checkSessionParams([p]), is("ERR_SDP_SESSION_PARAM"), p);
  }
  const a = parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${KS30} WSH=64 UNENCRYPTED_SRTP`);
  assert.deepEqual(a.sessionParams, ["WSH=64", "UNENCRYPTED_SRTP"]);
});

test("hostile input never throws anything but SdpError (property)", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        parseCryptoAttribute(s);
      } catch (e) {
        return e instanceof SdpError;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 60 }), (s) => {
      try {
        parseCryptoAttribute(`1 AES_CM_128_HMAC_SHA1_80 inline:${s}`);
      } catch (e) {
        return e instanceof SdpError;
      }
      return true;
    }),
    { numRuns: 500 },
  );
});
