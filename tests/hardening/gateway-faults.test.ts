// Pool failures under active calls, against the real Gateway (our MTLS both ways, SIP, core SRTP)
// and the simulator's Mediation Servers (OpenSSL, node-srtp), each member behind a TCP forwarder the
// test controls:
//   - member 1 crashes while calls run on both members: its calls end with outcome "failover", the
//     other member's calls keep their media, OPTIONS marks member 1 down, new calls go to member 2;
//   - member 1 comes back (a new process on the same address): OPTIONS marks it up, calls reach it;
//   - while it is down the gateway retries without spinning (connection attempts bounded by the
//     probe interval);
//   - a member that never answers is retried with exponential backoff and jitter, by a timer of its own;
//   - the media watchdog runs on the monotonic clock (a wall-clock step neither keeps a silent call up
//     nor ends a live one);
//   - ended calls do not accumulate (the gateway keeps the newest `callHistory` records).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { join } from "node:path";
import { loadBoard } from "../../host/boards/board.js";
import { resolveConfig, validateConfigDocument } from "../../host/gateway/config.js";
import { Gateway, type GatewayCallRecord } from "../../host/gateway/gateway.js";
import { prepareSimState, type SimState } from "../../host/sim/state.js";
import { MediationPool } from "../../host/sim/mediation/pool.js";
import type { PeerCall } from "../../host/sim/mediation/peer.js";
import { ToneSource } from "../../host/media/pstn.js";
import { rmTmp, tmpDir } from "../host/certs/pki.js";

const PROBE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A TCP forwarder on a fixed port: up (forwarding to `target`), or refusing every connection. */
class Forwarder {
  readonly server: net.Server;
  port = 0;
  target = 0;
  up = true;
  /** Connection attempts while refusing, with their time (ms). */
  readonly refusedAt: number[] = [];
  private readonly socks = new Set<net.Socket>();
  constructor() {
    this.server = net.createServer((a) => {
      if (!this.up) {
        this.refusedAt.push(performance.now());
        a.destroy();
        return;
      }
      const b = net.connect(this.target, "127.0.0.1");
      for (const s of [a, b]) {
        this.socks.add(s);
        s.on("error", () => undefined);
        s.on("close", () => (this.socks.delete(s), a.destroy(), b.destroy()));
      }
      a.pipe(b);
      b.pipe(a);
    });
  }
  async listen(): Promise<void> {
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as net.AddressInfo).port;
  }
  crash(): void {
    this.up = false;
    for (const s of this.socks) s.destroy();
  }
  /** The peer goes silent without closing (a dead host, a dropped NAT entry): nothing is forwarded, nothing closed. */
  blackhole(): void {
    this.up = false;
    for (const s of this.socks) {
      s.unpipe();
      s.removeAllListeners("data");
      s.pause();
    }
  }
  restore(target: number): void {
    this.target = target;
    this.up = true;
  }
  close(): Promise<void> {
    for (const s of this.socks) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let dir: string;
let state: SimState;
before(async () => {
  dir = tmpDir("gwfaults");
  state = await prepareSimState(join(dir, "state"), { keyType: "p256" });
});
after(() => rmTmp(dir));

function onePool(member: string): MediationPool {
  return new MediationPool({
    names: { pool: state.names.pool, members: [member] },
    tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem },
    optionsIntervalMs: 1000,
    rtcpIntervalMs: 500,
    source: () => new ToneSource(440),
  });
}

