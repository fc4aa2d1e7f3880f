// createMtlsServer(): the gateway's own TLS listener (Topology Builder default 5067), to which the
// Mediation Server connects for calls towards the PSTN. Every client must present a certificate
// that chains to the store's anchors and names one of `allowedPeers` (the pool members of the
// topology), as Skype for Business trusts only servers named in Topology Builder.
//
//   const server = createMtlsServer({ store: "/data/store", allowedPeers: ["ms1.contoso.com", "ms2.contoso.com"] }, (s) => { ... });
//   server.listen(5067);
//   server.on("tlsClientError", (err, peer) => log(err.code, peer.remoteAddress));
import { EventEmitter } from "node:events";
import net from "node:net";
import { nodeAsymmetricProvider } from "./asymmetric.js";
import { commonSettings, type MtlsCommonOptions } from "./connect-mtls.js";
import { CredentialSource } from "./credentials.js";
import { TlsError } from "./errors.js";
import { asTlsError } from "./mtls-errors.js";
import { MtlsSocket } from "./mtls-socket.js";
import { SDK_BUILD_DATE, resolvePolicy, type ResolvedTlsPolicy } from "./policy.js";
import { sharedCore } from "./shared-core.js";

export interface CreateMtlsServerOptions extends MtlsCommonOptions {
  /** FQDNs a client certificate must name one of (SAN dNSName; CN only without SANs; RFC 6125 wildcards). */
  allowedPeers: string[];
  /**
   * Diagnostics only (`gwsdk tls serve` without --allow-peer): accept any client whose chain verifies
   * against the store (anchors, validity, EKU, revocation) whatever names it carries; `allowedPeers`
   * must then be empty. Not for a gateway: Skype for Business trusts only the servers named in the
   * topology, and the gateway lists its pool members.
   */
  anyTrustedPeer?: boolean;
  /** Most connections at once, handshaking or open (default 256); more are refused at accept. */
  maxConnections?: number;
}

export interface TlsClientErrorPeer {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

/**
 * Events: "secureConnection" (socket), "tlsClientError" (TlsError, peer) for every refused or
 * failed handshake, "listening", "close", "error" (listener errors such as EADDRINUSE).
 */
export class MtlsServer extends EventEmitter {
  readonly #server: net.Server;
  readonly #options: CreateMtlsServerOptions;
  readonly #policy: ResolvedTlsPolicy;
  readonly #settings: ReturnType<typeof commonSettings>;
  readonly #onSecure: ((s: MtlsSocket) => void) | undefined;
  #source: Promise<CredentialSource>;
  readonly #sockets = new Set<MtlsSocket>();

  constructor(o: CreateMtlsServerOptions, onSecure?: (s: MtlsSocket) => void) {
    super();
    if (typeof o !== "object" || o === null) throw new TlsError("ERR_TLS_CONFIG", "createMtlsServer needs an options object");
    if (o.anyTrustedPeer === true) {
      if (!Array.isArray(o.allowedPeers) || o.allowedPeers.length !== 0) throw new TlsError("ERR_TLS_CONFIG", "anyTrustedPeer accepts every trusted client: allowedPeers must be empty");
    } else if (!Array.isArray(o.allowedPeers) || o.allowedPeers.length === 0 || o.allowedPeers.some((n) => typeof n !== "string" || n.length === 0)) {
      throw new TlsError("ERR_TLS_CONFIG", "allowedPeers must list the FQDNs of the Mediation Servers (pool members) allowed to connect");
    }
    this.#options = o;
    this.#policy = resolvePolicy(o.policy);
    this.#settings = commonSettings(o);
    if (o.keylog && this.#policy.fips) throw new TlsError("ERR_TLS_CONFIG", "a key log cannot be written in FIPS mode");
    this.#onSecure = onSecure;
    this.#source = CredentialSource.open(o.store, o.identity, this.#policy);
    this.#source.catch(() => undefined); // reported per connection
    this.#server = net.createServer({ pauseOnConnect: true }, (sock) => void this.#accept(sock));
    this.#server.maxConnections = o.maxConnections ?? 256;
    this.#server.on("listening", () => this.emit("listening"));
    this.#server.on("close", () => this.emit("close"));
    this.#server.on("error", (e) => this.emit("error", e));
  }

  listen(port: number, host?: string, cb?: () => void): this {
    if (cb) this.once("listening", cb);
    this.#server.listen(port, host);
    return this;
  }

  address(): net.AddressInfo | string | null {
    return this.#server.address();
  }

  /** Stops accepting; open connections stay until they end (or pass `destroyConnections`). */
  close(cb?: (err?: Error) => void, destroyConnections = false): this {
    this.#server.close((err) => {
      void this.#source.then((s) => s.close(), () => undefined);
      cb?.(err);
    });
    if (destroyConnections) for (const s of this.#sockets) s.destroy();
    return this;
  }

  /** Connections currently handshaking or open. */
  get connections(): number {
    return this.#sockets.size;
  }

  async #accept(sock: net.Socket): Promise<void> {
    const peer: TlsClientErrorPeer = { remoteAddress: sock.remoteAddress, remotePort: sock.remotePort };
    sock.setNoDelay(true);
    let s: MtlsSocket | undefined;
    try {
      const o = this.#options;
      const credentials = await (await this.#source).load();
      const core = o.core ?? (await sharedCore());
      s = new MtlsSocket({
        role: "server",
        socket: sock,
        core,
        policy: this.#policy,
        credentials,
        asym: o.asymmetric ?? nodeAsymmetricProvider,
        now: o.now ?? (() => new Date()),
        buildDate: o.buildDate ?? SDK_BUILD_DATE,
        ...(o.anyTrustedPeer === true ? { anyTrustedPeer: true } : { allowedPeers: [...o.allowedPeers] }),
        ...this.#settings,
        ...(o.aeadLimits ? { aeadLimits: o.aeadLimits } : {}),
        ...(o.testHooks ? { hooks: o.testHooks } : {}),
        ...(o.keylog ? { keylog: o.keylog } : {}),
      });
      this.#sockets.add(s);
      s.once("close", () => this.#sockets.delete(s!));
      sock.resume();
      await s.start();
    } catch (e) {
      if (s) this.#sockets.delete(s);
      else sock.destroy();
      this.emit("tlsClientError", asTlsError(e, "TLS listener"), peer);
      return;
    }
    this.emit("secureConnection", s);
    this.#onSecure?.(s);
  }
}

/** Creates the gateway's mutual-TLS listener; call listen(port, host?) on it. */
export function createMtlsServer(o: CreateMtlsServerOptions, onSecure?: (s: MtlsSocket) => void): MtlsServer {
  return new MtlsServer(o, onSecure);
}
