// The gateway's certificate store: named identities (key + CSR + certificate chain), the trusted
// root store, CRLs and the revocation policy, on a board-supplied Storage, sealed under the board's
// device key. `gwsdk cert` is a thin layer over this class; the TLS code asks it for a signing
// provider, a chain and the trust configuration. docs/certificates.md describes the model.
import { EventEmitter } from "node:events";
import { createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { CertError } from "./errors.js";
import { compareCrlNumbers, parseCrl, type ParsedCrl } from "./crl.js";
import { FileDeviceKey, defaultDeviceKeyPath, type DeviceKey } from "./device-key.js";
import { FileStorage } from "./file-storage.js";
import { decodeInput, type InputFormat } from "./input.js";
import { DEFAULT_KEY_TYPE, KEY_TYPES, KeyObjectSigner, generateKey, keyTypeOf, privateKeyFromPkcs8, spkiOf, type KeyType, type SigningProvider } from "./keys.js";
import { matchCertificateName } from "./names.js";
import { toPem } from "./pem.js";
import { deriveSealKeys, openAuthenticated, openEncrypted, sealAuthenticated, sealEncrypted, wipeSealKeys, type SealKeys } from "./sealed.js";
import { verifySignature } from "./signature.js";
import type { Storage } from "./storage.js";
import { CertVerifyError, ekuAllows, parseCertificateCached, parseCrlCached, verifyChain, type RevocationPolicy } from "./verify.js";
import { KeyUsage, daysRemaining, describeKey, isCa, parseCertificate, type ParsedCert } from "./x509.js";

export const STORE_SCHEMA_VERSION = 1;
/** Expiry warnings fire when fewer than this many days remain. */
export const EXPIRY_THRESHOLDS = [30, 14, 7, 1] as const;
export const DEFAULT_IDENTITY = "default";
/** The default store directory of the sim board (relative to the working directory). */
export const SIM_DEFAULT_STORE = ".gwsdk/sim/store";

const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const META = "store.meta";
const RESET_MARKER = "reset.pending";
const identityBlob = (name: string) => `identities/${name}.identity`;
const anchorBlob = (fp: string) => `trust/${fp}.anchor`;
const crlBlob = (issuerHash: string) => `crls/${issuerHash}.crl`;

export interface CertStoreOptions {
  /** The board's device key. Default for a directory: FileDeviceKey at <dir>/../device.key. */
  deviceKey?: DeviceKey;
  /** Create the store (and the sim device key) when absent. Default true. */
  create?: boolean;
  /** Clock (tests, and boards whose clock is not the system's). */
  now?: () => Date;
  /** SDK build date: a clock before it is reported as wrong. */
  buildDate?: Date;
  /** Where expiry and store warnings are logged. */
  logger?: { warn(message: string): void };
}

interface StoreMeta {
  schemaVersion: number;
  createdAt: string;
  revocation: RevocationPolicy;
}

interface KeySlot {
  keyType: string;
  /** SHA-256 of the SPKI, hex: ties the sealed key to its certificate/CSR. */
  spkiSha256: string;
  /** AES-256-GCM envelope of the PKCS#8 DER key, base64. */
  sealedKey: string;
  createdAt: string;
}

interface ActiveSlot extends KeySlot {
  /** DER certificates, base64, leaf first. */
  chain: string[];
  importedAt: string;
  trust: "trusted" | "untrusted-chain";
  /** The CSR this certificate answered, kept so that `csr` prints it again (absent for a key from a PKCS#12). */
  csrPem?: string;
}

interface PendingSlot extends KeySlot {
  csrPem: string;
}

interface IdentityRecord {
  schemaVersion: number;
  name: string;
  fqdn: string;
  sans: string[];
  ips: string[];
  createdAt: string;
  updatedAt: string;
  active?: ActiveSlot;
  pending?: PendingSlot;
}

interface AnchorRecord {
  schemaVersion: number;
  der: string;
  addedAt: string;
}

interface CrlRecord {
  schemaVersion: number;
  der: string;
  importedAt: string;
}

export interface CertSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysRemaining: number;
  fingerprintSha256: string;
  key: string;
  dnsNames: string[];
  ipAddresses: string[];
  extKeyUsage: string[] | null;
  isCa: boolean;
  selfSigned: boolean;
}