test("a member crashes under active calls: failover, the other member's calls carry on, OPTIONS down then up when it returns", { timeout: 180_000 }, async () => {
  const [ms1, ms2] = state.names.members as [string, string];
  const poolA = onePool(ms1);
  const poolB = onePool(ms2);
  await poolA.listen();
  await poolB.listen();
  const fa = new Forwarder();
  const fb = new Forwarder();
  await fa.listen();
  await fb.listen();
  fa.target = poolA.members[0]!.port;
  fb.target = poolB.members[0]!.port;
  const board = loadBoard("sim");
  const config = resolveConfig(
    board,
    validateConfigDocument({
      fqdn: state.names.gateway,
      store: state.storeDir,
      identity: state.identity,
      listen: { host: "127.0.0.1", port: 0 },
      pool: { fqdn: state.names.pool, members: [{ fqdn: ms1, host: ms1, port: fa.port }, { fqdn: ms2, host: ms2, port: fb.port }], hosts: { [ms1]: ["127.0.0.1"], [ms2]: ["127.0.0.1"] } },
      trunk: { srtpMode: "required", mki: true, optionsIntervalMs: PROBE_MS, optionsFailuresDown: 3 },
      media: { address: "127.0.0.1", portMin: 36000, portMax: 36999, rtcpIntervalMs: 500 },
    }),
    state.dir,
  );
  const gw = await Gateway.start({ board, config, mediaTimeoutMs: 5000 });
  const events: string[] = [];
  gw.on("memberDown", (m) => events.push(`down ${m}`));
  gw.on("memberUp", (m) => events.push(`up ${m}`));
  let poolA2: MediationPool | undefined;
  try {
    for (const p of [poolA, poolB]) p.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
    await until(() => gw.links().filter((l) => l.state === "up").length >= 4, 15_000, "4 MTLS links");
    const status = () => Object.fromEntries(gw.endpoint.memberStatus().map((m) => [m.port === fa.port ? "ms1" : "ms2", m.up]));
    assert.deepEqual(status(), { ms1: true, ms2: true });

    // Calls on both members: outbound ones go to ms1 (first in order), inbound ones come from ms2.
    const out: GatewayCallRecord[] = [];
    for (let i = 0; i < 6; i++) out.push(await gw.place(`+142555501${i}0`, "+12065550100"));
    const inb: PeerCall[] = [];
    for (let i = 0; i < 4; i++) inb.push(await poolB.call(0, `+120655502${i}0`, "+14255550100"));
    assert.ok(out.every((r) => r.outcome === "active" && r.member?.startsWith(ms1)), out.map((r) => `${r.outcome} ${r.member}`).join());
    await until(() => gw.calls().filter((r) => r.outcome === "active").length === 10, 5000, "10 active calls");
    await sleep(1000);
    const onB = gw.calls().filter((r) => r.direction === "inbound");
    const before = onB.map((r) => r.call!.media.snapshot().rtpReceived);

    // ms1 crashes: its TCP connections and listener vanish (no BYE, no FIN from SIP).
    const t0 = performance.now();
    fa.crash();
    await poolA.stopMember(0);
    await until(() => out.every((r) => r.outcome !== "active"), 10_000, "ms1's calls to end");
    const failoverMs = performance.now() - t0;
    assert.deepEqual([...new Set(out.map((r) => r.outcome))], ["failover"]);
    await until(() => events.includes(`down ${ms1}:${fa.port}`), 10_000, "memberDown ms1");
    const downMs = performance.now() - t0;
    assert.deepEqual(status(), { ms1: false, ms2: true });
    await sleep(1500);
    const after_ = onB.map((r) => r.call!.media.snapshot().rtpReceived);
    assert.ok(onB.every((r) => r.outcome === "active"), "ms2's calls survived ms1's crash");
    assert.ok(after_.every((n, i) => n > before[i]! + 40), `ms2's calls kept their media: ${before} → ${after_}`);
    // new calls go to ms2
    const again = await gw.place("+14255550999", "+12065550100");
    assert.equal(again.outcome, "active");
    assert.ok(again.member?.startsWith(ms2), again.member ?? "");
    // while ms1 is down the gateway retries at the probe pace, not in a loop
    const refusedBefore = fa.refusedAt.length;
    await sleep(3000);
    const attempts = fa.refusedAt.length - refusedBefore;
    assert.ok(attempts <= Math.ceil(3000 / PROBE_MS) + 2, `${attempts} connection attempts to the dead member in 3 s (probe every ${PROBE_MS} ms)`);

    // ms1 returns (a new process behind the same address).
    poolA2 = onePool(ms1);
    await poolA2.listen();
    fa.restore(poolA2.members[0]!.port);
    poolA2.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
    const t1 = performance.now();
    await until(() => events.includes(`up ${ms1}:${fa.port}`), 10_000, "memberUp ms1");
    const upMs = performance.now() - t1;
    assert.deepEqual(status(), { ms1: true, ms2: true });
    const back = await gw.place("+14255550888", "+12065550100");
    assert.equal(back.outcome, "active");
    assert.ok(back.member?.startsWith(ms1), `a new call goes to ms1 again: ${back.member}`);
    console.log(
      `# faults: ms1 crashed under 10 active calls: its 6 calls ended "failover" after ${failoverMs.toFixed(0)} ms, marked down after ${downMs.toFixed(0)} ms ` +
        `(probe every ${PROBE_MS} ms, down after 3 failures); ms2's 4 calls kept their media; ${attempts} reconnection attempts in 3 s while down; ` +
        `ms1 back up ${upMs.toFixed(0)} ms after it returned; events ${JSON.stringify(events)}`,
    );
    for (const r of gw.calls()) if (r.outcome === "active") await gw.hangup(r);
  } finally {
    await gw.stop();
    for (const p of [poolA, poolB, poolA2]) await p?.close().catch(() => undefined);
    await fa.close();
    await fb.close();
  }
});

