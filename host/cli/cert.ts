// `gwsdk cert ...`: the technician's commands over CertStore (docs/certificates.md "CLI").
// Exit codes: 0 ok, 1 failure (error code + message on stderr), 2 usage. `--json` prints one JSON
// document on stdout, described by docs/schemas/cert-<command>.schema.json.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { readFile, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { CertStore, SIM_DEFAULT_STORE, type CertSummary, type ListReport, type IdentityInfo, type CheckReport } from "../certs/cert-store.js";
import { FileDeviceKey } from "../certs/device-key.js";
import { CertError } from "../certs/errors.js";
import { KEY_TYPES, type KeyType } from "../certs/keys.js";
import type { RevocationPolicy } from "../certs/verify.js";
import { GwsdkError } from "../errors.js";

export interface CertIo {
  stdout(s: string | Uint8Array): void;
  stderr(s: string): void;
  stdoutIsTTY: boolean;
  stdinIsTTY: boolean;
  /** Asks for a secret on the terminal without echo. */
  promptSecret(question: string): Promise<string | undefined>;
  env: NodeJS.ProcessEnv;
}

const USAGE = `usage: gwsdk cert <command> [options]

commands:
  init --fqdn FQDN [--san NAME]... [--ip ADDR]... [--key ${KEY_TYPES.join("|")}] [--name ID] [--renew]
                        make a key and a CSR (PKCS#10) for identity ID (default "default")
  csr [--name ID]       print the CSR again (the pending one, else the one the certificate answered)
  import FILE [--name ID] [--password P | --password-file F] [--replace]
                        import the signed certificate + chain (PEM, DER, PKCS#7 .p7b, PKCS#12 .pfx)
  trust add FILE        add CA certificate(s) to the trusted root store
  trust remove SHA256   remove a trusted CA by fingerprint (or a unique prefix of 8+ hex digits)
  trust list            list trusted CAs
  crl import FILE       import a CRL (signed by a trusted CA)
  crl list              list CRLs
  crl policy [default|strict|off]
                        show or set the revocation policy
  list                  everything in the store, with days remaining (exit 1 when a file is damaged)
  show [--name ID]      one identity in detail
  check [--name ID] [--revocation default|strict|off]
                        is the identity usable for mutual TLS? (exit 1 when not)
  export [--name ID] [--include-key --password-file F --out FILE]
                        the certificate chain (PEM), or a PKCS#12 backup with the key (binary: --out
                        is required when stdout is a terminal)
  reset --yes           factory reset: erase every key, empty the store, rotate the device key

options for every command:
  --store DIR           the store (default: $GWSDK_STORE, else ${SIM_DEFAULT_STORE})
  --device-key FILE     the sim board's device key (default: DIR/../device.key)
  --json                machine-readable output (docs/schemas/cert-*.schema.json)
`;

class UsageError extends Error {}

const COMMON = {
  store: { type: "string" },
  "device-key": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const OPTIONS: Record<string, NonNullable<ParseArgsConfig["options"]>> = {
  init: { fqdn: { type: "string" }, san: { type: "string", multiple: true }, ip: { type: "string", multiple: true }, key: { type: "string" }, name: { type: "string" }, renew: { type: "boolean" } },
  csr: { name: { type: "string" } },
  import: { name: { type: "string" }, password: { type: "string" }, "password-file": { type: "string" }, replace: { type: "boolean" } },
  trust: {},
  crl: {},
  list: {},
  show: { name: { type: "string" } },
  check: { name: { type: "string" }, revocation: { type: "string" } },
  export: { name: { type: "string" }, "include-key": { type: "boolean" }, "password-file": { type: "string" }, out: { type: "string" } },
  reset: { yes: { type: "boolean" } },
};

function defaultIo(): CertIo {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdoutIsTTY: !!process.stdout.isTTY,
    stdinIsTTY: !!process.stdin.isTTY,
    promptSecret,
    env: process.env,
  };
}

