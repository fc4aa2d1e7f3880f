// The simulator's state directory (default .gwsdk/sim/): made on the first run, reused afterwards.
//
//   state.json            names and file layout (schemaVersion 1)
//   ca/ca.pem, ca/ca-key.pem         the demo enterprise root CA (key 0600)
//   pool/pool.pem, pool/pool-key.pem the Mediation pool certificate (CN = pool FQDN, SAN = pool + members)
//   store/                the gateway's certificate store (host/certs), sealed under device.key
//   device.key            the sim board's device key (0600)
//
// The gateway identity is enrolled through our own store exactly as on a device: `CertStore.init`
// makes the key and the CSR, the demo CA signs the CSR, `trustAdd` adds the CA, `import` installs the
// chain. Each later run checks every piece and re-makes only what is missing, expired (or within 30
// days of it), or no longer chains to the CA.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { CertStore, DEFAULT_IDENTITY } from "../certs/cert-store.js";
import { decodePem } from "../certs/pem.js";
import { parseCertificate, daysRemaining, type ParsedCert } from "../certs/x509.js";
import { verifyChain } from "../certs/verify.js";
import { createDemoCa, demoKey, issuePoolCertificate, signGatewayCsr, type DemoCa, type DemoKeyType } from "./demo-pki.js";
import { SimError } from "./errors.js";

export const DEFAULT_SIM_STATE_DIR = ".gwsdk/sim";
export const SIM_STATE_SCHEMA = 1;

/** The simulated deployment's names (a reserved .test domain, RFC 6761). */
export interface SimNames {
  gateway: string;
  pool: string;
  members: string[];
  ca: string;
}

export const SIM_NAMES: SimNames = {
  gateway: "gw1.sim.gwsdk.test",
  pool: "mspool.sim.gwsdk.test",
  members: ["ms1.sim.gwsdk.test", "ms2.sim.gwsdk.test"],
  ca: "gwsdk Sim Enterprise Root CA",
};

/** Certificates within this many days of expiry are re-made. */
const RENEW_DAYS = 30;

export interface SimState {
  dir: string;
  storeDir: string;
  identity: string;
  names: SimNames;
  ca: DemoCa;
  pool: { key: KeyObject; keyPem: string; certPem: string; cert: ParsedCert };
  /** What this run made ("ca", "pool-certificate", "trust-anchor", "gateway-identity"); empty: all reused. */
  made: string[];
  /** True when the directory had no state before this run. */
  firstRun: boolean;
}

interface StateFile {
  schemaVersion: number;
  createdAt: string;
  updatedAt: string;
  names: SimNames;
  identity: string;
}

