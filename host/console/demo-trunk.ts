// A trunk to look at: the gateway side (SipEndpoint + GatewayCall) and the Mediation Server
// simulator (MediationPeer) on loopback, SIP over mutual TLS (Node's tls, both directions) with a
// throw-away demo PKI, SRTP media flowing, OPTIONS probes running. `gwsdk console --demo` shows it,
// and the console's browser tests drive it. The gateway side's SRTP is node-srtp here (the provider
// the sip branch's glue uses until the core's engine is wired in by the gateway).
import tls from "node:tls";
import { once } from "node:events";
import { GatewayCall, type GatewayCallOptions } from "../media/gateway-call.js";
import { SimPstnPort, ToneSource } from "../media/pstn.js";
import { MediationPeer, type PeerCall } from "../sim/mediation/peer.js";
import { nodeSrtp } from "../sim/mediation/node-srtp.js";
import { SipEndpoint } from "../sip/endpoint.js";
import { issueCertificate } from "./issue-cert.js";
import { TrunkDataSource, type TrunkDataSourceOptions } from "./trunk-data-source.js";

export interface DemoTrunkOptions {
  /** OPTIONS probe interval (default 2000 ms). */
  optionsIntervalMs?: number;
  /** SIP timers (tests shorten them). */
  timers?: { t1?: number; t2?: number };
  /** RTCP interval for both sides (default 1000 ms). */
  rtcpIntervalMs?: number;
  gatewayFqdn?: string;
  poolFqdn?: string;
  /** Options of the data source (how long ended calls and closed links stay listed). */
  dataSource?: Pick<TrunkDataSourceOptions, "keepDownMs" | "keepEndedMs">;
}

interface Pem {
  key: string;
  cert: string;
}

const DAY = 86_400_000;

function demoPki(gatewayFqdn: string, poolFqdn: string): { ca: string; gateway: Pem; pool: Pem } {
  const ca = issueCertificate({ commonName: "gwsdk demo CA", ca: true, notAfter: new Date(Date.now() + 3650 * DAY) });
  const issuer = { der: ca.der, key: ca.key };
  const pool = issueCertificate({ commonName: poolFqdn, dnsNames: [poolFqdn, `ms1.${poolFqdn}`], ipAddresses: ["127.0.0.1"], issuer, extKeyUsage: ["serverAuth", "clientAuth"], notAfter: new Date(Date.now() + 200 * DAY) });
  const gateway = issueCertificate({ commonName: gatewayFqdn, dnsNames: [gatewayFqdn], ipAddresses: ["127.0.0.1"], issuer, extKeyUsage: ["serverAuth", "clientAuth"], notAfter: new Date(Date.now() + 90 * DAY) });
  return { ca: ca.certPem, gateway: { key: gateway.keyPem, cert: gateway.certPem }, pool: { key: pool.keyPem, cert: pool.certPem } };
}

function connectTls(m: { host: string; port: number }, own: Pem, ca: string, servername: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: m.host, port: m.port, servername, key: own.key, cert: own.cert, ca, minVersion: "TLSv1.2" });
    s.once("secureConnect", () => {
      s.removeListener("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

async function listenTls(own: Pem, ca: string, onSocket?: (s: tls.TLSSocket) => void): Promise<{ server: tls.Server; port: number }> {
  const server = tls.createServer({ key: own.key, cert: own.cert, ca, requestCert: true, rejectUnauthorized: true, minVersion: "TLSv1.2" }, onSocket);
  server.on("tlsClientError", () => undefined);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as { port: number }).port };
}

export class DemoTrunk {
  readonly gatewayCalls: GatewayCall[] = [];
  readonly peerCalls: PeerCall[] = [];
  private number = 100;

  private constructor(
    readonly endpoint: SipEndpoint,
    readonly peer: MediationPeer,
    readonly source: TrunkDataSource,
    private readonly servers: tls.Server[],
    private readonly callOpts: () => GatewayCallOptions,
  ) {}

  static async start(o: DemoTrunkOptions = {}): Promise<DemoTrunk> {
    const gatewayFqdn = o.gatewayFqdn ?? "gw.demo.example.com";
    const poolFqdn = o.poolFqdn ?? "pool.demo.example.com";
    const pki = demoPki(gatewayFqdn, poolFqdn);
    const rtcpIntervalMs = o.rtcpIntervalMs ?? 1000;
    const timers = o.timers ?? {};
    // The gateway's own listener (the pool calls it) and the pool member's.
    let endpoint!: SipEndpoint;
    const gwListener = await listenTls(pki.gateway, pki.ca, (s) => endpoint.accept(s, s.remoteAddress && s.remotePort ? { host: s.remoteAddress, port: s.remotePort } : undefined));
    const peer = new MediationPeer({
      host: `ms1.${poolFqdn}`,
      timers,
      rtcpIntervalMs,
      sendStun: true,
      source: () => new ToneSource(440),
      gateway: { host: "127.0.0.1", port: gwListener.port },
      connect: (m) => connectTls(m, pki.pool, pki.ca, gatewayFqdn),
    });
    const poolListener = await listenTls(pki.pool, pki.ca);
    peer.attach(poolListener.server, "secureConnection");
    endpoint = new SipEndpoint({
      local: { host: gatewayFqdn, port: gwListener.port, transport: "TLS" },
      pool: { fqdn: poolFqdn, members: [{ host: "127.0.0.1", port: poolListener.port }] },
      connect: (m) => connectTls(m, pki.gateway, pki.ca, poolFqdn),
      timers,
      health: { intervalMs: o.optionsIntervalMs ?? 2000, failuresToDown: 3, timeoutMs: 2000 },
      userAgent: "gwsdk-demo-gateway",
    });
    const source = new TrunkDataSource({ endpoint, gateway: { name: gatewayFqdn, board: "sim (demo trunk)" }, ...(o.dataSource ?? {}) });
    const callOpts = (): GatewayCallOptions => ({
      srtp: nodeSrtp,
      pstn: new SimPstnPort(new ToneSource(700)),
      bindAddress: "127.0.0.1",
      advertiseAddress: "127.0.0.1",
      media: { rtcpIntervalMs },
    });
    const demo = new DemoTrunk(endpoint, peer, source, [gwListener.server, poolListener.server], callOpts);
    endpoint.on("invite", (inc) => {
      GatewayCall.answer(inc, callOpts()).then(
        (c) => {
          demo.gatewayCalls.push(c);
          source.addCall(c);
        },
        () => undefined,
      );
    });
    await endpoint.start();
    await endpoint.probeAll();
    return demo;
  }

  /** A call from the gateway to the pool (PSTN → Teams/SfB direction). */
  async placeCall(to = "+14255550100", from?: string): Promise<GatewayCall> {
    const c = await GatewayCall.place(this.endpoint, { to, from: from ?? `+1206555${String(this.number++).padStart(4, "0")}` }, this.callOpts());
    this.gatewayCalls.push(c);
    this.source.addCall(c);
    return c;
  }

  /** A call from the pool to the gateway (towards the PSTN); resolves once the gateway side has it. */
  async callFromPool(to = "+12065550199", from = "+14255550123"): Promise<PeerCall> {
    const before = this.gatewayCalls.length;
    const pc = await this.peer.call(to, from);
    this.peerCalls.push(pc);
    const deadline = Date.now() + 5000;
    while (this.gatewayCalls.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return pc;
  }

  async close(): Promise<void> {
    this.source.close();
    await Promise.all(this.gatewayCalls.map((c) => c.hangup().catch(() => undefined)));
    await this.endpoint.close();
    await this.peer.close();
    for (const s of this.servers) s.close();
  }
}
