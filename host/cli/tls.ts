// `gwsdk tls connect|serve`: mutual TLS from the command line, on our handshake and record core,
// in the manner of `openssl s_client` / `openssl s_server`. Exit codes: 0 ok, 1 failure (the error
// code and message on stderr), 2 usage. `--json` prints machine-readable lines on stderr, described
// by docs/schemas/tls-session.schema.json, tls-serve-event.schema.json and tls-error.schema.json.
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { CertStore, SIM_DEFAULT_STORE } from "../certs/cert-store.js";
import { FileDeviceKey } from "../certs/device-key.js";
import { GwsdkError } from "../errors.js";
import { connectMtls } from "../tls/connect-mtls.js";
import { createMtlsServer } from "../tls/mtls-server.js";
import type { MtlsSocket } from "../tls/mtls-socket.js";
import type { TlsPolicy, TlsVersionLabel } from "../tls/policy.js";

const USAGE = `usage: gwsdk tls <command> [options]

commands:
  connect HOST:PORT --servername FQDN [--tls1.2|--tls1.3] [--fips] [--strict] [--identity ID]
                        connect to a Mediation Server with mutual TLS; print the negotiated
                        parameters and the server's chain on stderr, then copy stdin to the
                        connection and the connection to stdout (end of stdin sends close_notify)
  serve --port N [--allow-peer FQDN]... [--host ADDR] [--tls1.2|--tls1.3] [--fips] [--strict]
        [--identity ID]
                        accept mutual-TLS connections and echo what each peer sends; with --allow-peer
                        only from clients whose certificate names one of those FQDNs (the Mediation
                        Servers of the topology), without it from any client whose chain verifies
                        against the store (a warning says so)

options for both:
  --store DIR           the certificate store (default: $GWSDK_STORE, else ${SIM_DEFAULT_STORE})
  --device-key FILE     the sim board's device key (default: DIR/../device.key)
  --timeout MS          handshake deadline (default 10000)
  --json                machine-readable lines on stderr (docs/schemas/tls-*.schema.json)
`;

class UsageError extends Error {}

const ANY_PEER_WARNING = "no --allow-peer: any client whose certificate chains to a trust anchor of the store is accepted, whatever names it carries (a gateway accepts only its pool members: give --allow-peer FQDN for each)";

export interface TlsCliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr(s: string): void;
  env: NodeJS.ProcessEnv;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal(): Promise<void>;
}

function defaultIo(): TlsCliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    stopSignal: () => new Promise((r) => {
      process.once("SIGINT", () => r());
      process.once("SIGTERM", () => r());
    }),
  };
}