test(
  "reconnection to a dead member backs off exponentially, with jitter, and never spins",
  { timeout: 60_000 },
  async () => {
    const [ms1, ms2] = state.names.members as [string, string];
    const poolB = onePool(ms2);
    await poolB.listen();
    const fa = new Forwarder();
    await fa.listen();
    fa.up = false; // ms1 never answers
    const board = loadBoard("sim");
    const config = resolveConfig(
      board,
      validateConfigDocument({
        fqdn: state.names.gateway, store: state.storeDir, identity: state.identity, listen: { host: "127.0.0.1", port: 0 },
        pool: { fqdn: state.names.pool, members: [{ fqdn: ms1, host: ms1, port: fa.port }, { fqdn: ms2, host: ms2, port: poolB.members[0]!.port }], hosts: { [ms1]: ["127.0.0.1"], [ms2]: ["127.0.0.1"] } },
        trunk: { srtpMode: "required", mki: true, optionsIntervalMs: 200, optionsFailuresDown: 3 },
        media: { address: "127.0.0.1", portMin: 37000, portMax: 37999 },
      }),
      state.dir,
    );
    // OPTIONS every 200 ms; backoff from 100 ms, doubling, at most 1600 ms, each delay drawn in [d/2, d]
    const BASE = 100;
    const MAX = 1600;
    const gw = await Gateway.start({ board, config, reconnect: { baseMs: BASE, maxMs: MAX } });
    poolB.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
    try {
      await sleep(6000);
      const t = [...fa.refusedAt];
      const gaps = t.slice(1).map((x, i) => x - t[i]!);
      const shown = `gaps between connection attempts (ms): ${gaps.map((g) => g.toFixed(0)).join(" ")}`;
      // never spins: 30 probes ran in these 6 s, but the attempts are the backoff's: the gaps' windows
      // sum to 100+200+400+800+1600+1600+... so 7 to 11 attempts fit in 6 s
      assert.ok(t.length >= 6 && t.length <= 12, `${t.length} attempts in 6 s; ${shown}`);
      // backoff: each gap within its window [d/2, d] (+ scheduling slack), d = min(MAX, BASE·2^k)
      const ratio = gaps.map((g, k) => g / Math.min(MAX, BASE * 2 ** k));
      assert.ok(ratio.every((r) => r >= 0.45 && r <= 1.25), `${shown}; gap / window ${ratio.map((r) => r.toFixed(2)).join(" ")}`);
      assert.ok(gaps[gaps.length - 1]! > 2 * gaps[0]!, shown);
      // jitter: the draws are spread over their windows, not one fixed fraction
      const spread = Math.max(...ratio) - Math.min(...ratio);
      assert.ok(spread > 0.05, `no jitter: ${ratio.map((r) => r.toFixed(3)).join(" ")}`);
      // the dead member is down, the other one up
      assert.deepEqual(gw.endpoint.memberStatus().map((m) => m.up), [false, true], JSON.stringify(gw.endpoint.memberStatus()));
      console.log(`# backoff: ${t.length} connection attempts to a dead member in 6 s while OPTIONS ran every 200 ms; ${shown}`);
    } finally {
      await gw.stop();
      await poolB.close();
      await fa.close();
    }
  },
);