export interface IdentityInfo {
  name: string;
  fqdn: string;
  sans: string[];
  ips: string[];
  keyType: string;
  state: "pending" | "active" | "renewing";
  trust: "trusted" | "untrusted-chain" | null;
  certificate: CertSummary | null;
  chain: CertSummary[];
  csrPending: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface StoreProblem {
  code: string;
  file: string;
  message: string;
}

export interface ListReport {
  store: string;
  schemaVersion: number;
  revocation: RevocationPolicy;
  identities: IdentityInfo[];
  anchors: CertSummary[];
  crls: CrlSummary[];
  problems: StoreProblem[];
  expiry: ExpiryItem[];
  /** False when a store file is damaged or tampered (listed in `problems`); `gwsdk cert list` then exits 1. */
  ok: boolean;
}

export interface CsrInfo {
  name: string;
  csrPem: string;
  /** true: waiting for its certificate; false: the CSR the active certificate was issued for. */
  pending: boolean;
}

export interface CrlSummary {
  issuer: string;
  thisUpdate: string;
  nextUpdate: string | null;
  stale: boolean;
  revokedCount: number;
  crlNumber: string | null;
  fingerprintSha256: string;
}

export interface ExpiryItem {
  kind: "identity" | "chain" | "anchor" | "crl";
  /** Identity name, or the anchor/CRL fingerprint. */
  id: string;
  subject: string;
  notAfter: string;
  daysRemaining: number;
  /** The smallest threshold (30/14/7/1 days) reached, 0 once expired, null when none. */
  threshold: number | null;
}

export interface InitParams {
  fqdn: string;
  sans?: string[];
  ips?: string[];
  key?: KeyType;
  name?: string;
  /** Make a new key + CSR for an identity that already has a certificate (the old one stays active). */
  renew?: boolean;
}

export interface InitResult {
  name: string;
  fqdn: string;
  keyType: KeyType;
  renewal: boolean;
  csrPem: string;
}

export interface ImportOptions {
  name?: string;
  password?: string | (() => Promise<string | undefined>);
  source?: string;
  /** Allow a PKCS#12 carrying a different key to replace the identity's current key. */
  replace?: boolean;
}

export interface ImportResult {
  name: string;
  format: InputFormat;
  certificate: CertSummary;
  chainLength: number;
  trust: "trusted" | "untrusted-chain";
  keySource: "pending" | "active" | "pkcs12";
  warnings: { code: string; message: string }[];
}

export interface TrustAddResult {
  added: CertSummary[];
  alreadyTrusted: CertSummary[];
}

export interface CheckReport {
  name: string;
  status: "ok" | "warning" | "unusable";
  problems: { code: string; message: string }[];
  warnings: { code: string; message: string }[];
  certificate: CertSummary | null;
  chain: CertSummary[];
  trust: "trusted" | "untrusted-chain" | null;
  revocation: RevocationPolicy;
}

export interface TrustConfig {
  anchors: Uint8Array[];
  crls: Uint8Array[];
  revocation: RevocationPolicy;
}

export interface TlsCredentials extends TrustConfig {
  identity: string;
  signer: SigningProvider;
  /** DER, leaf first, without a self-signed root. */
  chain: Uint8Array[];
}

export interface ExpiryWarningEvent extends ExpiryItem {
  message: string;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const sha256hex = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

export function summarize(c: ParsedCert, now: Date): CertSummary {
  return {
    subject: c.subject.text,
    issuer: c.issuer.text,
    serialNumber: c.serialHex,
    notBefore: iso(c.notBefore),
    notAfter: iso(c.notAfter),
    daysRemaining: daysRemaining(c.notAfter, now),
    fingerprintSha256: c.fingerprint256,
    key: describeKey(c),
    dnsNames: c.dnsNames,
    ipAddresses: c.ipAddresses,
    extKeyUsage: c.extKeyUsage ?? null,
    isCa: isCa(c),
    selfSigned: c.selfIssued,
  };
}

function thresholdFor(days: number): number | null {
  if (days < 0) return 0;
  let t: number | null = null;
  for (const th of EXPIRY_THRESHOLDS) if (days < th) t = th;
  return t;
}

function checkIdentityName(name: string): string {
  if (!IDENTITY_NAME.test(name)) throw new CertError("ERR_CERT_ARG", `identity name "${name}" is invalid (letters, digits, "-" and "_", up to 64)`);
  return name;
}

/** Orders `others` after `leaf` by issuer links; certificates not on the path are dropped. */
function orderChain(leaf: ParsedCert, others: ParsedCert[]): ParsedCert[] {
  const out = [leaf];
  const left = others.filter((o) => o.fingerprint256 !== leaf.fingerprint256);
  let cur = leaf;
  while (!cur.selfIssued && out.length < 10) {
    const i = left.findIndex((o) => Buffer.from(o.subject.der).equals(Buffer.from(cur.issuer.der)));
    if (i < 0) break;
    cur = left.splice(i, 1)[0]!;
    out.push(cur);
  }
  return out;
}

export class CertStore extends EventEmitter {
  private readonly warned = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly storage: Storage,
    private readonly deviceKey: DeviceKey,
    private keys: SealKeys,
    private meta: StoreMeta,
    private readonly metaProblem: StoreProblem | undefined,
    private readonly opts: CertStoreOptions,
  ) {
    super();
  }

  /** Opens (by default creating) the store in directory `dir`, or on a board's Storage. */
  static async open(dirOrStorage: string | Storage, opts: CertStoreOptions = {}): Promise<CertStore> {
    const create = opts.create ?? true;
    let storage: Storage;
    let deviceKey = opts.deviceKey;
    if (typeof dirOrStorage === "string") {
      storage = await FileStorage.open(dirOrStorage, { create });
      deviceKey ??= new FileDeviceKey(defaultDeviceKeyPath(dirOrStorage));
    } else {
      storage = dirOrStorage;
      if (!deviceKey) throw new CertError("ERR_CERT_DEVICE_KEY", "a Storage needs the board's DeviceKey (options.deviceKey)");
    }
    if ((await storage.read(RESET_MARKER)) !== undefined) await CertStore.finishReset(storage, deviceKey);
    const metaBlob = await storage.read(META);
    if (metaBlob === undefined) {
      const existing = await storage.list();
      if (!create && existing.length === 0) throw new CertError("ERR_CERT_NOT_FOUND", `no certificate store at ${storage.location} (run \`gwsdk cert init\` first)`);
      if (existing.length === 0) await deviceKey.create();
    }
    const dk = await deviceKey.load();
    const keys = deriveSealKeys(dk);
    dk.fill(0);
    let meta: StoreMeta = { schemaVersion: STORE_SCHEMA_VERSION, createdAt: iso(new Date()), revocation: "default" };
    let problem: StoreProblem | undefined;
    if (metaBlob === undefined) {
      await storage.write(META, sealAuthenticated(keys, META, Buffer.from(JSON.stringify(meta))), { secret: true });
    } else {
      try {
        meta = JSON.parse(Buffer.from(openAuthenticated(keys, META, metaBlob, storage.describe(META))).toString("utf8")) as StoreMeta;
        if (meta.schemaVersion > STORE_SCHEMA_VERSION) {
          throw new CertError("ERR_CERT_STORE_VERSION", `${storage.describe(META)}: store schema ${meta.schemaVersion} is newer than this gwsdk supports (${STORE_SCHEMA_VERSION})`, { file: storage.describe(META) });
        }
        // schemaVersion < current: migrations go here (none yet: version 1 is the first).
      } catch (e) {
        if (!(e instanceof CertError) || e.code === "ERR_CERT_STORE_VERSION" || e.code === "ERR_CERT_DEVICE_KEY") {
          wipeSealKeys(keys);
          throw e;
        }
        // A damaged store.meta does not take the store down: defaults apply, and `list`/`check` say so.
        problem = { code: e.code, file: storage.describe(META), message: e.message };
        opts.logger?.warn(e.message);
      }
    }
    return new CertStore(storage, deviceKey, keys, meta, problem, opts);
  }

  get location(): string {
    return this.storage.location;
  }

  get revocationPolicy(): RevocationPolicy {
    return this.meta.revocation;
  }