/** Reads a line from the terminal with echo off. */
async function promptSecret(question: string): Promise<string | undefined> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return undefined;
  stdin.setRawMode(true); // echo off before the question appears, so nothing typed is echoed
  stdin.resume();
  process.stderr.write(question);
  return new Promise((res) => {
    let buf = "";
    const done = (v: string | undefined) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      res(v);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done(buf);
        if (ch === "\u0003" || ch === "\u0004") return done(undefined); // Ctrl-C / Ctrl-D
        if (ch === "\u007f" || ch === "\b") buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function readPasswordFile(file: string): Promise<string> {
  try {
    return (await readFile(file, "utf8")).replace(/\r?\n$/, "");
  } catch (e) {
    throw new CertError("ERR_CERT_ARG", `cannot read password file ${file}: ${(e as Error).message}`, { file });
  }
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new CertError("ERR_CERT_NOT_FOUND", `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file });
  }
}

function certLine(c: CertSummary): string {
  const days = c.daysRemaining < 0 ? `EXPIRED ${-c.daysRemaining} day(s) ago` : `${c.daysRemaining} day(s) left`;
  return `${c.subject}  [${c.key}]  until ${c.notAfter} (${days})\n      sha256 ${c.fingerprintSha256}`;
}

function identityText(i: IdentityInfo & { csrPem?: string | null }, detail: boolean): string {
  const lines = [`identity ${i.name}: ${i.fqdn}  key ${i.keyType}  state ${i.state}${i.trust ? `  chain ${i.trust}` : ""}`];
  if (i.certificate) {
    lines.push(`  certificate: ${certLine(i.certificate)}`);
    if (detail) {
      lines.push(`      issuer ${i.certificate.issuer}`, `      serial ${i.certificate.serialNumber}`, `      names ${[...i.certificate.dnsNames, ...i.certificate.ipAddresses].join(", ")}`);
      i.chain.slice(1).forEach((c, k) => lines.push(`  chain[${k + 1}]: ${certLine(c)}`));
    }
  } else lines.push("  no certificate yet: submit the CSR to the CA, then `gwsdk cert import`");
  if (i.csrPending) lines.push("  a CSR is pending (`gwsdk cert csr --name " + i.name + "`)");
  return lines.join("\n") + "\n";
}

function listText(r: ListReport): string {
  const out: string[] = [`store ${r.store} (schema ${r.schemaVersion}, revocation policy ${r.revocation})`, ""];
  out.push(r.identities.length ? r.identities.map((i) => identityText(i, false)).join("") : "no identities (`gwsdk cert init --fqdn ...`)\n");
  out.push(`trusted CAs (${r.anchors.length}):`);
  for (const a of r.anchors) out.push(`  ${certLine(a)}`);
  out.push(`CRLs (${r.crls.length}):`);
  for (const c of r.crls) out.push(`  ${c.issuer}  updated ${c.thisUpdate}, next ${c.nextUpdate ?? "-"}${c.stale ? "  STALE" : ""}  (${c.revokedCount} revoked)`);
  for (const e of r.expiry) if (e.threshold !== null) out.push(`warning: ${e.kind} "${e.subject}" ${e.daysRemaining < 0 ? "has expired" : `expires in ${e.daysRemaining} day(s)`} (${e.notAfter})`);
  for (const p of r.problems) out.push(`PROBLEM ${p.code}: ${p.message}`);
  if (!r.ok) out.push(`store damaged: ${r.problems.length} file(s) could not be read; everything else is listed above (exit status 1)`);
  return out.join("\n") + "\n";
}

function checkText(r: CheckReport): string {
  const out = [`identity ${r.name}: ${r.status.toUpperCase()}`];
  if (r.certificate) out.push(`  certificate: ${certLine(r.certificate)}`, `  chain: ${r.chain.length} certificate(s), ${r.trust}`, `  revocation policy: ${r.revocation}`);
  for (const p of r.problems) out.push(`  problem ${p.code}: ${p.message}`);
  for (const w of r.warnings) out.push(`  warning ${w.code}: ${w.message}`);
  return out.join("\n") + "\n";
}

export async function certCommand(argv: string[], ioOverride: Partial<CertIo> = {}): Promise<number> {
  const io = { ...defaultIo(), ...ioOverride };
  // global options may come before the command: `gwsdk cert --store DIR list`
  const rest: string[] = [];
  let cmd: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (cmd === undefined && (a === "--store" || a === "--device-key")) {
      rest.push(a, argv[++i] ?? "");
    } else if (cmd === undefined && (a.startsWith("--store=") || a.startsWith("--device-key=") || a === "--json")) {
      rest.push(a);
    } else if (cmd === undefined && !a.startsWith("-")) cmd = a;
    else if (cmd === undefined && (a === "--help" || a === "-h")) cmd = "help";
    else rest.push(a);
  }
  let json = rest.includes("--json");
  try {
    if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
      io.stdout(USAGE);
      return cmd ? 0 : 2;
    }
    const opts = OPTIONS[cmd];
    if (!opts) throw new UsageError(`unknown command "cert ${cmd}"`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...COMMON, ...opts }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
    const pos = parsed.positionals;
    json = !!v.json;
    if (v.help) {
      io.stdout(USAGE);
      return 0;
    }
    const storeDir = resolve((v.store as string | undefined) ?? io.env.GWSDK_STORE ?? SIM_DEFAULT_STORE);
    const devKey = v["device-key"] as string | undefined;
    const open = (create: boolean) =>
      CertStore.open(storeDir, { create, ...(devKey ? { deviceKey: new FileDeviceKey(resolve(devKey)) } : {}), logger: { warn: () => undefined } });
    const emit = (obj: unknown, text: string) => io.stdout(json ? JSON.stringify(obj, null, 2) + "\n" : text);
    const name = v.name as string | undefined;
    const want = (n: number, what: string) => {
      if (pos.length !== n) throw new UsageError(`cert ${cmd}: expected ${what}`);
    };

    switch (cmd) {
      case "init": {
        want(0, "no positional argument");
        if (!v.fqdn) throw new UsageError("cert init: --fqdn is required");
        const key = (v.key as string | undefined) ?? "rsa2048";
        if (!(KEY_TYPES as readonly string[]).includes(key)) throw new UsageError(`cert init: --key must be one of ${KEY_TYPES.join(", ")}`);
        const store = await open(true);
        try {
          const r = await store.init({ fqdn: v.fqdn as string, sans: (v.san as string[]) ?? [], ips: (v.ip as string[]) ?? [], key: key as KeyType, ...(name ? { name } : {}), renew: !!v.renew });
          emit(r, `${r.renewal ? "renewal " : ""}key ${r.keyType} and CSR made for identity "${r.name}" (${r.fqdn}).\nSubmit this CSR to the CA (AD CS: certreq -submit -attrib "CertificateTemplate:<template>"), then \`gwsdk cert import\` the result:\n\n${r.csrPem}`);
        } finally {
          store.close();
        }
        return 0;
      }
      case "csr": {
        want(0, "no positional argument");
        const store = await open(false);
        try {
          const r = await store.csrInfo(name);
          if (!r.pending && !json) io.stderr(`gwsdk cert: identity "${r.name}" has its certificate; this is the CSR it was issued for (\`gwsdk cert init --renew\` makes a new key and CSR)\n`);
          emit(r, r.csrPem);
        } finally {
          store.close();
        }
        return 0;
      }
      case "import": {
        want(1, "FILE");
        if (v.password !== undefined && v["password-file"] !== undefined) throw new UsageError("cert import: give --password or --password-file, not both");
        const file = pos[0]!;
        const data = await readInput(file);
        const password = v["password-file"] ? await readPasswordFile(v["password-file"] as string) : (v.password as string | undefined) ?? (io.stdinIsTTY ? () => io.promptSecret(`password for ${file}: `) : undefined);
        const store = await open(true); // a PKCS#12 with its key may restore into a new device's empty store
        try {
          const r = await store.import(data, { source: file, ...(name ? { name } : {}), ...(password !== undefined ? { password } : {}), replace: !!v.replace });
          emit(
            r,
            `imported into identity "${r.name}" (${r.format}, key from ${r.keySource}): ${certLine(r.certificate)}\n  chain of ${r.chainLength}, ${r.trust}\n` + r.warnings.map((w) => `warning ${w.code}: ${w.message}\n`).join(""),
          );
        } finally {
          store.close();
        }
        return 0;
      }
      case "trust": {
        const sub = pos[0];
        const store = await open(sub === "add");
        try {
          if (sub === "add") {
            want(2, "trust add FILE");
            const r = await store.trustAdd(await readInput(pos[1]!), pos[1]!);
            emit(r, [...r.added.map((c) => `trusted: ${certLine(c)}`), ...r.alreadyTrusted.map((c) => `already trusted: ${certLine(c)}`)].join("\n") + "\n");
          } else if (sub === "remove") {
            want(2, "trust remove SHA256-FINGERPRINT");
            const r = await store.trustRemove(pos[1]!);
            emit({ removed: r }, `no longer trusted: ${certLine(r)}\n`);
          } else if (sub === "list") {
            want(1, "trust list");
            const r = await store.trustList();
            emit({ anchors: r }, r.length ? r.map((c) => certLine(c)).join("\n") + "\n" : "no trusted CAs (`gwsdk cert trust add FILE`)\n");
          } else throw new UsageError("cert trust: add FILE | remove SHA256 | list");
        } finally {
          store.close();
        }
        return 0;
      }
      case "crl": {
        const sub = pos[0];
        const store = await open(false);
        try {
          if (sub === "import") {
            want(2, "crl import FILE");
            const r = await store.crlImport(await readInput(pos[1]!), pos[1]!);
            emit(r, `CRL of ${r.issuer} stored (updated ${r.thisUpdate}, next ${r.nextUpdate ?? "-"}, ${r.revokedCount} revoked)\n` + r.warnings.map((w) => `warning ${w.code}: ${w.message}\n`).join(""));
          } else if (sub === "list") {
            want(1, "crl list");
            const r = await store.list();
            emit({ revocation: r.revocation, crls: r.crls }, r.crls.map((c) => `${c.issuer}  updated ${c.thisUpdate}, next ${c.nextUpdate ?? "-"}${c.stale ? "  STALE" : ""}  (${c.revokedCount} revoked)`).join("\n") + (r.crls.length ? "\n" : "no CRLs\n"));
          } else if (sub === "policy") {
            if (pos.length > 2) throw new UsageError("crl policy [default|strict|off]");
            if (pos[1] !== undefined) {
              if (!["default", "strict", "off"].includes(pos[1])) throw new UsageError("crl policy: default, strict or off");
              await store.setRevocationPolicy(pos[1] as RevocationPolicy);
            }
            emit({ revocation: store.revocationPolicy }, `revocation policy: ${store.revocationPolicy}\n`);
          } else throw new UsageError("cert crl: import FILE | list | policy [default|strict|off]");
        } finally {
          store.close();
        }
        return 0;
      }
      case "list": {
        want(0, "no positional argument");
        const store = await open(false);
        try {
          const r = await store.list();
          emit(r, listText(r));
          // A damaged file is a failure a script must see, even though the rest is listed.
          return r.ok ? 0 : 1;
        } finally {
          store.close();
        }
      }
      case "show": {
        want(0, "no positional argument");
        const store = await open(false);
        try {
          const r = await store.show(name);
          emit(r, identityText(r, true) + (r.csrPem ? `\n${r.csrPem}` : ""));
          return 0;
        } finally {
          store.close();
        }
      }
      case "check": {
        want(0, "no positional argument");
        const rev = v.revocation as string | undefined;
        if (rev !== undefined && !["default", "strict", "off"].includes(rev)) throw new UsageError("cert check: --revocation default|strict|off");
        const store = await open(false);
        try {
          const r = await store.check(name, rev ? { revocation: rev as RevocationPolicy } : {});
          emit(r, checkText(r));
          return r.status === "unusable" ? 1 : 0;
        } finally {
          store.close();
        }
      }
      case "export": {
        want(0, "no positional argument");
        const store = await open(false);
        try {
          const id = name ?? "default";
          if (!v["include-key"]) {
            if (v["password-file"]) throw new UsageError("cert export: --password-file only goes with --include-key");
            const pem = await store.exportChainPem(id);
            if (v.out) await writeFile(v.out as string, pem, { mode: 0o644 });
            emit({ name: id, format: "pem", pem, ...(v.out ? { file: v.out } : {}) }, v.out ? `chain written to ${v.out}\n` : pem);
            return 0;
          }
          // PKCS#12 is binary: never onto a terminal (or into the JSON document); asked before any prompt.
          if (!v.out && (io.stdoutIsTTY || json)) throw new UsageError("cert export --include-key: give --out FILE for the PKCS#12 (binary; stdout is a terminal)");
          let password: string | undefined;
          if (v["password-file"]) password = await readPasswordFile(v["password-file"] as string);
          else if (io.stdinIsTTY) {
            password = await io.promptSecret("password for the PKCS#12 backup: ");
            if (password !== undefined && (await io.promptSecret("again: ")) !== password) throw new CertError("ERR_CERT_PASSWORD", "the passwords differ");
          }
          if (password === undefined) throw new UsageError("cert export --include-key: a password is required (--password-file F)");
          const p12 = await store.exportPkcs12(id, password);
          if (v.out) {
            await writeFile(v.out as string, p12, { mode: 0o600 });
            emit({ name: id, format: "pkcs12", file: v.out, bytes: p12.length, sha256: createHash("sha256").update(p12).digest("hex") }, `PKCS#12 backup of "${id}" (key + chain) written to ${v.out}; keep it and its password apart\n`);
          } else io.stdout(p12);
          return 0;
        } finally {
          store.close();
        }
      }
      case "reset": {
        want(0, "no positional argument");
        if (!v.yes) throw new CertError("ERR_CERT_CONFIRM", "reset erases every private key and certificate in the store: run `gwsdk cert reset --yes` to confirm");
        const store = await open(false);
        try {
          const r = await store.reset();
          emit(r, `store reset: ${r.removed} file(s) erased${r.deviceKeyRotated ? ", device key rotated" : ""}\n`);
          return 0;
        } finally {
          store.close();
        }
      }
    }
    throw new UsageError(`unknown command "cert ${cmd}"`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`gwsdk cert: ${e.message} (see \`gwsdk cert help\`)\n`);
      if (json) io.stdout(JSON.stringify({ error: { code: "ERR_USAGE", message: e.message } }, null, 2) + "\n");
      return 2;
    }
    const err = e as GwsdkError & { file?: string };
    const code = e instanceof GwsdkError ? err.code : "ERR_CERT_INTERNAL";
    io.stderr(`gwsdk cert: ${code}: ${err.message}\n`);
    if (json) io.stdout(JSON.stringify({ error: { code, message: err.message, ...(err.file ? { file: err.file } : {}) } }, null, 2) + "\n");
    return 1;
  }
}
