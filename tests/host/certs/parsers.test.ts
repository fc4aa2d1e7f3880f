// Unit tests that need no openssl: the strict DER reader, RFC 6125 name matching, PEM decoding,
// sealing envelopes, and the PKCS#12 KDF against pkijs's independent implementation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, webcrypto } from "node:crypto";
import * as pkijs from "pkijs";
import fc from "fast-check";
import { DerError, DerReader, TAG, parseOid, parseTime, integerBytes, parseBitString } from "../../../host/certs/der.js";
import { ipToBytes, matchDnsPattern, normalizeDnsName } from "../../../host/certs/names.js";
import { decodePem, toPem } from "../../../host/certs/pem.js";
import { deriveSealKeys, openAuthenticated, openEncrypted, sealAuthenticated, sealEncrypted } from "../../../host/certs/sealed.js";
import { pkcs12Kdf } from "../../../host/certs/pkcs12.js";
import { CertError } from "../../../host/certs/errors.js";
import { formatIp } from "../../../host/certs/x509.js";
import { CertVerifyError } from "../../../host/certs/verify.js";
import { GwsdkError } from "../../../host/errors.js";

const der = (...b: number[]) => new Uint8Array(b);

test("DER reader: accepts DER, refuses BER and truncation", () => {
  const r = new DerReader(der(0x30, 0x03, 0x02, 0x01, 0x05));
  const seq = r.read();
  assert.equal(seq.tag, TAG.SEQUENCE);
  assert.deepEqual(integerBytes(DerReader.of(seq).read()), der(5));
  const bad: [string, Uint8Array][] = [
    ["indefinite length", der(0x30, 0x80, 0x00, 0x00)],
    ["non-minimal long length", der(0x04, 0x81, 0x05, 1, 2, 3, 4, 5)],
    ["leading zero length byte", der(0x04, 0x82, 0x00, 0x85, ...new Array(0x85).fill(0))],
    ["runs past the end", der(0x04, 0x05, 1, 2)],
    ["truncated header", der(0x04)],
    ["multi-byte tag", der(0x1f, 0x81, 0x01, 0x00)],
  ];
  for (const [what, b] of bad) assert.throws(() => new DerReader(b).read(), DerError, what);
  assert.throws(() => integerBytes({ tag: TAG.INTEGER, raw: der(), value: der(0x00, 0x05) }), DerError, "non-minimal INTEGER");
  assert.throws(() => integerBytes({ tag: TAG.INTEGER, raw: der(), value: der(0xff, 0x85) }), DerError);
  assert.throws(() => parseBitString({ tag: TAG.BIT_STRING, raw: der(), value: der(0x03, 0x07) }), DerError, "non-zero padding bits");
  assert.throws(() => parseBitString({ tag: TAG.BIT_STRING, raw: der(), value: der(0x08, 0x00) }), DerError);
});

test("DER reader: OIDs and times", () => {
  const oid = (...b: number[]) => parseOid({ tag: TAG.OID, raw: der(), value: der(...b) });
  assert.equal(oid(0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b), "1.2.840.113549.1.1.11");
  assert.equal(oid(0x55, 0x1d, 0x25, 0x00), "2.5.29.37.0");
  assert.equal(oid(0x88, 0x37, 0x01), "2.999.1");
  assert.throws(() => oid(0x2a, 0x80, 0x01), DerError, "non-minimal arc");
  assert.throws(() => oid(0x2a, 0x86), DerError, "truncated arc");
  const time = (tag: number, s: string) => parseTime({ tag, raw: der(), value: new Uint8Array(Buffer.from(s)) });
  assert.equal(time(TAG.UTC_TIME, "491231235959Z").toISOString(), "2049-12-31T23:59:59.000Z");
  assert.equal(time(TAG.UTC_TIME, "500101000000Z").toISOString(), "1950-01-01T00:00:00.000Z");
  assert.equal(time(TAG.GENERALIZED_TIME, "20500101000000Z").toISOString(), "2050-01-01T00:00:00.000Z");
  for (const s of ["4912312359Z", "491231235959+0100", "491232000000Z", "490230000000Z", "491231240000Z"]) assert.throws(() => time(TAG.UTC_TIME, s), DerError, s);
  assert.throws(() => time(TAG.GENERALIZED_TIME, "20500101000000.5Z"), DerError);
});