  /** Wipes the in-memory sealing keys; the object is unusable afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    wipeSealKeys(this.keys);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** Serializes mutations within this process (the CLI is the only writer across processes). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new CertError("ERR_CERT_ARG", "the store is closed"));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  // ---- sealed blobs ---------------------------------------------------------------------------

  private async readJson<T>(name: string): Promise<T | undefined> {
    const blob = await this.storage.read(name);
    if (blob === undefined) return undefined;
    const file = this.storage.describe(name);
    const payload = openAuthenticated(this.keys, name, blob, file);
    try {
      return JSON.parse(Buffer.from(payload).toString("utf8")) as T;
    } catch (e) {
      throw new CertError("ERR_CERT_STORE_CORRUPT", `${file} is damaged (authentic but not readable: ${(e as Error).message})`, { file, cause: e });
    }
  }

  private async writeJson(name: string, value: unknown, secret: boolean): Promise<void> {
    await this.storage.write(name, sealAuthenticated(this.keys, name, Buffer.from(JSON.stringify(value))), { secret });
  }

  private keyAad(identity: string, spkiSha256: string): string {
    return `identity:${identity}:key:${spkiSha256}`;
  }

  private sealKey(identity: string, key: KeyObject): KeySlot {
    const pkcs8 = key.export({ type: "pkcs8", format: "der" });
    const spkiSha256 = sha256hex(spkiOf(key));
    try {
      const sealed = sealEncrypted(this.keys, this.keyAad(identity, spkiSha256), pkcs8);
      return { keyType: keyTypeOf(key) ?? describeKey({ keyType: key.asymmetricKeyType ?? "?", keyBits: key.asymmetricKeyDetails?.modulusLength ?? 0, curve: key.asymmetricKeyDetails?.namedCurve }), spkiSha256, sealedKey: b64(sealed), createdAt: iso(this.now()) };
    } finally {
      pkcs8.fill(0);
    }
  }

  private unsealKey(identity: string, slot: KeySlot): KeyObject {
    const file = this.storage.describe(identityBlob(identity));
    const pkcs8 = openEncrypted(this.keys, this.keyAad(identity, slot.spkiSha256), unb64(slot.sealedKey), `${file} (private key)`);
    try {
      const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
      if (sha256hex(spkiOf(key)) !== slot.spkiSha256) throw new CertError("ERR_CERT_STORE_CORRUPT", `${file}: the sealed key does not match its record`, { file });
      return key;
    } finally {
      pkcs8.fill(0); // the KeyObject's copy lives in OpenSSL memory, freed when collected
    }
  }

  private async readIdentity(name: string): Promise<IdentityRecord | undefined> {
    return this.readJson<IdentityRecord>(identityBlob(checkIdentityName(name)));
  }

  private async requireIdentity(name: string): Promise<IdentityRecord> {
    const r = await this.readIdentity(name);
    if (!r) throw new CertError("ERR_CERT_NOT_FOUND", `no identity "${name}" in ${this.location} (create it with \`gwsdk cert init --name ${name} --fqdn ...\`)`, { identity: name });
    return r;
  }

  private async identityNames(): Promise<string[]> {
    return (await this.storage.list("identities/")).filter((n) => n.endsWith(".identity")).map((n) => n.slice("identities/".length, -".identity".length));
  }

  // ---- trust material ---------------------------------------------------------------------------

  private async loadAnchors(problems?: StoreProblem[]): Promise<ParsedCert[]> {
    const out: ParsedCert[] = [];
    for (const n of await this.storage.list("trust/")) {
      try {
        const r = await this.readJson<AnchorRecord>(n);
        if (r) out.push(parseCertificateCached(unb64(r.der)));
      } catch (e) {
        if (!problems) this.opts.logger?.warn((e as Error).message);
        problems?.push({ code: (e as CertError).code ?? "ERR_CERT_STORE_CORRUPT", file: this.storage.describe(n), message: (e as Error).message });
      }
    }
    return out;
  }

  private async loadCrls(problems?: StoreProblem[]): Promise<ParsedCrl[]> {
    const out: ParsedCrl[] = [];
    for (const n of await this.storage.list("crls/")) {
      try {
        const r = await this.readJson<CrlRecord>(n);
        if (r) out.push(parseCrlCached(unb64(r.der)));
      } catch (e) {
        if (!problems) this.opts.logger?.warn((e as Error).message);
        problems?.push({ code: (e as CertError).code ?? "ERR_CERT_STORE_CORRUPT", file: this.storage.describe(n), message: (e as Error).message });
      }
    }
    return out;
  }

  /** Anchors, CRLs and the revocation policy, for the TLS handshake's verifyChain(). */
  async trustConfig(): Promise<TrustConfig> {
    const anchors = await this.loadAnchors();
    const crls = await this.loadCrls();
    return { anchors: anchors.map((a) => a.der), crls: crls.map((c) => c.der), revocation: this.meta.revocation };
  }

  // ---- identities: init / csr -----------------------------------------------------------------

  /** Generates a key and a CSR for identity `name` (default "default"). */
  init(p: InitParams): Promise<InitResult> {
    return this.exclusive(async () => {
      const name = checkIdentityName(p.name ?? DEFAULT_IDENTITY);
      const keyType = p.key ?? DEFAULT_KEY_TYPE;
      if (!KEY_TYPES.includes(keyType)) throw new CertError("ERR_CERT_ARG", `unknown key type "${keyType}" (one of ${KEY_TYPES.join(", ")})`);
      // pkijs (CSR encoding) is loaded on first use: commands that do not need it start faster
      const { buildCsr, checkFqdn } = await import("./csr.js");
      const fqdn = checkFqdn(p.fqdn);
      const existing = await this.readIdentity(name);
      if (existing && !p.renew) {
        throw new CertError("ERR_CERT_EXISTS", `identity "${name}" already exists (${existing.fqdn}); use --renew for a new key and CSR while the current certificate stays in service, or another --name`, { identity: name });
      }
      if (p.renew && !existing) throw new CertError("ERR_CERT_NOT_FOUND", `no identity "${name}" to renew`, { identity: name });
      const key = await generateKey(keyType);
      const csr = buildCsr({ fqdn, sans: p.sans ?? [], ips: p.ips ?? [], key });
      const now = iso(this.now());
      const slot: PendingSlot = { ...this.sealKey(name, key), csrPem: csr.pem };
      const rec: IdentityRecord = existing
        ? { ...existing, fqdn, sans: p.sans ?? [], ips: p.ips ?? [], updatedAt: now, pending: slot }
        : { schemaVersion: STORE_SCHEMA_VERSION, name, fqdn, sans: p.sans ?? [], ips: p.ips ?? [], createdAt: now, updatedAt: now, pending: slot };
      await this.writeJson(identityBlob(name), rec, true);
      this.emit("identityChanged", name);
      return { name, fqdn, keyType, renewal: !!existing, csrPem: csr.pem };
    });
  }

