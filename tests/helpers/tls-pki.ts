// Test PKI for the mutual-TLS suites, made with the `openssl` command line (the certs engineer's
// TestCa in tests/host/certs/pki.ts), in the shapes a Skype for Business deployment has:
//   Contoso Root CA → Contoso Issuing CA →
//     pool      CN=ms-pool.contoso.com, SAN ms-pool + ms1 + ms2, EKU serverAuth only (the usual template)
//     gateway   CN=gw1.contoso.com,     SAN gw1,                 EKU serverAuth + clientAuth
//     expired / revoked / wrong-name / client-only (clientAuth EKU) pool variants
//   Evil Root CA → Evil Issuing CA → a pool certificate nobody trusts
// One PKI per key kind (RSA-2048, ECDSA P-256). Generated once and cached on disk under
// tests/.tmp (shared by every test file of a run; a new one every 12 hours, published by an atomic
// rename and never replaced in place, so concurrent test processes cannot see a mix), since RSA key
// generation is slow. Each test file builds its own CertStore from the files, in a temporary
// directory removed when the process exits.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CertStore } from "../../host/certs/cert-store.js";
import { EXT, TestCa, daysFromNow, openssl, tmpDir, type Issued, type TestKey } from "../host/certs/pki.js";
import { TMP_DIR } from "./paths.js";

export const POOL = "ms-pool.contoso.com";
export const POOL_MEMBERS = ["ms1.contoso.com", "ms2.contoso.com"];
export const GATEWAY = "gw1.contoso.com";
export type PkiKind = "rsa2048" | "p256";
export const PKI_KINDS: PkiKind[] = ["rsa2048", "p256"];

const CACHE_VERSION = "v1";
const MAX_AGE_MS = 12 * 3600_000;

export interface TlsIdentityFiles {
  keyFile: string;
  /** leaf + issuing CA, PEM */
  chainPem: string;
  certPem: string;
  der: Uint8Array;
}

export interface TlsPki {
  kind: PkiKind;
  dir: string;
  rootPem: string;
  rootDer: Uint8Array;
  issuingPem: string;
  /** DER CRLs of the issuing CA (lists `revoked`) and of the root. */
  crls: Uint8Array[];
  pool: TlsIdentityFiles;
  gateway: TlsIdentityFiles;
  expired: TlsIdentityFiles;
  revoked: TlsIdentityFiles;
  wrongName: TlsIdentityFiles;
  /** EKU clientAuth only (names the pool): refused as a server certificate, accepted from a client */
  clientOnly: TlsIdentityFiles;
  /** Chains to the untrusted Evil Root; names the pool. */
  untrusted: TlsIdentityFiles;
  evilRootPem: string;
}

const leafExt = (dns: string[], eku: string) => [
  "basicConstraints = CA:FALSE",
  "keyUsage = critical, digitalSignature, keyEncipherment",
  `extendedKeyUsage = ${eku}`,
  `subjectAltName = ${dns.map((d) => `DNS:${d}`).join(", ")}`,
  "subjectKeyIdentifier = hash",
  "authorityKeyIdentifier = keyid",
];

function files(i: Issued, issuingPem: string): TlsIdentityFiles {
  return { keyFile: i.keyFile, certPem: i.pem, chainPem: i.pem + issuingPem, der: i.der };
}

interface Manifest {
  rootPem: string;
  issuingPem: string;
  crls: string[];
  evilRootPem: string;
  ids: Record<string, { keyFile: string; certPem: string; chainPem: string }>;
}

function generate(dir: string, kind: PkiKind): Manifest {
  const key: TestKey = kind;
  const root = TestCa.root(dir, "Root", { subject: "/CN=Contoso Root CA/O=Contoso", key });
  const issuing = root.intermediate("Issuing", { subject: "/CN=Contoso Issuing CA/O=Contoso", key });
  const pool = issuing.issue({ subject: `/CN=${POOL}`, ext: leafExt([POOL, ...POOL_MEMBERS], "serverAuth"), key });
  const gateway = issuing.issue({ subject: `/CN=${GATEWAY}`, ext: leafExt([GATEWAY], "serverAuth, clientAuth"), key });
  const expired = issuing.issue({ subject: `/CN=${POOL}`, ext: leafExt([POOL, ...POOL_MEMBERS], "serverAuth"), key, notBefore: daysFromNow(-400), notAfter: daysFromNow(-2) });
  const revoked = issuing.issue({ subject: `/CN=${POOL}`, ext: leafExt([POOL, ...POOL_MEMBERS], "serverAuth"), key });
  const wrongName = issuing.issue({ subject: "/CN=other.fabrikam.com", ext: leafExt(["other.fabrikam.com"], "serverAuth, clientAuth"), key });
  const clientOnly = issuing.issue({ subject: `/CN=${POOL}`, ext: leafExt([POOL, ...POOL_MEMBERS], "clientAuth"), key });
  issuing.revoke(revoked);
  const crls = [issuing.crl(), root.crl()];
  const evil = TestCa.root(dir, "EvilRoot", { subject: "/CN=Contoso Root CA/O=Evil", key });
  const evilIssuing = evil.intermediate("EvilIssuing", { subject: "/CN=Contoso Issuing CA/O=Evil", key });
  const untrusted = evilIssuing.issue({ subject: `/CN=${POOL}`, ext: leafExt([POOL, ...POOL_MEMBERS], "serverAuth, clientAuth"), key });
  const ids: Manifest["ids"] = {};
  const put = (name: string, i: Issued, chainCa: string) => {
    ids[name] = { keyFile: i.keyFile, certPem: i.pem, chainPem: i.pem + chainCa };
  };
  for (const [n, i] of Object.entries({ pool, gateway, expired, revoked, wrongName, clientOnly })) put(n, i, issuing.cert.pem);
  put("untrusted", untrusted, evilIssuing.cert.pem);
  return {
    rootPem: root.cert.pem,
    issuingPem: issuing.cert.pem,
    crls: crls.map((c) => Buffer.from(c).toString("base64")),
    evilRootPem: evil.cert.pem,
    ids,
  };
}

function pemDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)!;
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
}

function fromManifest(kind: PkiKind, dir: string, m: Manifest): TlsPki {
  const id = (n: string): TlsIdentityFiles => ({ ...m.ids[n]!, der: pemDer(m.ids[n]!.certPem) });
  return {
    kind, dir, rootPem: m.rootPem, rootDer: pemDer(m.rootPem), issuingPem: m.issuingPem, crls: m.crls.map((c) => new Uint8Array(Buffer.from(c, "base64"))),
    pool: id("pool"), gateway: id("gateway"), expired: id("expired"), revoked: id("revoked"), wrongName: id("wrongName"), clientOnly: id("clientOnly"),
    untrusted: id("untrusted"), evilRootPem: m.evilRootPem,
  };
}

/** The PKI of one key kind, from the on-disk cache or freshly generated (atomically published). */
export function tlsPki(kind: PkiKind): TlsPki {
  const cacheRoot = join(TMP_DIR, `tls-pki-${CACHE_VERSION}`);
  const period = Math.floor(Date.now() / MAX_AGE_MS);
  const final = join(cacheRoot, `${kind}-${period}`);
  const manifest = join(final, "manifest.json");
  if (!existsSync(manifest)) {
    mkdirSync(cacheRoot, { recursive: true });
    const work = tmpDir(`tls-pki-${kind}`);
    // file paths in the manifest must point into the published directory
    const m = generate(work, kind);
    writeFileSync(join(work, "manifest.json"), JSON.stringify(m).split(work).join(final));
    try {
      renameSync(work, final); // fails when another process published first: use theirs
    } catch {
      rmSync(work, { recursive: true, force: true });
    }
    // PKIs of earlier periods (best effort: a process still using one has read its files already)
    for (const n of readdirSync(cacheRoot)) {
      const m2 = /^(rsa2048|p256)-(\d+)$/.exec(n);
      if (m2 && Number(m2[2]) < period - 1) rmSync(join(cacheRoot, n), { recursive: true, force: true });
    }
  }
  return fromManifest(kind, final, JSON.parse(readFileSync(manifest, "utf8")) as Manifest);
}

const cleanup = new Set<string>();
/** A temporary directory removed when the process exits. */
export function scratchDir(prefix: string): string {
  const d = tmpDir(prefix);
  if (cleanup.size === 0) process.once("exit", () => cleanup.forEach((x) => rmSync(x, { recursive: true, force: true })));
  cleanup.add(d);
  return d;
}

/** PEM private key of an identity (for Node's tls / openssl). */
export function keyPem(id: TlsIdentityFiles): string {
  return readFileSync(id.keyFile, "utf8");
}

/** Node `tls` options for a Mediation Server presenting `id` and trusting `pki`'s root. */
export function nodeTlsOptions(pki: TlsPki, id: TlsIdentityFiles = pki.pool): { key: string; cert: string; ca: string[] } {
  return { key: keyPem(id), cert: id.chainPem, ca: [pki.rootPem] };
}

export interface GatewayStore {
  store: CertStore;
  dir: string;
}

/**
 * A CertStore holding the gateway identity `id` (default pki.gateway) as identity `name`, trusting
 * pki's root, with both CRLs imported. Imported from a PKCS#12 made by openssl.
 */
export async function gatewayStore(pki: TlsPki, o: { id?: TlsIdentityFiles; name?: string; crls?: boolean; dir?: string } = {}): Promise<GatewayStore> {
  const dir = o.dir ?? scratchDir(`gwstore-${pki.kind}`);
  const store = await CertStore.open(join(dir, "store"));
  const id = o.id ?? pki.gateway;
  const chainFile = join(dir, "chain.pem");
  writeFileSync(chainFile, id.chainPem);
  const p12 = openssl(["pkcs12", "-export", "-inkey", id.keyFile, "-in", chainFile, "-passout", "pass:gwsdk-test"]);
  await store.trustAdd(Buffer.from(pki.rootPem), "root.pem");
  await store.import(p12, { password: "gwsdk-test", ...(o.name ? { name: o.name } : {}) });
  if (o.crls !== false) for (const c of pki.crls) await store.crlImport(c);
  return { store, dir };
}

export { EXT, openssl };
