// The console's HTTPS identity. The management plane uses Node's `https` (the signalling plane's TLS
// stays ours). Choices:
//   "auto"     the gateway identity from the certificate store once it has a certificate, else the
//              console's own self-signed one (the default: a fresh device is reachable at once, and
//              switches to the enterprise-CA certificate as soon as one is enrolled)
//   "gateway"  the gateway identity only (the console refuses to start without one)
//   "console"  the console's own self-signed identity only
//   { key, cert }  PEM supplied by the board
// The self-signed identity lives in the state directory: console-tls.key (0600) and console-tls.crt,
// made on first use and again when it nears expiry.
import { X509Certificate, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { CertStore } from "../certs/cert-store.js";
import { atomicWriteFile } from "../util/atomic-file.js";
import { ConsoleError } from "./errors.js";

export type ConsoleTlsChoice = "auto" | "gateway" | "console" | { key: string; cert: string };

export interface ConsoleTlsCredentials {
  key: string;
  cert: string;
  source: "gateway" | "console" | "provided";
  /** The store identity, for source "gateway". */
  identity?: string;
  subject: string;
  fingerprintSha256: string;
  notAfter: string;
}

export interface ConsoleTlsParams {
  choice: ConsoleTlsChoice;
  /** Store identity used for "gateway"/"auto" (default "default"). */
  identity?: string;
  store?: CertStore;
  stateDir: string;
  /** Names for the self-signed certificate's SAN. */
  dnsNames: string[];
  ipAddresses: string[];
}

const DAY = 86_400_000;
const SELF_SIGNED_DAYS = 825;
const RENEW_BEFORE_DAYS = 30;

function describe(certPem: string): { subject: string; fingerprintSha256: string; notAfter: Date } {
  const x = new X509Certificate(certPem);
  return { subject: x.subject.split("\n").reverse().join(", "), fingerprintSha256: x.fingerprint256.replace(/:/g, "").toLowerCase(), notAfter: new Date(x.validTo) };
}

async function gatewayCredentials(store: CertStore, identity: string): Promise<ConsoleTlsCredentials> {
  const o = await store.nodeTlsOptions(identity);
  const first = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(o.cert)![0];
  const d = describe(first);
  return { key: o.key, cert: o.cert, source: "gateway", identity, subject: d.subject, fingerprintSha256: d.fingerprintSha256, notAfter: d.notAfter.toISOString() };
}

/** The console's own identity: loaded from the state directory, or made (again) when missing or expiring. */
export async function consoleSelfSigned(stateDir: string, dnsNames: string[], ipAddresses: string[], now = new Date()): Promise<ConsoleTlsCredentials> {
  const keyPath = join(stateDir, "console-tls.key");
  const certPath = join(stateDir, "console-tls.crt");
  try {
    const [key, cert] = await Promise.all([fs.readFile(keyPath, "utf8"), fs.readFile(certPath, "utf8")]);
    const st = await fs.stat(keyPath);
    const d = describe(cert);
    const x = new X509Certificate(cert);
    const coversNames = dnsNames.every((n) => x.checkHost(n) !== undefined) && ipAddresses.every((i) => x.checkIP(i) !== undefined);
    if ((st.mode & 0o077) === 0 && d.notAfter.getTime() - now.getTime() > RENEW_BEFORE_DAYS * DAY && coversNames && x.checkPrivateKey(createPrivateKey(key))) {
      return { key, cert, source: "console", subject: d.subject, fingerprintSha256: d.fingerprintSha256, notAfter: d.notAfter.toISOString() };
    }
  } catch {
    /* missing or unreadable: make a new one */
  }
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const { issueCertificate } = await import("./issue-cert.js"); // pkijs, only when a certificate is made
  const issued = issueCertificate({
    commonName: `gwsdk console ${hostname()} (self-signed)`.slice(0, 64),
    dnsNames,
    ipAddresses,
    key: privateKey,
    extKeyUsage: ["serverAuth"],
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + SELF_SIGNED_DAYS * DAY),
  });
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  atomicWriteFile(keyPath, issued.keyPem, 0o600);
  atomicWriteFile(certPath, issued.certPem, 0o644);
  const d = describe(issued.certPem);
  return { key: issued.keyPem, cert: issued.certPem, source: "console", subject: d.subject, fingerprintSha256: d.fingerprintSha256, notAfter: d.notAfter.toISOString() };
}

/** Picks the HTTPS identity for `choice`. */
export async function resolveConsoleTls(p: ConsoleTlsParams): Promise<ConsoleTlsCredentials> {
  const identity = p.identity ?? "default";
  const c = p.choice;
  if (typeof c === "object") {
    try {
      const d = describe(c.cert);
      if (!new X509Certificate(c.cert).checkPrivateKey(createPrivateKey(c.key))) throw new Error("the key does not match the certificate");
      return { key: c.key, cert: c.cert, source: "provided", subject: d.subject, fingerprintSha256: d.fingerprintSha256, notAfter: d.notAfter.toISOString() };
    } catch (e) {
      throw new ConsoleError("ERR_CONSOLE_TLS", `the console's HTTPS key/certificate cannot be used: ${(e as Error).message}`, { cause: e });
    }
  }
  if (c === "gateway" || c === "auto") {
    if (p.store) {
      try {
        return await gatewayCredentials(p.store, identity);
      } catch (e) {
        if (c === "gateway") throw new ConsoleError("ERR_CONSOLE_TLS", `the console is set to use the gateway identity "${identity}" for HTTPS, but: ${(e as Error).message}`, { cause: e });
      }
    } else if (c === "gateway") {
      throw new ConsoleError("ERR_CONSOLE_TLS", "the console is set to use the gateway identity for HTTPS, but has no certificate store");
    }
  }
  return consoleSelfSigned(p.stateDir, p.dnsNames, p.ipAddresses);
}