  /**
   * The CSR of identity `name`: the pending one, else the one its active certificate was issued for
   * (kept at import until the next `init --renew` makes a new one).
   */
  async csr(name = DEFAULT_IDENTITY): Promise<string> {
    return (await this.csrInfo(name)).csrPem;
  }

  /** As csr(), saying whether the CSR is still waiting for its certificate. */
  async csrInfo(name = DEFAULT_IDENTITY): Promise<CsrInfo> {
    const r = await this.requireIdentity(name);
    if (r.pending) return { name, csrPem: r.pending.csrPem, pending: true };
    if (r.active?.csrPem) return { name, csrPem: r.active.csrPem, pending: false };
    throw new CertError("ERR_CERT_NOT_FOUND", `identity "${name}" has no CSR (its key came from a PKCS#12); \`gwsdk cert init --renew --name ${name} --fqdn ${r.fqdn}\` makes a new key and CSR`, { identity: name });
  }

  // ---- import ---------------------------------------------------------------------------------

  /** Imports a signed certificate (+ chain) for an identity: PEM, DER, PKCS#7 or PKCS#12. */
  import(data: Uint8Array, o: ImportOptions = {}): Promise<ImportResult> {
    return this.exclusive(async () => {
      const source = o.source ?? "input";
      const input = await decodeInput(data, { source, ...(o.password !== undefined ? { password: o.password } : {}) });
      try {
        return await this.importDecoded(input.format, input.certificates, input.keys, o, source);
      } finally {
        for (const k of input.keys) k.fill(0);
      }
    });
  }

  private async importDecoded(format: InputFormat, certDers: Uint8Array[], keyDers: Uint8Array[], o: ImportOptions, source: string): Promise<ImportResult> {
    const now = this.now();
    if (certDers.length === 0) throw new CertError("ERR_CERT_PARSE", `${source} holds no certificate`, { file: source });
    if (keyDers.length > 1) throw new CertError("ERR_CERT_UNSUPPORTED", `${source} holds ${keyDers.length} private keys; export one identity per PKCS#12`, { file: source });
    const certs = certDers.map((d) => parseCertificate(d));
    const fileKey = keyDers.length ? privateKeyFromPkcs8(keyDers[0]!) : undefined;

    // Which identity, and which key does the certificate belong to?
    let name = o.name !== undefined ? checkIdentityName(o.name) : undefined;
    let rec = name ? await this.readIdentity(name) : undefined;
    if (!name && !fileKey) {
      // find the identity whose pending or active key one of the certificates carries
      for (const n of await this.identityNames()) {
        let r: IdentityRecord | undefined;
        try {
          r = await this.readIdentity(n);
        } catch {
          continue;
        }
        const keys = [r?.pending?.spkiSha256, r?.active?.spkiSha256];
        if (r && certs.some((c) => keys.includes(sha256hex(c.spki)))) {
          name = n;
          rec = r;
          break;
        }
      }
    }
    name ??= DEFAULT_IDENTITY;
    rec ??= await this.readIdentity(name);

    let leaf: ParsedCert | undefined;
    let keySource: ImportResult["keySource"];
    let keySlot: KeySlot;
    if (fileKey) {
      const spkiHash = sha256hex(spkiOf(fileKey));
      leaf = certs.find((c) => sha256hex(c.spki) === spkiHash);
      if (!leaf) throw new CertError("ERR_CERT_KEY_MISMATCH", `${source}: the private key in this PKCS#12 belongs to none of its certificates`, { file: source, identity: name });
      const current = [rec?.active?.spkiSha256, rec?.pending?.spkiSha256].filter((x) => x !== undefined);
      if (rec && current.length && !current.includes(spkiHash) && !o.replace) {
        throw new CertError("ERR_CERT_EXISTS", `identity "${name}" already has a different key; importing this PKCS#12 would replace it: use --replace, or --name for a new identity`, { identity: name });
      }
      keySource = "pkcs12";
      keySlot = this.sealKey(name, fileKey);
    } else {
      if (!rec) {
        const allCa = certs.every(isCa);
        if (allCa) throw new CertError("ERR_CERT_IS_CA", `${source} holds only CA certificates (${certs[0]!.subject.text}): to trust a CA use \`gwsdk cert trust add\``, { file: source });
        throw new CertError("ERR_CERT_NOT_FOUND", `no identity "${name}" with a key for this certificate: run \`gwsdk cert init\` and have the CA sign that CSR (or import a PKCS#12 with its key)`, { identity: name });
      }
      const pendingHit = rec.pending && certs.find((c) => sha256hex(c.spki) === rec!.pending!.spkiSha256);
      const activeHit = rec.active && certs.find((c) => sha256hex(c.spki) === rec!.active!.spkiSha256);
      leaf = pendingHit || activeHit || undefined;
      if (!leaf) {
        const ee = certs.filter((c) => !isCa(c));
        if (ee.length === 0) throw new CertError("ERR_CERT_IS_CA", `${source} is a CA certificate (${certs[0]!.subject.text}), not the gateway's: to trust a CA use \`gwsdk cert trust add\``, { file: source, identity: name });
        throw new CertError(
          "ERR_CERT_KEY_MISMATCH",
          `this certificate does not match the stored key: it was issued for a different CSR ("${ee[0]!.subject.text}", key ${describeKey(ee[0]!)}). Submit the CSR of identity "${name}" (\`gwsdk cert csr --name ${name}\`)`,
          { file: source, identity: name },
        );
      }
      keySource = pendingHit ? "pending" : "active";
      keySlot = pendingHit ? rec.pending! : rec.active!;
    }
    if (isCa(leaf)) throw new CertError("ERR_CERT_IS_CA", `"${leaf.subject.text}" is a CA certificate, not a gateway certificate`, { file: source, identity: name });

    // The certificate itself: valid now, usable for TLS both ways, names the gateway.
    const fqdn = rec?.fqdn ?? leaf.dnsNames[0] ?? leaf.subject.commonNames.at(-1) ?? "";
    if (now < leaf.notBefore) throw new CertError("ERR_CERT_NOT_YET_VALID", `"${leaf.subject.text}" is not valid before ${iso(leaf.notBefore)} (clock: ${iso(now)})`, { file: source, identity: name });
    if (now > leaf.notAfter) throw new CertError("ERR_CERT_EXPIRED", `"${leaf.subject.text}" expired on ${iso(leaf.notAfter)}`, { file: source, identity: name });
    if (!ekuAllows(leaf, "serverAuth") || !ekuAllows(leaf, "clientAuth")) {
      throw new CertError("ERR_CERT_EKU", `"${leaf.subject.text}" is not usable for mutual TLS: its extendedKeyUsage (${leaf.extKeyUsage!.join(", ")}) must allow both serverAuth and clientAuth (request a template with both, e.g. a copy of "Web Server" with Client Authentication added)`, { file: source, identity: name });
    }
    if (leaf.keyUsage !== undefined && !(leaf.keyUsage & KeyUsage.digitalSignature)) {
      throw new CertError("ERR_CERT_CHAIN", `"${leaf.subject.text}": keyUsage lacks digitalSignature, needed for TLS`, { file: source, identity: name });
    }
    if (fqdn && !matchCertificateName(leaf, fqdn).ok) {
      throw new CertError("ERR_CERT_NAME", `"${leaf.subject.text}" does not name the gateway FQDN "${fqdn}" (names: ${[...leaf.dnsNames, ...leaf.ipAddresses].join(", ") || leaf.subject.commonNames.join(", ")})`, { file: source, identity: name });
    }

    // The chain: to a trusted root, or stored with a warning as "untrusted-chain".
    const chain = orderChain(leaf, certs);
    const tc = await this.trustConfig();
    const warnings: { code: string; message: string }[] = [];
    let trust: ActiveSlot["trust"] = "trusted";
    try {
      const r = verifyChain({ chain: chain.map((c) => c.der), anchors: tc.anchors, crls: tc.crls, revocation: tc.revocation, now, purpose: "serverAuth", ...(this.opts.buildDate ? { buildDate: this.opts.buildDate } : {}) });
      for (const w of r.warnings) warnings.push({ code: `WARN_CERT_${w.reason.replace(/[A-Z]/g, (m) => "_" + m).toUpperCase()}`, message: w.message });
    } catch (e) {
      if (!(e instanceof CertVerifyError)) throw e;
      if (e.reason !== "untrusted") throw new CertError(e.code, `${source}: ${e.message}`, { file: source, identity: name, reason: e.reason, cause: e });
      trust = "untrusted-chain";
      warnings.push({ code: "WARN_CERT_UNTRUSTED_CHAIN", message: `stored, but the chain does not lead to a trusted root: ${e.message}` });
    }
    for (const w of warnings) this.opts.logger?.warn(w.message);

    const nowIso = iso(now);
    // The CSR the certificate answered stays with it (`gwsdk cert csr` prints it again).
    const csrPem = [rec?.pending, rec?.active].find((s) => s?.spkiSha256 === keySlot.spkiSha256)?.csrPem;
    const { csrPem: _slotCsr, ...keyOnly } = keySlot as KeySlot & { csrPem?: string };
    void _slotCsr;
    const active: ActiveSlot = { ...keyOnly, chain: chain.map((c) => b64(c.der)), importedAt: nowIso, trust, ...(csrPem ? { csrPem } : {}) };
    const next: IdentityRecord = rec
      ? { ...rec, updatedAt: nowIso, active }
      : { schemaVersion: STORE_SCHEMA_VERSION, name, fqdn, sans: leaf.dnsNames.slice(1), ips: leaf.ipAddresses, createdAt: nowIso, updatedAt: nowIso, active };
    if (keySource === "pending" || (keySource === "pkcs12" && next.pending && next.pending.spkiSha256 === keySlot.spkiSha256)) delete next.pending;
    if (keySource === "pkcs12" && o.replace) delete next.pending;
    await this.writeJson(identityBlob(name), next, true);
    this.emit("identityChanged", name);
    return { name, format, certificate: summarize(leaf, now), chainLength: chain.length, trust, keySource, warnings };
  }

