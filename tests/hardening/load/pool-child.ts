// The Mediation pool under load (load.test.ts): the simulator's MediationPool (Node tls, node-srtp)
// in its own process, placing calls to the gateway and answering the gateway's, with network loss
// injected on the media of one call in ten (every `dropEvery`-th RTP packet towards the gateway
// is not sent), counted per destination port so the gateway's loss can be checked against it.
// argv[2]: JSON { stateDir, dropEvery, lossyEvery }
import dgram from "node:dgram";
import { prepareSimState } from "../../../host/sim/state.js";
import { MediationPool } from "../../../host/sim/mediation/pool.js";
import { ToneSource } from "../../../host/media/pstn.js";
import type { PeerCall } from "../../../host/sim/mediation/peer.js";

const p = JSON.parse(process.argv[2]!) as { stateDir: string; dropEvery: number; lossyEvery: number };
const send = (m: unknown) => process.send!(m);
const state = await prepareSimState(p.stateDir);

// Loss injection: RTP datagrams (not RTCP) sent to a lossy port; every dropEvery-th is dropped.
const lossy = new Set<number>();
const sentTo = new Map<number, number>();
const dropped = new Map<number, number>();
const proto = dgram.Socket.prototype as unknown as { send: (...a: unknown[]) => void };
const realSend = proto.send;
proto.send = function (this: unknown, msg: unknown, ...rest: unknown[]) {
  const port = typeof rest[0] === "number" ? rest[0] : typeof rest[2] === "number" ? rest[2] : undefined;
  if (port !== undefined && lossy.has(port) && msg instanceof Uint8Array && msg.length > 1 && msg[1]! < 192) {
    const n = (sentTo.get(port) ?? 0) + 1;
    sentTo.set(port, n);
    if (n % p.dropEvery === 0) {
      dropped.set(port, (dropped.get(port) ?? 0) + 1);
      return;
    }
  }
  return realSend.call(this, msg, ...rest);
};

const pool = new MediationPool({
  names: { pool: state.names.pool, members: state.names.members },
  tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem },
  srtpMode: "required",
  mki: true,
  optionsIntervalMs: 5000,
  rtcpIntervalMs: 5000,
  source: () => new ToneSource(440),
});
await pool.listen();
let seen = 0;
const calls: PeerCall[] = [];
function adopt(c: PeerCall): void {
  if (calls.includes(c)) return; // the pool may announce its own calls too
  calls.push(c);
  const port = c.media.negotiated?.remoteRtpPort;
  if (port !== undefined && seen++ % p.lossyEvery === 0) lossy.add(port);
}
pool.on("call", (_m, c) => adopt(c));

process.on("message", (msg: { cmd: string; fqdn?: string; port?: number; count?: number; spacingMs?: number }) => {
  void (async () => {
    if (msg.cmd === "connect") {
      pool.connectGateway({ fqdn: msg.fqdn!, address: "127.0.0.1", port: msg.port! });
      send({ type: "connected" });
    } else if (msg.cmd === "call") {
      const all: Promise<void>[] = [];
      for (let i = 0; i < msg.count!; i++) {
        const n = String(i).padStart(4, "0");
        all.push(
          pool.call(i % pool.members.length, `+1206777${n}`, `+1425777${n}`).then(
            (c) => adopt(c),
            () => undefined,
          ),
        );
        await new Promise((r) => setTimeout(r, msg.spacingMs ?? 20));
      }
      await Promise.all(all);
      send({ type: "called" });
    } else if (msg.cmd === "report") {
      send({
        type: "report",
        calls: calls.map((c) => {
          const s = c.media.snapshot();
          const port = c.media.negotiated?.remoteRtpPort;
          return { callId: c.sip.callId, port, dropped: port !== undefined ? (dropped.get(port) ?? 0) : 0, lossy: port !== undefined && lossy.has(port), stats: { rtpSent: s.rtpSent, rtpReceived: s.rtpReceived, lost: s.lost, authFailures: s.authFailures, replays: s.replays, rtcpReceived: s.rtcpReceived } };
        }),
      });
    } else if (msg.cmd === "hangup") {
      await Promise.all(calls.map((c) => c.hangup().catch(() => undefined)));
      send({ type: "hungup" });
    } else if (msg.cmd === "close") {
      await pool.close().catch(() => undefined);
      process.exit(0);
    }
  })();
});
send({ type: "ready", members: pool.members.map((m) => ({ fqdn: m.fqdn, port: m.port })), names: state.names, storeDir: state.storeDir, identity: state.identity });