function writePrivate(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function readIf(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function firstCert(pem: string | undefined): ParsedCert | undefined {
  if (!pem) return undefined;
  try {
    const b = decodePem(pem, "state").find((x) => x.label === "CERTIFICATE");
    return b ? parseCertificate(b.der) : undefined;
  } catch {
    return undefined;
  }
}

function loadKey(pem: string | undefined): KeyObject | undefined {
  if (!pem) return undefined;
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

function fresh(c: ParsedCert, now: Date): boolean {
  return c.notBefore.getTime() <= now.getTime() && daysRemaining(c.notAfter, now) > RENEW_DAYS;
}

function sameKey(cert: ParsedCert, key: KeyObject): boolean {
  return Buffer.compare(Buffer.from(cert.spki), createPublicKey(key).export({ type: "spki", format: "der" })) === 0;
}

const norm = (fp: string) => fp.replace(/:/g, "").toLowerCase();

export interface PrepareOptions {
  now?: () => Date;
  /** Progress notes ("making the demo CA..."), for a first run that takes a few seconds. */
  note?: (message: string) => void;
  /** Keys made by this run: RSA 2048 (default, as AD CS deployments) or ECDSA P-256 (faster; tests). */
  keyType?: DemoKeyType;
}

/** Creates or checks the state directory; see the file comment. */
export async function prepareSimState(dirIn: string = DEFAULT_SIM_STATE_DIR, o: PrepareOptions = {}): Promise<SimState> {
  const dir = resolve(dirIn);
  const now = (o.now ?? (() => new Date()))();
  const note = o.note ?? (() => undefined);
  const keyType = o.keyType ?? "rsa2048";
  try {
    mkdirSync(join(dir, "ca"), { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, "pool"), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new SimError("ERR_SIM_STATE", `cannot create the state directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const statePath = join(dir, "state.json");
  let file: StateFile | undefined;
  const text = readIf(statePath);
  if (text !== undefined) {
    try {
      file = JSON.parse(text) as StateFile;
    } catch (e) {
      throw new SimError("ERR_SIM_STATE", `${statePath} is not valid JSON (remove the directory to start afresh): ${(e as Error).message}`);
    }
    if (file.schemaVersion > SIM_STATE_SCHEMA) throw new SimError("ERR_SIM_STATE", `${statePath} was written by a newer gwsdk (schema ${file.schemaVersion})`);
  }
  const firstRun = file === undefined;
  const names = file?.names ?? SIM_NAMES;
  const identity = file?.identity ?? DEFAULT_IDENTITY;
  const made: string[] = [];

  // 1. The demo root CA.
  const caPath = join(dir, "ca", "ca.pem");
  const caKeyPath = join(dir, "ca", "ca-key.pem");
  let caCert = firstCert(readIf(caPath));
  let caKey = loadKey(readIf(caKeyPath));
  let ca: DemoCa;
  if (caCert && caKey && fresh(caCert, now) && sameKey(caCert, caKey)) {
    ca = { cert: { der: caCert.der, pem: readIf(caPath)! }, key: caKey };
  } else {
    note(`making the demo enterprise root CA (${keyType === "rsa2048" ? "RSA 2048" : "ECDSA P-256"})`);
    ca = await createDemoCa({ commonName: names.ca, now, key: await demoKey(keyType) });
    writePrivate(caKeyPath, ca.key.export({ type: "pkcs8", format: "pem" }).toString());
    writeFileSync(caPath, ca.cert.pem);
    caCert = parseCertificate(ca.cert.der);
    caKey = ca.key;
    made.push("ca");
  }

  // 2. The Mediation pool certificate.
  const poolPath = join(dir, "pool", "pool.pem");
  const poolKeyPath = join(dir, "pool", "pool-key.pem");
  let poolCert = firstCert(readIf(poolPath));
  let poolKey = loadKey(readIf(poolKeyPath));
  const poolOk = (c: ParsedCert | undefined, k: KeyObject | undefined): boolean => {
    if (!c || !k || !fresh(c, now) || !sameKey(c, k)) return false;
    try {
      verifyChain({ chain: [c.der], anchors: [ca.cert.der], now, purpose: "serverAuth", name: names.pool, revocation: "off" });
    } catch {
      return false;
    }
    return names.members.every((m) => c.dnsNames.includes(m));
  };
  if (!poolOk(poolCert, poolKey)) {
    note("issuing the Mediation pool certificate");
    poolKey = await demoKey(keyType);
    const issued = issuePoolCertificate(ca, { poolFqdn: names.pool, memberFqdns: names.members, key: poolKey, now });
    writePrivate(poolKeyPath, poolKey.export({ type: "pkcs8", format: "pem" }).toString());
    writeFileSync(poolPath, issued.pem + ca.cert.pem);
    poolCert = parseCertificate(issued.der);
    made.push("pool-certificate");
  }

  // 3. The gateway's certificate store: the CA as trust anchor, the identity enrolled by CSR.
  const storeDir = join(dir, "store");
  let store: CertStore;
  try {
    store = await CertStore.open(storeDir, { create: true, now: () => now });
  } catch (e) {
    throw new SimError("ERR_SIM_STATE", `cannot open the simulator's certificate store ${storeDir}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const anchors = await store.trustList();
    const fp = norm(caCert.fingerprint256);
    if (!anchors.some((a) => norm(a.fingerprintSha256) === fp)) {
      await store.trustAdd(ca.cert.der, "sim demo CA");
      made.push("trust-anchor");
    }
    // Older demo roots of ours (the CA was re-made) are no longer trusted.
    for (const a of anchors) {
      if (a.subject.includes(names.ca) && norm(a.fingerprintSha256) !== fp) await store.trustRemove(a.fingerprintSha256);
    }
    let needEnrol = true;
    let exists = false;
    try {
      const report = await store.check(identity);
      exists = true;
      const leafOk = report.certificate !== null && report.certificate.daysRemaining > RENEW_DAYS;
      needEnrol = report.status === "unusable" || report.trust !== "trusted" || !leafOk;
    } catch (e) {
      if ((e as { code?: string }).code !== "ERR_CERT_NOT_FOUND") throw e;
    }
    if (needEnrol) {
      note(`enrolling the gateway identity ${names.gateway} through the certificate store (key + CSR, signed by the demo CA)`);
      const init = await store.init({ fqdn: names.gateway, key: keyType, name: identity, ...(exists ? { renew: true } : {}) });
      const signed = signGatewayCsr(ca, init.csrPem, { fqdn: names.gateway, now });
      const res = await store.import(Buffer.from(signed.pem + ca.cert.pem), { name: identity, source: "sim demo CA" });
      if (res.trust !== "trusted") throw new SimError("ERR_SIM_PKI", `the enrolled gateway certificate does not chain to the demo CA (${res.trust})`);
      made.push("gateway-identity");
    }
  } finally {
    store.close();
  }

  const out: StateFile = { schemaVersion: SIM_STATE_SCHEMA, createdAt: file?.createdAt ?? now.toISOString(), updatedAt: now.toISOString(), names, identity };
  if (made.length || firstRun) {
    writeFileSync(`${statePath}.tmp-${process.pid}`, JSON.stringify(out, null, 2) + "\n");
    renameSync(`${statePath}.tmp-${process.pid}`, statePath);
  }
  return {
    dir,
    storeDir,
    identity,
    names,
    ca,
    pool: { key: poolKey!, keyPem: readFileSync(poolKeyPath, "utf8"), certPem: readFileSync(poolPath, "utf8"), cert: poolCert! },
    made,
    firstRun,
  };
}

/** True when `dir` holds simulator state (for messages: "reusing .gwsdk/sim"). */
export function hasSimState(dir: string): boolean {
  return existsSync(join(resolve(dir), "state.json"));
}