/** A gateway and a one-member pool, with `n` outbound calls up. */
async function smallRig(portMin: number, n: number, callHistory?: number) {
  const [ms1] = state.names.members as [string];
  const pool = onePool(ms1);
  await pool.listen();
  const board = loadBoard("sim");
  const config = resolveConfig(
    board,
    validateConfigDocument({
      fqdn: state.names.gateway, store: state.storeDir, identity: state.identity, listen: { host: "127.0.0.1", port: 0 },
      pool: { fqdn: state.names.pool, members: [{ fqdn: ms1, host: ms1, port: pool.members[0]!.port }], hosts: { [ms1]: ["127.0.0.1"] } },
      trunk: { srtpMode: "required", mki: true, optionsIntervalMs: 1000 },
      media: { address: "127.0.0.1", portMin, portMax: portMin + 999, rtcpIntervalMs: 500 },
    }),
    state.dir,
  );
  const gw = await Gateway.start({ board, config, mediaTimeoutMs: 3000, ...(callHistory !== undefined ? { callHistory } : {}) });
  pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
  await until(() => gw.links().filter((l) => l.state === "up").length >= 2, 15_000, "MTLS links");
  const calls: GatewayCallRecord[] = [];
  for (let i = 0; i < n; i++) calls.push(await gw.place(`+14255551${String(i).padStart(3, "0")}`, "+12065550100"));
  return { gw, pool, calls, close: async () => (await gw.stop(), await pool.close()) };
}

test(
  "a silent call still times out after a backward step of the wall clock (the media watchdog runs on the monotonic clock)",
  { timeout: 60_000 },
  async () => {
    const rig = await smallRig(38000, 2);
    const realNow = Date.now.bind(Date);
    try {
      await sleep(1000);
      const [a, b] = rig.calls as [GatewayCallRecord, GatewayCallRecord];
      const peer = rig.pool.findCall(a.call!.sip.callId)!.call;
      await peer.media.close(); // the far end's media stops (a dead media path)
      await sleep(700); // the watchdog has seen the last packet
      Date.now = () => realNow() - 3600_000; // then NTP corrects a clock that was an hour fast
      await until(() => a.outcome !== "active", 6000, "the silent call to time out (mediaTimeoutMs 3000)");
      assert.equal(a.outcome, "media-timeout");
      assert.equal(b.outcome, "active", "the call with media is untouched");
    } finally {
      Date.now = realNow;
      await rig.close();
    }
  },
);

test(
  "ended calls do not accumulate in the gateway's memory (the newest callHistory records are kept, older calls are collected)",
  { timeout: 120_000 },
  async () => {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const collect = async () => {
      gc();
      await sleep(0); // WeakRef targets stay alive until the end of the job that dereferenced them
      gc();
    };
    const rig = await smallRig(39000, 0, 10);
    try {
      // every ended call's heavy objects: the GatewayCall (SIP dialog, negotiator, media session) and its PSTN port
      const refs: { call: WeakRef<object>; pstn: WeakRef<object> }[] = [];
      const cycle = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const r = await rig.gw.place(`+14255552${String(i).padStart(3, "0")}`, "+12065550100");
          assert.equal(r.outcome, "active");
          refs.push({ call: new WeakRef(r.call!), pstn: new WeakRef(r.pstn) });
          await sleep(300);
          await rig.gw.hangup(r);
        }
        await sleep(500);
        // the simulated Mediation Server runs in this process and keeps its own calls: forget the ended ones, so the heap measures the gateway
        for (const m of rig.pool.members) m.peer?.calls.splice(0, m.peer.calls.length);
        await collect();
        return process.memoryUsage().heapUsed;
      };
      const h1 = await cycle(20);
      const h2 = await cycle(40);
      const kept = rig.gw.calls().length;
      assert.ok(kept <= 10, `${kept} records kept (callHistory 10)`);
      // all but the newest 10 calls are gone from the heap (before the fix: all 60 kept, ~60 KiB each)
      const alive = refs.map((x, k) => (x.call.deref() || x.pstn.deref() ? k : -1)).filter((k) => k >= 0);
      assert.ok(alive.every((k) => k >= refs.length - 10), `calls still in the heap: ${alive.join(" ")}`);
      // and the heap does not grow with the count (what remains is V8's code and feedback warming up, a few KiB per call, falling)
      const perCall = (h2 - h1) / 40;
      assert.ok(perCall < 8192, `the heap grew by ${(perCall / 1024).toFixed(1)} KiB per ended call (${kept} records kept)`);
      console.log(`# call history: 60 calls placed and ended, ${kept} records kept, ${alive.length} calls' objects still in the heap; heap +${((h2 - h1) / 1024).toFixed(0)} KiB over the last 40 (${(perCall / 1024).toFixed(2)} KiB per call, JIT warm-up included)`);
    } finally {
      await rig.close();
    }
  },
);