  // ---- trust store ----------------------------------------------------------------------------

  /** Adds the CA certificate(s) in `data` to the trusted root store. */
  trustAdd(data: Uint8Array, source = "input"): Promise<TrustAddResult> {
    return this.exclusive(async () => {
      const input = await decodeInput(data, { source });
      for (const k of input.keys) k.fill(0);
      if (input.certificates.length === 0) throw new CertError("ERR_CERT_PARSE", `${source} holds no certificate`, { file: source });
      const now = this.now();
      const certs = input.certificates.map((d) => parseCertificate(d));
      for (const c of certs) {
        if (!isCa(c)) throw new CertError("ERR_CERT_NOT_CA", `"${c.subject.text}" is not a CA certificate (basicConstraints cA is not TRUE): only CAs go in the trust store`, { file: source });
        if ((c.keyType === "rsa" || c.keyType === "rsa-pss") && c.keyBits < 2048) throw new CertError("ERR_CERT_WEAK", `"${c.subject.text}" has an RSA ${c.keyBits}-bit key (minimum 2048)`, { file: source });
        if (now > c.notAfter) throw new CertError("ERR_CERT_EXPIRED", `"${c.subject.text}" expired on ${iso(c.notAfter)}`, { file: source });
        if (now < c.notBefore) throw new CertError("ERR_CERT_NOT_YET_VALID", `"${c.subject.text}" is not valid before ${iso(c.notBefore)}`, { file: source });
      }
      const res: TrustAddResult = { added: [], alreadyTrusted: [] };
      for (const c of certs) {
        const name = anchorBlob(c.fingerprint256);
        if ((await this.storage.read(name)) !== undefined) {
          res.alreadyTrusted.push(summarize(c, now));
          continue;
        }
        await this.writeJson(name, { schemaVersion: STORE_SCHEMA_VERSION, der: b64(c.der), addedAt: iso(now) } satisfies AnchorRecord, true);
        res.added.push(summarize(c, now));
      }
      if (res.added.length) this.emit("trustChanged");
      return res;
    });
  }

  /** Removes the anchor with this SHA-256 fingerprint (hex, colons allowed; a unique prefix of 8+ digits). */
  trustRemove(fingerprint: string): Promise<CertSummary> {
    return this.exclusive(async () => {
      const fp = fingerprint.replace(/:/g, "").toLowerCase();
      if (!/^[0-9a-f]{8,64}$/.test(fp)) throw new CertError("ERR_CERT_ARG", `"${fingerprint}" is not a SHA-256 fingerprint (64 hex digits, or a unique prefix of 8 or more)`);
      const names = (await this.storage.list("trust/")).filter((n) => n.slice("trust/".length).startsWith(fp));
      if (names.length === 0) throw new CertError("ERR_CERT_NOT_FOUND", `no trusted certificate with fingerprint ${fp}`);
      if (names.length > 1) throw new CertError("ERR_CERT_ARG", `fingerprint prefix ${fp} matches ${names.length} certificates: give more digits`);
      let summary: CertSummary;
      try {
        const r = await this.readJson<AnchorRecord>(names[0]!);
        summary = summarize(parseCertificate(unb64(r!.der)), this.now());
      } catch (e) {
        // removing a damaged anchor is allowed (and is how one repairs the store)
        summary = { subject: "(damaged)", issuer: "", serialNumber: "", notBefore: "", notAfter: "", daysRemaining: 0, fingerprintSha256: names[0]!.slice(6, -7), key: "", dnsNames: [], ipAddresses: [], extKeyUsage: null, isCa: true, selfSigned: false };
        void e;
      }
      await this.storage.remove(names[0]!);
      this.emit("trustChanged");
      return summary;
    });
  }

