// connectMtls(): the gateway as TLS client to the Mediation Server (its port 5067), with mutual
// authentication on our handshake and record core.
//
//   const s = await connectMtls({ host: "10.0.0.5", port: 5067, servername: "ms-pool.contoso.com", store: "/data/store" });
//   s.version, s.suite, s.group, s.peerChain; s.write(sipMessage); s.on("data", ...); s.end();
import net from "node:net";
import type { Core } from "../core/load-core.js";
import type { CertStore } from "../certs/cert-store.js";
import { nodeAsymmetricProvider, type AsymmetricProvider } from "./asymmetric.js";
import { CredentialSource, type MtlsCredentials } from "./credentials.js";
import { TlsError } from "./errors.js";
import type { HandshakeTestHooks } from "./handshake/context.js";
import { MtlsSocket } from "./mtls-socket.js";
import { SDK_BUILD_DATE, resolvePolicy, type ResolvedTlsPolicy, type TlsPolicy } from "./policy.js";
import type { TlsUsageLimits } from "./record-layer.js";
import { sharedCore } from "./shared-core.js";
import type { KeylogSink } from "./keylog.js";

/** Options both roles share. */
export interface MtlsCommonOptions {
  /** The certificate store, or its directory. */
  store: CertStore | string;
  /** The store identity to present (default "default"). */
  identity?: string;
  policy?: TlsPolicy;
  /** Advanced: the core to run on (default: one shared, lazily loaded core). */
  core?: Core;
  /** Advanced: ECDHE and signature verification (default: Node's crypto). A board may supply hardware. */
  asymmetric?: AsymmetricProvider;
  /** record_size_limit to advertise (RFC 8449); default 16385 (no limit beyond the protocol's). 0 omits the extension. */
  recordSizeLimit?: number;
  /** Destroy an open connection after this long without input (default 0: never; SIP OPTIONS keep links busy). */
  idleTimeoutMs?: number;
  /** After our close_notify, how long to wait for the peer's (default 5000). */
  closeTimeoutMs?: number;
  /** Clock (tests; boards whose clock is not the system's). */
  now?: () => Date;
  /** Lower bound for a believable clock (default: the SDK build date). */
  buildDate?: Date;
  /** A clock before buildDate: "refuseTls" (default: ERR_TLS_CLOCK) or "warn" (check as of buildDate, warn). Board `time.beforeClockSet`. */
  beforeClockSet?: "refuseTls" | "warn";
  /** Tests only: write-key record limits, to exercise automatic KeyUpdate. */
  aeadLimits?: TlsUsageLimits;
  /** Tests only: tamper with our handshake messages. */
  testHooks?: HandshakeTestHooks;
  /** Debugging only: receives the connection's secrets as SSLKEYLOGFILE lines. Refused in FIPS mode. */
  keylog?: KeylogSink;
}

export interface ConnectMtlsOptions extends MtlsCommonOptions {
  host: string;
  port: number;
  /** The Mediation pool FQDN (or a pool member): sent as SNI and required in the server's certificate. */
  servername: string;
}

export const DEFAULT_RECORD_SIZE_LIMIT = 16385;