test("a member's link goes half-open (silent, never closed) under calls: OPTIONS marks it down, new calls go to the other member, media carries on", { timeout: 120_000 }, async () => {
  const [ms1, ms2] = state.names.members as [string, string];
  const poolA = onePool(ms1);
  const poolB = onePool(ms2);
  await poolA.listen();
  await poolB.listen();
  const fa = new Forwarder();
  await fa.listen();
  fa.target = poolA.members[0]!.port;
  const board = loadBoard("sim");
  const config = resolveConfig(
    board,
    validateConfigDocument({
      fqdn: state.names.gateway, store: state.storeDir, identity: state.identity, listen: { host: "127.0.0.1", port: 0 },
      pool: { fqdn: state.names.pool, members: [{ fqdn: ms1, host: ms1, port: fa.port }, { fqdn: ms2, host: ms2, port: poolB.members[0]!.port }], hosts: { [ms1]: ["127.0.0.1"], [ms2]: ["127.0.0.1"] } },
      trunk: { srtpMode: "required", mki: true, optionsIntervalMs: PROBE_MS, optionsFailuresDown: 3 },
      media: { address: "127.0.0.1", portMin: 35000, portMax: 35999, rtcpIntervalMs: 500 },
    }),
    state.dir,
  );
  // short SIP timers: the BYEs of the calls on the silent member give up in 6.4 s, not 32 s
  const gw = await Gateway.start({ board, config, mediaTimeoutMs: 5000, sipTimers: { t1: 100 } });
  const events: string[] = [];
  gw.on("memberDown", (m) => events.push(`down ${m}`));
  try {
    for (const p of [poolA, poolB]) p.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
    await until(() => gw.links().filter((l) => l.state === "up").length >= 4, 15_000, "4 MTLS links");
    const calls = [await gw.place("+14255550301", "+12065550100"), await gw.place("+14255550302", "+12065550100")];
    assert.ok(calls.every((r) => r.member?.startsWith(ms1)));
    await sleep(500);
    const before = calls.map((r) => r.call!.media.snapshot().rtpReceived);
    const t0 = performance.now();
    fa.blackhole();
    await until(() => events.includes(`down ${ms1}:${fa.port}`), 15_000, "memberDown ms1 on probe timeouts");
    const downMs = performance.now() - t0;
    const next = await gw.place("+14255550303", "+12065550100");
    assert.equal(next.outcome, "active");
    assert.ok(next.member?.startsWith(ms2), `a new call went to ${next.member}`);
    await sleep(1000);
    const after_ = calls.map((r) => r.call?.media.snapshot().rtpReceived ?? -1);
    // the media path does not go through the silent signalling link: those calls still carry audio
    assert.ok(calls.every((r, i) => r.outcome !== "active" || after_[i]! > before[i]! + 40), `media of the calls on the silent member: ${before} → ${after_} (${calls.map((r) => r.outcome)})`);
    console.log(`# half-open: ms1's link went silent under 2 calls; marked down after ${downMs.toFixed(0)} ms (probe every ${PROBE_MS} ms, timeout ${Math.min(5000, PROBE_MS)} ms, 3 failures); new call on ms2; the 2 calls: ${calls.map((r) => r.outcome).join(", ")}`);
    for (const r of gw.calls()) if (r.outcome === "active") await gw.hangup(r).catch(() => undefined);
  } finally {
    await gw.stop();
    for (const p of [poolA, poolB]) await p.close().catch(() => undefined);
    await fa.close();
  }
});
