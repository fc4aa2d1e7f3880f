// Writes the seed corpus of the certificate targets with the openssl command line (an independent
// implementation, as the enterprise CA would be): node dist/tests/fuzz/make-corpus.js
// Run once; the files are committed under tests/fuzz/corpus/. Keys are throwaway test keys; the
// PKCS#12 files use the password "fuzz-password" and few PBKDF2 iterations, so the fuzzer spends its
// time in the parsers rather than in key derivation.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXT, TestCa, openssl, rmTmp, tmpDir } from "../host/certs/pki.js";
import { corpusDir } from "./engine/corpus.js";

const dir = tmpDir("corpus");
try {
  const root = TestCa.root(dir, "root", { subject: "/CN=Contoso Root CA/O=Contoso" });
  const inter = root.intermediate("issuing", { subject: "/CN=Contoso Issuing CA/O=Contoso" });
  const leaf = inter.issue({ subject: "/CN=gw1.contoso.com", ext: EXT.leaf(["gw1.contoso.com", "10.0.0.1"]) });
  const rsa = root.issue({ subject: "/CN=ms1.contoso.com", ext: [...EXT.leaf(["mspool.contoso.com", "ms1.contoso.com"]), "nameConstraints = critical, permitted;DNS:.contoso.com"], key: "rsa2048" });
  inter.revoke(leaf);
  const crlDer = inter.crl();
  const chainPem = leaf.pem + inter.cert.pem + root.cert.pem;
  writeFileSync(join(dir, "chain.pem"), chainPem);
  const p7b = openssl(["crl2pkcs7", "-nocrl", "-certfile", join(dir, "chain.pem"), "-outform", "DER"]);
  const crlPem = join(dir, "crl.pem");
  writeFileSync(crlPem, `-----BEGIN X509 CRL-----\n${Buffer.from(crlDer).toString("base64").match(/.{1,64}/g)!.join("\n")}\n-----END X509 CRL-----\n`);
  const p7bCrl = openssl(["crl2pkcs7", "-in", crlPem, "-certfile", join(dir, "chain.pem"), "-outform", "DER"]);
  const pw = join(dir, "pw.txt");
  writeFileSync(pw, "fuzz-password\n");
  const p12 = (extra: string[]) =>
    openssl(["pkcs12", "-export", "-inkey", leaf.keyFile, "-in", leaf.certFile, "-certfile", join(dir, "chain.pem"), "-passout", `file:${pw}`, "-iter", "16", ...extra]);
  const p12Aes = p12([]);
  const p12Legacy = p12(["-legacy"]);
  const p12NoMac = p12(["-nomac"]);
  const p12Sha1Mac = p12(["-macalg", "sha1"]);
  const files: Record<string, Record<string, Uint8Array>> = {
    x509: { "leaf-p256.der": leaf.der, "issuing-ca.der": inter.cert.der, "root-ca.der": root.cert.der, "ms-rsa2048-nc.der": rsa.der },
    crl: { "issuing.crl": crlDer },
    pem: { "chain.pem": Buffer.from(chainPem), "crl.pem": readFileSync(crlPem), "with-text.pem": Buffer.from(`subject=CN = gw1.contoso.com\nissuer=CN = Contoso Issuing CA\n${leaf.pem}`) },
    pkcs7: { "chain.p7b": p7b, "chain-crl.p7b": p7bCrl },
    pkcs12: { "aes-pbes2.p12": p12Aes, "legacy-3des.p12": p12Legacy, "no-mac.p12": p12NoMac, "sha1-mac.p12": p12Sha1Mac },
    "cert-input": { "leaf.der": leaf.der, "chain.pem": Buffer.from(chainPem), "chain.p7b": p7b, "aes.p12": p12Aes, "issuing.crl": crlDer },
  };
  for (const [target, entries] of Object.entries(files)) {
    const d = corpusDir(target);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    for (const [name, data] of Object.entries(entries)) writeFileSync(join(d, name), data);
    process.stdout.write(`${target}: ${Object.keys(entries).length} files\n`);
  }
} finally {
  rmTmp(dir);
}