/** Checks the options both roles share; throws ERR_TLS_CONFIG. */
export function commonSettings(o: MtlsCommonOptions): { recordSizeLimit: number; idleTimeoutMs: number; closeTimeoutMs: number; beforeClockSet: "refuseTls" | "warn" } {
  const recordSizeLimit = o.recordSizeLimit ?? DEFAULT_RECORD_SIZE_LIMIT;
  if (!Number.isInteger(recordSizeLimit) || (recordSizeLimit !== 0 && (recordSizeLimit < 64 || recordSizeLimit > 16385))) {
    throw new TlsError("ERR_TLS_CONFIG", `recordSizeLimit must be 0 or an integer from 64 to 16385, not ${String(recordSizeLimit)}`);
  }
  const idleTimeoutMs = o.idleTimeoutMs ?? 0;
  const closeTimeoutMs = o.closeTimeoutMs ?? 5000;
  for (const [k, v] of [["idleTimeoutMs", idleTimeoutMs], ["closeTimeoutMs", closeTimeoutMs]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new TlsError("ERR_TLS_CONFIG", `${k} must be a non-negative integer`);
  }
  const beforeClockSet = o.beforeClockSet ?? "refuseTls";
  if (beforeClockSet !== "refuseTls" && beforeClockSet !== "warn") throw new TlsError("ERR_TLS_CONFIG", `beforeClockSet must be "refuseTls" or "warn"`);
  return { recordSizeLimit, idleTimeoutMs, closeTimeoutMs, beforeClockSet };
}

const DNS_NAME = /^(?=.{1,253}\.?$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Connects to a Mediation Server and completes the mutual-TLS handshake. Rejects with a TlsError. */
export async function connectMtls(o: ConnectMtlsOptions): Promise<MtlsSocket> {
  if (typeof o !== "object" || o === null) throw new TlsError("ERR_TLS_CONFIG", "connectMtls needs an options object");
  if (typeof o.host !== "string" || o.host.length === 0) throw new TlsError("ERR_TLS_CONFIG", "host must be a host name or address");
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new TlsError("ERR_TLS_CONFIG", `port must be 1..65535, not ${String(o.port)}`);
  if (typeof o.servername !== "string" || !(DNS_NAME.test(o.servername) || net.isIP(o.servername))) {
    throw new TlsError("ERR_TLS_CONFIG", `servername must be the Mediation Server's FQDN (as in its certificate), not ${JSON.stringify(o.servername)}`);
  }
  const policy = resolvePolicy(o.policy);
  const settings = commonSettings(o);
  if (o.keylog && policy.fips) throw new TlsError("ERR_TLS_CONFIG", "a key log cannot be written in FIPS mode");
  const credentials = await loadCredentials(o.store, o.identity, policy);
  const core = o.core ?? (await sharedCore());
  const socket = await openSocket(o.host, o.port, policy.handshakeTimeoutMs);
  const s = new MtlsSocket({
    role: "client",
    socket,
    core,
    policy,
    credentials,
    asym: o.asymmetric ?? nodeAsymmetricProvider,
    now: o.now ?? (() => new Date()),
    buildDate: o.buildDate ?? SDK_BUILD_DATE,
    servername: o.servername,
    ...settings,
    ...(o.aeadLimits ? { aeadLimits: o.aeadLimits } : {}),
    ...(o.testHooks ? { hooks: o.testHooks } : {}),
    ...(o.keylog ? { keylog: o.keylog } : {}),
  });
  await s.start();
  return s;
}

/**
 * Credentials for a connection. A CertStore object keeps one CredentialSource per identity, so
 * reconnects (failover between pool members) do not unseal the key again; the source reloads when
 * the store reports a change. A store directory is opened, read and closed each time.
 */
const sources = new WeakMap<CertStore, Map<string, Promise<CredentialSource>>>();

async function loadCredentials(store: CertStore | string, identity: string | undefined, policy: ResolvedTlsPolicy): Promise<MtlsCredentials> {
  if (typeof store === "string") {
    const source = await CredentialSource.open(store, identity, policy);
    try {
      return await source.load();
    } finally {
      source.close();
    }
  }
  let byIdentity = sources.get(store);
  if (!byIdentity) sources.set(store, (byIdentity = new Map()));
  const key = identity ?? "";
  let source = byIdentity.get(key);
  if (!source) {
    source = CredentialSource.open(store, identity, policy);
    byIdentity.set(key, source);
    source.catch(() => byIdentity!.delete(key));
  }
  return (await source).load();
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TlsError("ERR_TLS_TIMEOUT", `no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(new TlsError("ERR_TLS_SOCKET", `cannot connect to ${host}:${port}: ${e.message}`, { cause: e }));
    });
  });
}