  async trustList(): Promise<CertSummary[]> {
    const now = this.now();
    return (await this.loadAnchors()).map((a) => summarize(a, now));
  }

  // ---- CRLs -----------------------------------------------------------------------------------

  /** Imports a CRL, checking it is signed by a trusted CA or a CA of a stored chain. */
  crlImport(data: Uint8Array, source = "input"): Promise<CrlSummary & { warnings: { code: string; message: string }[] }> {
    return this.exclusive(async () => {
      const input = await decodeInput(data, { source });
      if (input.crls.length !== 1) throw new CertError("ERR_CERT_PARSE", `${source}: expected exactly one CRL, found ${input.crls.length}`, { file: source });
      const crl = parseCrl(input.crls[0]!);
      const now = this.now();
      const issuers = [...(await this.loadAnchors())];
      for (const n of await this.identityNames()) {
        try {
          const r = await this.readIdentity(n);
          for (const d of r?.active?.chain ?? []) {
            const c = parseCertificate(unb64(d));
            if (isCa(c)) issuers.push(c);
          }
        } catch {
          /* damaged identity: its chain cannot vouch for a CRL */
        }
      }
      const issuer = issuers.find(
        (c) =>
          Buffer.from(c.subject.der).equals(Buffer.from(crl.issuer.der)) &&
          (c.keyUsage === undefined || (c.keyUsage & KeyUsage.cRLSign) !== 0) &&
          verifySignature(crl.signatureAlgorithm, crl.tbs, crl.signature, c.publicKey),
      );
      if (!issuer) {
        throw new CertError("ERR_CERT_UNTRUSTED", `${source}: the CRL of "${crl.issuer.text}" is not signed by a trusted CA or a CA of a stored chain (add its CA first)`, { file: source });
      }
      const name = crlBlob(sha256hex(crl.issuer.der).slice(0, 32));
      const old = await this.readJson<CrlRecord>(name).catch(() => undefined);
      if (old) {
        const o = parseCrl(unb64(old.der));
        const older = crl.crlNumber && o.crlNumber ? compareCrlNumbers(crl.crlNumber, o.crlNumber) < 0 : crl.thisUpdate < o.thisUpdate;
        if (older) throw new CertError("ERR_CERT_CRL_OLDER", `${source}: this CRL (${iso(crl.thisUpdate)}) is older than the stored one (${iso(o.thisUpdate)})`, { file: source });
      }
      await this.writeJson(name, { schemaVersion: STORE_SCHEMA_VERSION, der: b64(crl.der), importedAt: iso(now) } satisfies CrlRecord, true);
      this.emit("trustChanged");
      const s = this.crlSummary(crl, now);
      const warnings = s.stale ? [{ code: "WARN_CERT_CRL_STALE", message: `the CRL of "${crl.issuer.text}" is past its next update (${s.nextUpdate ?? "none given"}); stored anyway: fetch a fresh one from the CA's CDP` }] : [];
      return { ...s, warnings };
    });
  }

  private crlSummary(crl: ParsedCrl, now: Date): CrlSummary {
    return {
      issuer: crl.issuer.text,
      thisUpdate: iso(crl.thisUpdate),
      nextUpdate: crl.nextUpdate ? iso(crl.nextUpdate) : null,
      stale: !crl.nextUpdate || crl.nextUpdate < now,
      revokedCount: crl.revoked.size,
      crlNumber: crl.crlNumber ?? null,
      fingerprintSha256: crl.fingerprint256,
    };
  }

  /** Sets the revocation policy used by `check`, `import` and the TLS handshake. */
  setRevocationPolicy(policy: RevocationPolicy): Promise<void> {
    return this.exclusive(async () => {
      if (!["default", "strict", "off"].includes(policy)) throw new CertError("ERR_CERT_ARG", `revocation policy must be default, strict or off (not "${policy}")`);
      const meta = { ...this.meta, revocation: policy };
      await this.writeJson(META, meta, true);
      this.meta = meta;
      this.emit("trustChanged");
    });
  }

  // ---- reports --------------------------------------------------------------------------------