const OPTIONS = {
  store: { type: "string" },
  "device-key": { type: "string" },
  servername: { type: "string" },
  identity: { type: "string" },
  "tls1.2": { type: "boolean" },
  "tls1.3": { type: "boolean" },
  fips: { type: "boolean" },
  strict: { type: "boolean" },
  timeout: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "allow-peer": { type: "string", multiple: true },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

function policyOf(v: Values): TlsPolicy {
  if (v["tls1.2"] && v["tls1.3"]) throw new UsageError("--tls1.2 and --tls1.3 exclude each other (give neither for both)");
  const versions: TlsVersionLabel[] | undefined = v["tls1.2"] ? ["TLSv1.2"] : v["tls1.3"] ? ["TLSv1.3"] : undefined;
  const p: TlsPolicy = {};
  if (versions) p.versions = versions;
  if (v.fips) p.fips = true;
  if (v.strict) p.profile = "strict";
  if (v.timeout !== undefined) {
    const ms = Number(v.timeout);
    if (!Number.isInteger(ms) || ms < 1) throw new UsageError(`--timeout must be a positive integer (milliseconds), not "${v.timeout}"`);
    p.handshakeTimeoutMs = ms;
  }
  return p;
}

async function openStore(v: Values, io: TlsCliIo): Promise<CertStore> {
  const dir = resolve(v.store ?? io.env.GWSDK_STORE ?? SIM_DEFAULT_STORE);
  return CertStore.open(dir, { create: false, ...(v["device-key"] ? { deviceKey: new FileDeviceKey(resolve(v["device-key"])) } : {}) });
}

/** What `connect` prints and `--json` describes (docs/schemas/tls-session.schema.json). */
export function sessionInfo(s: MtlsSocket): Record<string, unknown> {
  return {
    version: s.version,
    suite: s.suite,
    group: s.group,
    helloRetryRequest: s.helloRetryRequest,
    signatureScheme: s.signatureScheme,
    peerSignatureScheme: s.peerSignatureScheme,
    ...(s.serverName !== undefined ? { serverName: s.serverName } : {}),
    remoteAddress: s.remoteAddress ?? null,
    remotePort: s.remotePort ?? null,
    peerChain: s.peerChain.map((c) => ({ ...c, notAfter: c.notAfter.toISOString() })),
    warnings: s.warnings.map((w) => ({ reason: w.reason, message: w.message })),
  };
}

function sessionText(s: MtlsSocket, who: string): string {
  const lines = [
    `${who}: ${s.version} ${s.suite} ${s.group}${s.helloRetryRequest ? " (after HelloRetryRequest)" : ""}`,
    `  signatures: ours ${s.signatureScheme || "-"}, peer ${s.peerSignatureScheme}`,
    "  peer chain:",
    ...s.peerChain.map((c, i) => `   ${i} ${c.subject}${c.sans.length ? `  [${c.sans.join(", ")}]` : ""}\n     issuer ${c.issuer}, until ${c.notAfter.toISOString()}, sha256 ${c.fingerprint256}`),
    ...s.warnings.map((w) => `  warning: ${w.message}`),
  ];
  return lines.join("\n") + "\n";
}

function errorJson(e: unknown): string {
  const err = e as { code?: string; message?: string; alert?: string; direction?: string };
  return JSON.stringify({
    error: {
      code: err.code ?? "ERR_CLI",
      message: err.message ?? String(e),
      ...(err.alert !== undefined ? { alert: err.alert } : {}),
      ...(err.direction !== undefined ? { direction: err.direction } : {}),
    },
  });
}

function parseTarget(t: string | undefined): { host: string; port: number } {
  const m = t ? /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(t) : null;
  if (!m) throw new UsageError(`connect needs HOST:PORT (e.g. ms-pool.contoso.com:5067), not ${JSON.stringify(t ?? "")}`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

async function connectCmd(v: Values, pos: string[], io: TlsCliIo): Promise<number> {
  const { host, port } = parseTarget(pos[0]);
  if (!v.servername) throw new UsageError("connect needs --servername FQDN (the name in the Mediation Server's certificate)");
  const policy = policyOf(v);
  const store = await openStore(v, io);
  let s: MtlsSocket;
  try {
    s = await connectMtls({ host, port, servername: v.servername, store, policy, ...(v.identity ? { identity: v.identity } : {}) });
  } finally {
    store.close();
  }
  io.stderr(v.json ? JSON.stringify({ event: "secure", session: sessionInfo(s) }) + "\n" : sessionText(s, `connected to ${host}:${port}`));
  return new Promise<number>((resolveExit) => {
    let failed = false;
    s.on("error", (e) => {
      failed = true;
      io.stderr(v.json ? errorJson(e) + "\n" : `gwsdk tls: ${(e as GwsdkError).code ?? "ERR_TLS"}: ${(e as Error).message}\n`);
    });
    s.on("close", () => {
      // the peer may close first: stop reading stdin so that the process can exit
      io.stdin.unpipe(s);
      (io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      resolveExit(failed ? 1 : 0);
    });
    s.pipe(io.stdout, { end: false });
    io.stdin.pipe(s); // end of stdin ends our side: close_notify
  });
}

async function serveCmd(v: Values, io: TlsCliIo): Promise<number> {
  const port = Number(v.port);
  if (v.port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("serve needs --port N (0 picks a free port)");
  const allowedPeers = v["allow-peer"] ?? [];
  if (allowedPeers.some((n) => n.length === 0)) throw new UsageError("--allow-peer needs an FQDN");
  // Without --allow-peer: any client the store's trust accepts (chain, validity, EKU, revocation),
  // whatever its names. Fine for a bench test; a gateway lists its pool members.
  const anyTrustedPeer = allowedPeers.length === 0;
  const policy = policyOf(v);
  const store = await openStore(v, io);
  const line = (obj: Record<string, unknown>, text: string) => io.stderr(v.json ? JSON.stringify(obj) + "\n" : text);
  if (anyTrustedPeer) {
    line(
      { event: "warning", code: "WARN_TLS_ANY_TRUSTED_PEER", message: ANY_PEER_WARNING },
      `gwsdk tls: warning: ${ANY_PEER_WARNING}\n`,
    );
  }
  const server = createMtlsServer({ store, allowedPeers, anyTrustedPeer, policy, ...(v.identity ? { identity: v.identity } : {}) }, (s) => {
    const peer = `${s.remoteAddress}:${s.remotePort}`;
    line({ event: "secure", session: sessionInfo(s) }, sessionText(s, `connection from ${peer}`));
    s.on("data", (d) => s.write(d));
    s.on("end", () => s.end());
    s.on("error", (e) => line({ event: "connectionError", remoteAddress: s.remoteAddress ?? null, ...JSON.parse(errorJson(e)) }, `${peer}: ${(e as GwsdkError).code}: ${(e as Error).message}\n`));
    s.on("close", () => line({ event: "closed", remoteAddress: s.remoteAddress ?? null, remotePort: s.remotePort ?? null }, `${peer}: closed\n`));
  });
  server.on("tlsClientError", (e, peer: { remoteAddress?: string; remotePort?: number }) => {
    line(
      { event: "clientError", remoteAddress: peer.remoteAddress ?? null, remotePort: peer.remotePort ?? null, ...JSON.parse(errorJson(e)) },
      `refused ${peer.remoteAddress}:${peer.remotePort}: ${(e as GwsdkError).code}${(e as { alert?: string }).alert ? ` (alert ${(e as { alert?: string }).alert})` : ""}: ${(e as Error).message}\n`,
    );
  });
  const listening = new Promise<void>((ok, fail) => {
    server.once("listening", ok);
    server.once("error", fail);
  });
  // Ask for the stop signal before saying "listening": whoever reads that line may signal at once.
  const stopped = io.stopSignal();
  server.listen(port, v.host ?? "0.0.0.0");
  try {
    await listening;
  } catch (e) {
    store.close();
    throw e;
  }
  const addr = server.address() as { address: string; port: number };
  line({ event: "listening", host: addr.address, port: addr.port }, `listening on ${addr.address}:${addr.port} (allowed peers: ${anyTrustedPeer ? "any client with a trusted certificate" : allowedPeers.join(", ")})\n`);
  await stopped;
  await new Promise<void>((r) => server.close(() => r(), true));
  store.close();
  return 0;
}

export async function tlsCommand(argv: string[], ioOverride: Partial<TlsCliIo> = {}): Promise<number> {
  const io = { ...defaultIo(), ...ioOverride };
  const [cmd, ...rest] = argv;
  let json = rest.includes("--json");
  try {
    if (!cmd || cmd === "help" || cmd === "--help" || cmd === "-h") {
      io.stderr(USAGE);
      return cmd ? 0 : 2;
    }
    if (cmd !== "connect" && cmd !== "serve") throw new UsageError(`unknown command "tls ${cmd}"`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const v = parsed.values as Values;
    json = !!v.json;
    if (v.help) {
      io.stderr(USAGE);
      return 0;
    }
    if (cmd === "connect") return await connectCmd(v, parsed.positionals, io);
    if (parsed.positionals.length) throw new UsageError(`serve takes no positional arguments (${parsed.positionals.join(" ")})`);
    return await serveCmd(v, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(json ? JSON.stringify({ error: { code: "ERR_USAGE", message: e.message } }) + "\n" : `gwsdk tls: ${e.message}\n${USAGE}`);
      return 2;
    }
    io.stderr(json ? errorJson(e) + "\n" : `gwsdk tls: ${(e as GwsdkError).code ?? "ERR_TLS"}: ${(e as Error).message}\n`);
    return 1;
  }
}
