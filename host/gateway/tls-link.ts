// The gateway's TLS, both directions, is ours (host/tls: the handshake on the WebAssembly record
// core), never Node's `tls`. This file is the one small adapter between the gateway and that
// interface: connect to a pool member, listen for the Mediation Server, and describe a link.
import type { Core } from "../core/load-core.js";
import type { CertStore } from "../certs/cert-store.js";
import { connectMtls } from "../tls/connect-mtls.js";
import { createMtlsServer, type MtlsServer, type TlsClientErrorPeer } from "../tls/mtls-server.js";
import type { MtlsSocket } from "../tls/mtls-socket.js";
import type { TlsPolicy } from "../tls/policy.js";
import type { KeylogSink } from "../tls/keylog.js";

/** What the gateway (and the simulator's report) shows about one MTLS link. */
export interface TlsLinkInfo {
  version: string;
  suite: string;
  group: string;
  /** The peer certificate's subject ("CN=mspool.contoso.com"). */
  peerSubject: string | null;
  peerIssuer: string | null;
  /** ISO 8601. */
  peerNotAfter: string | null;
  peerSans: string[];
}

export interface GatewayTlsOptions {
  store: CertStore;
  identity: string;
  policy: TlsPolicy;
  core: Core;
  keylog?: KeylogSink;
}

export class GatewayTls {
  constructor(private readonly o: GatewayTlsOptions) {}

  /** Our MTLS client to a pool member; `servername` is the member's (or the pool's) FQDN. */
  connect(host: string, port: number, servername: string): Promise<MtlsSocket> {
    return connectMtls({
      host,
      port,
      servername,
      store: this.o.store,
      identity: this.o.identity,
      policy: this.o.policy,
      core: this.o.core,
      ...(this.o.keylog ? { keylog: this.o.keylog } : {}),
    });
  }

  /** Our MTLS listener; resolves once listening. */
  listen(
    host: string,
    port: number,
    allowedPeers: string[],
    onSecure: (s: MtlsSocket) => void,
    onRefused: (err: Error & { code?: string }, peer: TlsClientErrorPeer) => void,
  ): Promise<MtlsServer> {
    const server = createMtlsServer(
      {
        store: this.o.store,
        identity: this.o.identity,
        allowedPeers,
        policy: this.o.policy,
        core: this.o.core,
        ...(this.o.keylog ? { keylog: this.o.keylog } : {}),
      },
      onSecure,
    );
    server.on("tlsClientError", onRefused);
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      server.once("error", fail);
      server.listen(port, host, () => {
        server.off("error", fail);
        resolve(server);
      });
    });
  }

  static describe(s: MtlsSocket): TlsLinkInfo {
    const leaf = s.peerChain[0];
    return {
      version: s.version,
      suite: s.suite,
      group: s.group,
      peerSubject: leaf?.subject ?? null,
      peerIssuer: leaf?.issuer ?? null,
      peerNotAfter: leaf ? leaf.notAfter.toISOString() : null,
      peerSans: leaf?.sans ?? [],
    };
  }
}
