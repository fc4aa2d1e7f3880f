// Test PKI built with the `openssl` command line (an independent implementation acting as the
// enterprise CA, as AD CS would): roots, intermediates, leaves with chosen extensions, validity
// windows, signature algorithms, and CRLs. Everything lives in a temporary directory.
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TMP_DIR } from "../../helpers/paths.js";

export function tmpDir(prefix: string): string {
  mkdirSync(TMP_DIR, { recursive: true });
  return mkdtempSync(join(TMP_DIR, `${prefix}-`));
}

export function rmTmp(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function openssl(args: string[], opts: { cwd?: string; input?: string | Uint8Array } = {}): Buffer {
  const r = spawnSync("openssl", args, { cwd: opts.cwd, input: opts.input, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** openssl's date format for -startdate/-enddate (YYYYMMDDHHMMSSZ). */
export function osslDate(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").replace(/\.\d{3}Z$/, "Z");
}

const DAY = 86_400_000;
export const daysFromNow = (n: number) => new Date(Date.now() + n * DAY);

export type TestKey = "p256" | "p384" | "rsa1024" | "rsa2048" | "p256k1";

/** Writes a fresh private key (PKCS#8 PEM) to `file`. */
export function makeKey(file: string, kind: TestKey = "p256"): string {
  const pair =
    kind === "rsa1024" || kind === "rsa2048"
      ? generateKeyPairSync("rsa", { modulusLength: kind === "rsa1024" ? 1024 : 2048 })
      : generateKeyPairSync("ec", { namedCurve: kind === "p256" ? "prime256v1" : kind === "p384" ? "secp384r1" : "secp256k1" });
  const pem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  writeFileSync(file, pem, { mode: 0o600 });
  return file;
}

export interface IssueOptions {
  /** openssl -subj, e.g. "/CN=gw1.contoso.com" */
  subject: string;
  /** extension lines for the [ext] section */
  ext: string[];
  notBefore?: Date;
  notAfter?: Date;
  md?: string;
  sigopts?: string[];
  key?: TestKey;
  /** An existing key file to certify. */
  keyFile?: string;
  /** A CSR (PEM) to sign instead of making a key. */
  csrPem?: string;
}

export interface Issued {
  name: string;
  keyFile: string;
  certFile: string;
  pem: string;
  der: Uint8Array;
  serial: string;
}

let seq = 0;

export const EXT = {
  root: ["basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign", "subjectKeyIdentifier = hash"],
  intermediate: ["basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign", "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid"],
  leaf: (dns: string[]) => [
    "basicConstraints = CA:FALSE",
    "keyUsage = critical, digitalSignature, keyEncipherment",
    "extendedKeyUsage = serverAuth, clientAuth",
    ...(dns.length ? [`subjectAltName = ${dns.map((d) => (/^[0-9.:]+$/.test(d) ? `IP:${d}` : `DNS:${d}`)).join(", ")}`] : []),
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid",
  ],
};

/** A CA run by `openssl ca` with its own database (so it can also issue CRLs). */
export class TestCa {
  readonly dir: string;
  readonly cert: Issued;
  private constructor(
    readonly root: string,
    readonly name: string,
    cert: Issued,
  ) {
    this.dir = join(root, name);
    this.cert = cert;
  }

  private static setup(root: string, name: string): string {
    const dir = join(root, name);
    mkdirSync(join(dir, "certs"), { recursive: true });
    writeFileSync(join(dir, "index.txt"), "");
    writeFileSync(join(dir, "index.txt.attr"), "unique_subject = no\n");
    writeFileSync(join(dir, "serial"), "1000\n");
    writeFileSync(join(dir, "crlnumber"), "01\n");
    writeFileSync(
      join(dir, "ca.cnf"),
      [
        "[ca]",
        "default_ca = CA_default",
        "[CA_default]",
        `dir = ${dir}`,
        "database = $dir/index.txt",
        "new_certs_dir = $dir/certs",
        "serial = $dir/serial",
        "crlnumber = $dir/crlnumber",
        "certificate = $dir/ca.pem",
        "private_key = $dir/ca.key",
        "default_md = sha256",
        "default_days = 365",
        "default_crl_days = 7",
        "policy = policy_any",
        "unique_subject = no",
        "copy_extensions = copy",
        "email_in_dn = no",
        "[policy_any]",
        "commonName = optional",
        "organizationName = optional",
        "countryName = optional",
        "[req]",
        "distinguished_name = dn",
        "[dn]",
        "",
      ].join("\n"),
    );
    return dir;
  }

  /** A self-signed root. */
  static root(root: string, name: string, o: Partial<IssueOptions> = {}): TestCa {
    const dir = TestCa.setup(root, name);
    const keyFile = o.keyFile ?? makeKey(join(dir, "ca.key"), o.key ?? "p256");
    if (keyFile !== join(dir, "ca.key")) writeFileSync(join(dir, "ca.key"), readFileSync(keyFile), { mode: 0o600 });
    const csr = join(dir, "ca.csr");
    openssl(["req", "-new", "-key", join(dir, "ca.key"), "-subj", o.subject ?? `/CN=${name}/O=Test`, "-config", join(dir, "ca.cnf"), "-out", csr]);
    const ext = join(dir, "ext.cnf");
    writeFileSync(ext, ["[ext]", ...(o.ext ?? EXT.root)].join("\n") + "\n");
    const nb = o.notBefore ?? daysFromNow(-30);
    const na = o.notAfter ?? daysFromNow(3650);
    openssl([
      "ca", "-batch", "-selfsign", "-config", join(dir, "ca.cnf"), "-in", csr, "-out", join(dir, "ca.pem"), "-extfile", ext, "-extensions", "ext",
      "-startdate", osslDate(nb), "-enddate", osslDate(na), "-notext", "-md", o.md ?? "sha256", ...(o.sigopts ?? []).flatMap((s) => ["-sigopt", s]),
    ]);
    const pem = readFileSync(join(dir, "ca.pem"), "utf8");
    return new TestCa(root, name, { name, keyFile: join(dir, "ca.key"), certFile: join(dir, "ca.pem"), pem, der: pemToDer(pem), serial: "" });
  }

  /** Issues a certificate (a leaf, or an intermediate when `ext` says CA:TRUE). */
  issue(o: IssueOptions): Issued {
    const id = `c${++seq}`;
    const keyFile = o.keyFile ?? join(this.dir, `${id}.key`);
    let csr = join(this.dir, `${id}.csr`);
    if (o.csrPem) writeFileSync(csr, o.csrPem);
    else {
      if (!o.keyFile) makeKey(keyFile, o.key ?? "p256");
      openssl(["req", "-new", "-key", keyFile, "-subj", o.subject, "-config", join(this.dir, "ca.cnf"), "-out", csr]);
    }
    const ext = join(this.dir, `${id}.ext`);
    writeFileSync(ext, ["[ext]", ...o.ext].join("\n") + "\n");
    const certFile = join(this.dir, `${id}.pem`);
    const serial = readFileSync(join(this.dir, "serial"), "utf8").trim().toLowerCase();
    openssl([
      "ca", "-batch", "-config", join(this.dir, "ca.cnf"), "-in", csr, "-out", certFile, "-extfile", ext, "-extensions", "ext",
      "-startdate", osslDate(o.notBefore ?? daysFromNow(-1)), "-enddate", osslDate(o.notAfter ?? daysFromNow(365)), "-notext",
      "-md", o.md ?? "sha256", ...(o.subject ? ["-subj", o.subject] : []), ...(o.sigopts ?? []).flatMap((s) => ["-sigopt", s]),
    ]);
    csr = "";
    const pem = readFileSync(certFile, "utf8");
    return { name: id, keyFile, certFile, pem, der: pemToDer(pem), serial };
  }

  /** An intermediate CA under this one. */
  intermediate(name: string, o: Partial<IssueOptions> = {}): TestCa {
    const dir = TestCa.setup(this.root, name);
    makeKey(join(dir, "ca.key"), o.key ?? "p256");
    const issued = this.issue({ subject: o.subject ?? `/CN=${name}/O=Test`, ext: o.ext ?? EXT.intermediate, keyFile: join(dir, "ca.key"), ...(o.notBefore ? { notBefore: o.notBefore } : {}), ...(o.notAfter ? { notAfter: o.notAfter } : {}), ...(o.md ? { md: o.md } : {}) });
    writeFileSync(join(dir, "ca.pem"), issued.pem);
    return new TestCa(this.root, name, { ...issued, keyFile: join(dir, "ca.key"), certFile: join(dir, "ca.pem") });
  }

  /** Revokes a certificate this CA issued (in its database; takes effect in the next CRL). */
  revoke(c: Issued): void {
    openssl(["ca", "-config", join(this.dir, "ca.cnf"), "-revoke", c.certFile, "-crl_reason", "keyCompromise"]);
  }

  /** A CRL (DER). `lastUpdate`/`nextUpdate` default to now and +7 days. */
  crl(o: { lastUpdate?: Date; nextUpdate?: Date } = {}): Uint8Array {
    const out = join(this.dir, `crl${++seq}.pem`);
    openssl([
      "ca", "-gencrl", "-config", join(this.dir, "ca.cnf"), "-out", out,
      ...(o.lastUpdate ? ["-crl_lastupdate", osslDate(o.lastUpdate)] : []),
      ...(o.nextUpdate ? ["-crl_nextupdate", osslDate(o.nextUpdate)] : ["-crldays", "7"]),
    ]);
    return pemToDer(readFileSync(out, "utf8"));
  }
}

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error("no PEM block");
  return new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ""), "base64"));
}