  private identityInfo(r: IdentityRecord, now: Date, anchors?: Uint8Array[]): IdentityInfo {
    const chain = (r.active?.chain ?? []).map((d) => summarize(parseCertificate(unb64(d)), now));
    let trust = r.active?.trust ?? null;
    if (r.active && anchors) {
      // re-evaluated against today's trust store (the record keeps the verdict at import time)
      try {
        verifyChain({ chain: r.active.chain.map(unb64), anchors, revocation: "off", purpose: "serverAuth", now });
        trust = "trusted";
      } catch (e) {
        if (e instanceof CertVerifyError && e.reason === "untrusted") trust = "untrusted-chain";
      }
    }
    return {
      name: r.name,
      fqdn: r.fqdn,
      sans: r.sans,
      ips: r.ips,
      keyType: (r.active ?? r.pending)?.keyType ?? "",
      state: r.active ? (r.pending ? "renewing" : "active") : "pending",
      trust,
      certificate: chain[0] ?? null,
      chain,
      csrPending: !!r.pending,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  /** Everything in the store, with days remaining and any damaged files. */
  async list(): Promise<ListReport> {
    const now = this.now();
    const problems: StoreProblem[] = this.metaProblem ? [this.metaProblem] : [];
    const identities: IdentityInfo[] = [];
    const anchorDers = (await this.loadAnchors()).map((a) => a.der);
    for (const n of await this.identityNames()) {
      try {
        const r = await this.readIdentity(n);
        if (r) identities.push(this.identityInfo(r, now, anchorDers));
      } catch (e) {
        problems.push({ code: (e as CertError).code ?? "ERR_CERT_STORE_CORRUPT", file: this.storage.describe(identityBlob(n)), message: (e as Error).message });
      }
    }
    const anchors = (await this.loadAnchors(problems)).map((a) => summarize(a, now));
    const crls = (await this.loadCrls(problems)).map((c) => this.crlSummary(c, now));
    const expiry = this.expiryItems(identities, anchors, crls, now);
    return { store: this.location, schemaVersion: this.meta.schemaVersion, revocation: this.meta.revocation, identities, anchors, crls, problems, expiry, ok: problems.length === 0 };
  }

  /**
   * Opens every file and unseals every private key (a store "fsck"): returns the damaged ones.
   * Nothing is kept in memory; keys are wiped after the check.
   */
  async verifyIntegrity(): Promise<StoreProblem[]> {
    const problems: StoreProblem[] = this.metaProblem ? [this.metaProblem] : [];
    for (const n of await this.identityNames()) {
      try {
        const r = await this.readIdentity(n);
        for (const slot of [r?.active, r?.pending]) if (slot) this.unsealKey(n, slot);
        for (const d of r?.active?.chain ?? []) parseCertificate(unb64(d));
      } catch (e) {
        problems.push({ code: (e as CertError).code ?? "ERR_CERT_STORE_CORRUPT", file: this.storage.describe(identityBlob(n)), message: (e as Error).message });
      }
    }
    await this.loadAnchors(problems);
    await this.loadCrls(problems);
    return problems;
  }

  async show(name = DEFAULT_IDENTITY): Promise<IdentityInfo & { csrPem: string | null }> {
    const r = await this.requireIdentity(name);
    const anchors = (await this.loadAnchors()).map((a) => a.der);
    return { ...this.identityInfo(r, this.now(), anchors), csrPem: r.pending?.csrPem ?? null };
  }

  /** Is identity `name` usable for mutual TLS now? Validity, key, chain, EKU, name, expiry, CRL. */
  async check(name = DEFAULT_IDENTITY, o: { revocation?: RevocationPolicy } = {}): Promise<CheckReport> {
    const now = this.now();
    const policy = o.revocation ?? this.meta.revocation;
    const problems: { code: string; message: string }[] = [];
    const warnings: { code: string; message: string }[] = [];
    const rec = await this.requireIdentity(name);
    const report: CheckReport = { name, status: "ok", problems, warnings, certificate: null, chain: [], trust: null, revocation: policy };
    if (this.metaProblem) warnings.push({ code: this.metaProblem.code, message: this.metaProblem.message });
    if (!rec.active) {
      problems.push({ code: "ERR_CERT_NOT_FOUND", message: `no certificate yet: submit the CSR (\`gwsdk cert csr --name ${name}\`) to the CA and import the result` });
      report.status = "unusable";
      return report;
    }
    const chain = rec.active.chain.map((d) => parseCertificate(unb64(d)));
    const leaf = chain[0]!;
    report.certificate = summarize(leaf, now);
    report.chain = chain.map((c) => summarize(c, now));
    try {
      const key = this.unsealKey(name, rec.active);
      if (sha256hex(spkiOf(key)) !== sha256hex(leaf.spki)) problems.push({ code: "ERR_CERT_KEY_MISMATCH", message: "the stored key does not match the certificate" });
    } catch (e) {
      problems.push({ code: (e as CertError).code ?? "ERR_CERT_STORE_CORRUPT", message: (e as Error).message });
    }
    if (!ekuAllows(leaf, "serverAuth") || !ekuAllows(leaf, "clientAuth")) problems.push({ code: "ERR_CERT_EKU", message: "extendedKeyUsage must allow serverAuth and clientAuth" });
    if (!matchCertificateName(leaf, rec.fqdn).ok) problems.push({ code: "ERR_CERT_NAME", message: `the certificate does not name ${rec.fqdn}` });
    const tc = await this.trustConfig();
    try {
      const r = verifyChain({ chain: chain.map((c) => c.der), anchors: tc.anchors, crls: tc.crls, revocation: policy, now, purpose: "serverAuth", name: rec.fqdn, ...(this.opts.buildDate ? { buildDate: this.opts.buildDate } : {}) });
      report.trust = "trusted";
      for (const w of r.warnings) warnings.push({ code: `WARN_CERT_${w.reason.replace(/[A-Z]/g, (m) => "_" + m).toUpperCase()}`, message: w.message });
    } catch (e) {
      if (!(e instanceof CertVerifyError)) throw e;
      if (e.reason === "untrusted") {
        report.trust = "untrusted-chain";
        warnings.push({ code: "WARN_CERT_UNTRUSTED_CHAIN", message: e.message });
      } else if (!problems.some((p) => p.code === e.code)) {
        problems.push({ code: e.code, message: e.message });
      }
    }
    const days = daysRemaining(leaf.notAfter, now);
    const th = thresholdFor(days);
    if (th !== null && th > 0) warnings.push({ code: "WARN_CERT_EXPIRING", message: `the certificate expires in ${days} day(s) (${iso(leaf.notAfter)}): renew with \`gwsdk cert init --renew --name ${name} --fqdn ${rec.fqdn}\`` });
    if (rec.pending) warnings.push({ code: "WARN_CERT_RENEWAL_PENDING", message: "a renewal CSR is waiting for its certificate" });
    report.status = problems.length ? "unusable" : warnings.length ? "warning" : "ok";
    return report;
  }

  // ---- expiry ---------------------------------------------------------------------------------

  private expiryItems(identities: IdentityInfo[], anchors: CertSummary[], crls: CrlSummary[], now: Date): ExpiryItem[] {
    const items: ExpiryItem[] = [];
    for (const i of identities) {
      i.chain.forEach((c, idx) => {
        if (idx > 0 && anchors.some((a) => a.fingerprintSha256 === c.fingerprintSha256)) return;
        items.push({ kind: idx === 0 ? "identity" : "chain", id: i.name, subject: c.subject, notAfter: c.notAfter, daysRemaining: c.daysRemaining, threshold: thresholdFor(c.daysRemaining) });
      });
    }
    for (const a of anchors) items.push({ kind: "anchor", id: a.fingerprintSha256, subject: a.subject, notAfter: a.notAfter, daysRemaining: a.daysRemaining, threshold: thresholdFor(a.daysRemaining) });
    for (const c of crls) {
      if (!c.nextUpdate) continue;
      const d = daysRemaining(new Date(c.nextUpdate), now);
      items.push({ kind: "crl", id: c.fingerprintSha256, subject: c.issuer, notAfter: c.nextUpdate, daysRemaining: d, threshold: thresholdFor(d) });
    }
    return items.sort((a, b) => a.daysRemaining - b.daysRemaining);
  }

  /**
   * Emits "expiryWarning" (and logs) once per item per threshold crossed: 30, 14, 7, 1 days, then
   * expired (threshold 0). Returns the warnings emitted by this call.
   */
  async checkExpiry(): Promise<ExpiryWarningEvent[]> {
    const rep = await this.list();
    const out: ExpiryWarningEvent[] = [];
    for (const it of rep.expiry) {
      if (it.threshold === null) continue;
      const key = `${it.kind}:${it.id}:${it.subject}`;
      const last = this.warned.get(key);
      if (last !== undefined && last <= it.threshold) continue;
      this.warned.set(key, it.threshold);
      const what = it.kind === "crl" ? `the CRL of "${it.subject}" needs refreshing` : `${it.kind} certificate "${it.subject}"${it.kind === "identity" || it.kind === "chain" ? ` (identity ${it.id})` : ""}`;
      const message = it.threshold === 0 ? `${what} expired on ${it.notAfter}` : `${what} expires in ${it.daysRemaining} day(s) (${it.notAfter})`;
      const ev: ExpiryWarningEvent = { ...it, message };
      this.opts.logger?.warn(message);
      this.emit("expiryWarning", ev);
      out.push(ev);
    }
    return out;
  }

  /** Runs checkExpiry() now and every `intervalMs` (default 6 h). Returns a stop function. */
  startExpiryMonitor(intervalMs = 6 * 3600_000): () => void {
    const tick = () => void this.checkExpiry().catch((e: unknown) => this.opts.logger?.warn(`expiry check failed: ${(e as Error).message}`));
    tick();
    const t = setInterval(tick, intervalMs);
    t.unref();
    return () => clearInterval(t);
  }

  // ---- what TLS consumes ----------------------------------------------------------------------

  private async activeRecord(name: string): Promise<IdentityRecord & { active: ActiveSlot }> {
    const r = await this.requireIdentity(name);
    if (!r.active) throw new CertError("ERR_CERT_NOT_FOUND", `identity "${name}" has no certificate yet (import the CA's answer to its CSR)`, { identity: name });
    return r as IdentityRecord & { active: ActiveSlot };
  }

  /** The identity's private key as a signing provider (the key never leaves it). */
  async signer(name = DEFAULT_IDENTITY): Promise<SigningProvider> {
    const r = await this.activeRecord(name);
    return new KeyObjectSigner(this.unsealKey(name, r.active));
  }

  /** The identity's chain (DER, leaf first); a self-signed root is left out unless asked for. */
  async chain(name = DEFAULT_IDENTITY, o: { includeRoot?: boolean } = {}): Promise<Uint8Array[]> {
    const r = await this.activeRecord(name);
    const ders = r.active.chain.map(unb64);
    if (!o.includeRoot && ders.length > 1 && parseCertificate(ders[ders.length - 1]!).selfIssued) ders.pop();
    return ders;
  }

  /** Everything a TLS context needs for identity `name`. */
  async tlsCredentials(name = DEFAULT_IDENTITY): Promise<TlsCredentials> {
    const [signer, chain, trust] = await Promise.all([this.signer(name), this.chain(name), this.trustConfig()]);
    return { identity: name, signer, chain, ...trust };
  }

  /**
   * Options for Node's `tls.createSecureContext()` (sim board, tests): PEM key, chain and trusted
   * roots. Here the key does leave the store, as PEM in memory, because Node's TLS needs it so.
   */
  async nodeTlsOptions(name = DEFAULT_IDENTITY): Promise<{ key: string; cert: string; ca: string[] }> {
    const r = await this.activeRecord(name);
    const key = this.unsealKey(name, r.active);
    const chain = await this.chain(name);
    const { anchors } = await this.trustConfig();
    return {
      key: key.export({ type: "pkcs8", format: "pem" }).toString(),
      cert: chain.map((d) => toPem("CERTIFICATE", d)).join(""),
      ca: anchors.map((d) => toPem("CERTIFICATE", d)),
    };
  }

  // ---- export ---------------------------------------------------------------------------------

  /** The identity's certificate chain as PEM (leaf first, root included when it was imported). */
  async exportChainPem(name = DEFAULT_IDENTITY): Promise<string> {
    const r = await this.activeRecord(name);
    return r.active.chain.map((d) => toPem("CERTIFICATE", unb64(d))).join("");
  }

  /** A password-protected PKCS#12 backup of the identity's key and chain. */
  async exportPkcs12(name: string, password: string): Promise<Uint8Array> {
    if (password.length < 8) throw new CertError("ERR_CERT_ARG", "the PKCS#12 password must have at least 8 characters");
    const r = await this.activeRecord(name);
    const key = this.unsealKey(name, r.active);
    const pkcs8 = key.export({ type: "pkcs8", format: "der" });
    try {
      const { buildPkcs12 } = await import("./pkcs12.js");
      return await buildPkcs12(pkcs8, r.active.chain.map(unb64), password, `gwsdk ${name} ${r.fqdn}`);
    } finally {
      pkcs8.fill(0);
    }
  }

  // ---- reset ----------------------------------------------------------------------------------

  /**
   * Factory reset: every private key overwritten and removed, the store emptied, the device key
   * rotated where the board can. A marker makes an interrupted reset finish on the next open.
   */
  reset(): Promise<{ removed: number; deviceKeyRotated: boolean }> {
    return this.exclusive(async () => {
      const n = (await this.storage.list()).length;
      const rotated = await CertStore.finishReset(this.storage, this.deviceKey);
      const dk = await this.deviceKey.load();
      wipeSealKeys(this.keys);
      this.keys = deriveSealKeys(dk);
      dk.fill(0);
      this.meta = { schemaVersion: STORE_SCHEMA_VERSION, createdAt: iso(this.now()), revocation: "default" };
      await this.writeJson(META, this.meta, true);
      this.warned.clear();
      this.emit("identityChanged", "*");
      this.emit("trustChanged");
      return { removed: n, deviceKeyRotated: rotated };
    });
  }

  private static async finishReset(storage: Storage, deviceKey: DeviceKey): Promise<boolean> {
    await storage.write(RESET_MARKER, Buffer.from("reset in progress\n"), { secret: true });
    for (const n of await storage.list()) {
      if (n === RESET_MARKER) continue;
      await storage.remove(n, { overwrite: n.startsWith("identities/") });
    }
    let rotated = false;
    if (deviceKey.rotate) {
      await deviceKey.rotate();
      rotated = true;
    }
    await storage.remove(RESET_MARKER);
    return rotated;
  }
}