test("DER reader: random bytes only ever raise DerError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      try {
        const r = new DerReader(b);
        while (!r.done) {
          const t = r.read();
          if (t.tag === TAG.OID) parseOid(t);
          if (t.tag === TAG.SEQUENCE) DerReader.of(t).read();
        }
      } catch (e) {
        if (!(e instanceof DerError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});

test("RFC 6125 DNS matching", () => {
  const yes: [string, string][] = [
    ["gw1.contoso.com", "gw1.contoso.com"],
    ["GW1.Contoso.COM", "gw1.contoso.com."],
    ["*.contoso.com", "gw1.contoso.com"],
    ["*.pool.contoso.com", "ms1.pool.contoso.com"],
  ];
  const no: [string, string][] = [
    ["*.contoso.com", "contoso.com"],
    ["*.contoso.com", "a.b.contoso.com"],
    ["*.com", "contoso.com"],
    ["gw*.contoso.com", "gw1.contoso.com"],
    ["*gw.contoso.com", "agw.contoso.com"],
    ["gw1.*.com", "gw1.contoso.com"],
    ["*.*.contoso.com", "a.b.contoso.com"],
    ["gw1.contoso.com", "gw1.contoso.com.evil.com"],
    ["gw1.contoso.com", "gw1_contoso.com"],
    ["", ""],
  ];
  for (const [p, r] of yes) assert.ok(matchDnsPattern(p, r), `${p} ~ ${r}`);
  for (const [p, r] of no) assert.ok(!matchDnsPattern(p, r), `${p} !~ ${r}`);
  assert.equal(normalizeDnsName("bad..name"), undefined);
  assert.equal(normalizeDnsName("-bad.name"), undefined);
  assert.equal(normalizeDnsName("xn--bcher-kva.example"), "xn--bcher-kva.example");
});

test("IP addresses: parse and RFC 5952 formatting round-trip", () => {
  for (const [text, canon] of [
    ["10.0.0.5", "10.0.0.5"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::1", "::1"],
    ["::", "::"],
    ["fe80::1:0:0:1", "fe80::1:0:0:1"],
    ["::ffff:10.0.0.1", "::ffff:a00:1"],
  ] as const) {
    const b = ipToBytes(text);
    assert.ok(b, text);
    assert.equal(formatIp(b), canon, text);
  }
  assert.equal(ipToBytes("gw1.contoso.com"), undefined);
  assert.equal(ipToBytes("300.1.1.1"), undefined);
});

test("PEM: several blocks, truncation and damaged base64 refused", () => {
  const a = toPem("CERTIFICATE", new Uint8Array([1, 2, 3]));
  const b = toPem("X509 CRL", new Uint8Array(100).fill(7));
  const blocks = decodePem(`subject=CN = x\n${a}junk between\r\n${b}`);
  assert.deepEqual(blocks.map((x) => x.label), ["CERTIFICATE", "X509 CRL"]);
  assert.deepEqual(blocks[1]!.der, new Uint8Array(100).fill(7));
  assert.throws(() => decodePem(a.slice(0, -30)), (e: unknown) => e instanceof CertError && e.code === "ERR_CERT_PARSE" && /truncated/.test(e.message));
  assert.throws(() => decodePem(a.replace("AQID", "AQ*D")), (e: unknown) => e instanceof CertError && e.code === "ERR_CERT_PARSE");
  assert.throws(() => decodePem(a.replace("END CERTIFICATE", "END X509 CRL")), (e: unknown) => e instanceof CertError && e.code === "ERR_CERT_PARSE");
});

test("sealing: round trip; any flipped bit, another name or another device key is detected", () => {
  const keys = deriveSealKeys(randomBytes(32));
  const other = deriveSealKeys(randomBytes(32));
  const secret = randomBytes(100);
  const enc = sealEncrypted(keys, "identities/a.identity", secret);
  assert.deepEqual(openEncrypted(keys, "identities/a.identity", enc, "f"), secret);
  const auth = sealAuthenticated(keys, "trust/x.anchor", Buffer.from("payload"));
  assert.equal(Buffer.from(openAuthenticated(keys, "trust/x.anchor", auth, "f")).toString(), "payload");
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as CertError).code;
    }
    return "none";
  };
  for (let bit = 0; bit < enc.length * 8; bit += 7) {
    const t = Uint8Array.from(enc);
    t[bit >> 3]! ^= 1 << (bit & 7);
    assert.notEqual(code(() => openEncrypted(keys, "identities/a.identity", t, "f")), "none", `bit ${bit}`);
  }
  assert.equal(code(() => openEncrypted(keys, "identities/b.identity", enc, "f")), "ERR_CERT_STORE_CORRUPT");
  assert.equal(code(() => openAuthenticated(keys, "trust/y.anchor", auth, "f")), "ERR_CERT_STORE_CORRUPT");
  assert.equal(code(() => openEncrypted(other, "identities/a.identity", enc, "f")), "ERR_CERT_DEVICE_KEY");
  assert.equal(code(() => openAuthenticated(keys, "trust/x.anchor", enc, "f")), "ERR_CERT_STORE_CORRUPT"); // kind mismatch
  assert.equal(code(() => openAuthenticated(keys, "x", auth.subarray(0, 10), "f")), "ERR_CERT_STORE_CORRUPT");
});

test("PKCS#12 KDF: equal to pkijs's independent implementation (MAC with SHA-1 and SHA-256)", async () => {
  const engine = new pkijs.CryptoEngine({ name: "t", crypto: webcrypto as unknown as Crypto });
  for (const [oid, name] of [["1.3.14.3.2.26", "SHA-1"], ["2.16.840.1.101.3.4.2.1", "SHA-256"]] as const) {
    for (const pw of ["", "secret", "pässwörd €"]) {
      const salt = randomBytes(20);
      const data = randomBytes(50);
      const stamp = await engine.stampDataWithPassword({ password: new TextEncoder().encode(pw).buffer, hashAlgorithm: name, salt: salt.buffer.slice(salt.byteOffset, salt.byteOffset + 20), iterationCount: 1000, contentToStamp: Uint8Array.from(data).buffer });
      const { createHmac } = await import("node:crypto");
      const key = pkcs12Kdf(oid, pw, salt, 3, 1000, name === "SHA-1" ? 20 : 32);
      const mine = createHmac(name === "SHA-1" ? "sha1" : "sha256", key).update(data).digest();
      assert.deepEqual(mine, Buffer.from(stamp), `${name} "${pw}"`);
    }
  }
  // several output blocks (id 1 = cipher key, 24 bytes from SHA-1 needs two blocks)
  assert.equal(pkcs12Kdf("1.3.14.3.2.26", "x", randomBytes(8), 1, 10, 24).length, 24);
});

test("error classes: CertVerifyError is a CertError is a GwsdkError, with stable codes", () => {
  const e = new CertVerifyError("revoked", 0, "m");
  assert.ok(e instanceof CertError && e instanceof GwsdkError);
  assert.equal(e.code, "ERR_CERT_REVOKED");
  assert.equal(e.name, "CertVerifyError");
});
