// Calls under load through the gateway: GWSDK_HARDENING_LOAD_CALLS concurrent calls (default 1000,
// half placed by the gateway, half by the pool) held for GWSDK_HARDENING_LOAD_SECONDS (default 60).
// Three processes on loopback: the gateway (Gateway.start as `gwsdk gateway` boots it: our MTLS, our
// SIP, the core's SRTP), the Mediation pool simulator (OpenSSL TLS, node-srtp), and this test, which
// only orchestrates and checks. Loss is injected on the pool's side on one call in ten.
//   - no packet misauthenticated (SRTP and SRTCP authentication failures and replays: 0, both sides);
//   - loss only where injected (the gateway's lost count per call equals what the pool dropped,
//     give or take the packets in flight at the end; 0 elsewhere, both directions);
//   - RSS and the core's memory flat while the calls are held (sampled every second), the arena back
//     to its pre-call level afterwards; the core's memory never grows;
//   - event-loop delay reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareSimState } from "../../host/sim/state.js";
import { rmTmp, tmpDir } from "../host/certs/pki.js";

const CALLS = Number(process.env.GWSDK_HARDENING_LOAD_CALLS ?? 1000);
const SECONDS = Number(process.env.GWSDK_HARDENING_LOAD_SECONDS ?? 60);
const SPACING_MS = Number(process.env.GWSDK_HARDENING_LOAD_SPACING_MS ?? 20);
const DROP_EVERY = 50;
const LOSSY_EVERY = 10;
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample { at: number; rss: number; heapUsed: number; arenaInUse: number; coreMemory: number; eldP50: number; eldP99: number; eldMax: number; cpuMs: number; activeCalls: number; linksUp: number }
interface Stats { rtpSent: number; rtpReceived: number; lost: number; authFailures: number; replays: number; rtcpReceived: number; rtcpAuthFailures?: number }
interface GwCall { id: string; direction: string; outcome: string; port?: number; error?: { code: string }; stats: Stats | null }
interface PoolCall { callId: string; port?: number; dropped: number; lossy: boolean; stats: Stats }

class Child {
  readonly messages: { type: string; [k: string]: unknown }[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly proc: ChildProcess) {
    proc.on("message", (m: { type: string }) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  async next<T = Record<string, unknown>>(type: string, ms = 120_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type);
      if (i >= 0) return this.messages.splice(i, 1)[0] as T;
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`no "${type}" from the child (exit ${this.proc.exitCode})`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }
  send(m: unknown): void {
    this.proc.send(m as object);
  }
}

test(`${CALLS} concurrent calls through the gateway for ${SECONDS} s: nothing misauthenticated, loss only where injected, memory flat`, { timeout: (SECONDS + 240) * 1000 + CALLS * SPACING_MS }, async () => {
  const dir = tmpDir("load");
  const procs: ChildProcess[] = [];
  try {
    const stateDir = join(dir, "state");
    await prepareSimState(stateDir, { keyType: "p256" });
    const pool = new Child(fork(here("./load/pool-child.js"), [JSON.stringify({ stateDir, dropEvery: DROP_EVERY, lossyEvery: LOSSY_EVERY })], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    procs.push(pool.proc);
    const ready = await pool.next<{ members: { fqdn: string; port: number }[]; names: { gateway: string; pool: string }; storeDir: string; identity: string }>("ready");
    const cfg = join(dir, "gateway.json");
    writeFileSync(
      cfg,
      JSON.stringify({
        fqdn: ready.names.gateway,
        store: ready.storeDir,
        identity: ready.identity,
        listen: { host: "127.0.0.1", port: 0 },
        pool: { fqdn: ready.names.pool, members: ready.members.map((m) => ({ fqdn: m.fqdn, host: m.fqdn, port: m.port })), hosts: Object.fromEntries(ready.members.map((m) => [m.fqdn, ["127.0.0.1"]])) },
        trunk: { srtpMode: "required", mki: true, optionsIntervalMs: 5000 },
        media: { address: "127.0.0.1", portMin: 20000, portMax: 29999, rtcpIntervalMs: 5000 },
        limits: { maxCalls: CALLS + 100 },
        log: { format: "json", level: "info" },
      }),
    );
    const logPath = join(dir, "gateway.log");
    const gw = new Child(fork(here("./load/gateway-child.js"), [cfg, logPath], { stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    procs.push(gw.proc);
    const gready = await gw.next<{ port: number; arenaInUse: number }>("ready");
    pool.send({ cmd: "connect", fqdn: ready.names.gateway, port: gready.port });
    await pool.next("connected");
    const samples = () => gw.messages.filter((m) => m.type === "sample") as unknown as Sample[];
    for (let i = 0; i < 100 && !(samples().at(-1)?.linksUp >= 4); i++) await sleep(200);
    assert.ok((samples().at(-1)?.linksUp ?? 0) >= 4, "MTLS links up both ways with both members");

    // Ramp up: half placed by the gateway, half by the pool, at once.
    const t0 = Date.now();
    gw.send({ cmd: "place", count: Math.ceil(CALLS / 2), spacingMs: SPACING_MS * 2 });
    pool.send({ cmd: "call", count: Math.floor(CALLS / 2), spacingMs: SPACING_MS * 2 });
    await Promise.all([gw.next("placed", 600_000), pool.next("called", 600_000)]);
    for (let i = 0; i < 100 && (samples().at(-1)?.activeCalls ?? 0) < CALLS; i++) await sleep(200);
    const rampS = (Date.now() - t0) / 1000;
    const up = samples().at(-1)?.activeCalls ?? 0;
    // Hold.
    const holdStart = Date.now();
    await sleep(SECONDS * 1000);
    const held = samples().filter((s) => s.at >= holdStart + 5000); // after the last calls settled
    gw.send({ cmd: "report" });
    pool.send({ cmd: "report" });
    const [gr, pr] = await Promise.all([gw.next<{ calls: GwCall[] }>("report"), pool.next<{ calls: PoolCall[] }>("report")]);
    pool.send({ cmd: "hangup" });
    await pool.next("hungup", 120_000);
    gw.send({ cmd: "stop" });
    const stopped = await gw.next<{ calls: GwCall[]; arenaAfter: number }>("stopped", 120_000);
    const blocks = await gw.next<{ blocks: Record<string, number>; shared: number }>("blocks");
    pool.send({ cmd: "close" });
    await Promise.all(procs.map((p) => (p.exitCode === null ? once(p, "exit") : undefined)));

    // ---- figures
    const gwCalls = gr.calls.filter((c) => c.stats);
    const sum = (xs: GwCall[] | PoolCall[], f: (s: Stats) => number) => (xs as { stats: Stats | null }[]).reduce((n, c) => n + (c.stats ? f(c.stats) : 0), 0);
    const rss = held.map((s) => s.rss / 2 ** 20);
    const arena = held.map((s) => s.arenaInUse);
    const eldP99 = held.map((s) => s.eldP99);
    const cpu = held.reduce((n, s) => n + s.cpuMs, 0) / Math.max(1, held.length) / 10; // % of one core
    const injected = pr.calls.reduce((n, c) => n + c.dropped, 0);
    const lostGw = sum(gwCalls, (s) => s.lost);
    console.log(
      `# ${up}/${CALLS} calls up after a ${rampS.toFixed(0)} s ramp, held ${SECONDS} s: gateway sent ${sum(gwCalls, (s) => s.rtpSent)} and received ${sum(gwCalls, (s) => s.rtpReceived)} SRTP packets, ` +
        `SRTCP ${sum(gwCalls, (s) => s.rtcpReceived)} received; auth failures gateway ${sum(gwCalls, (s) => s.authFailures)} (SRTCP ${sum(gwCalls, (s) => s.rtcpAuthFailures ?? 0)}) / pool ${sum(pr.calls, (s) => s.authFailures)}; ` +
        `replays ${sum(gwCalls, (s) => s.replays)}/${sum(pr.calls, (s) => s.replays)}; loss injected ${injected} on ${pr.calls.filter((c) => c.lossy).length} calls, counted by the gateway ${lostGw}, by the pool ${sum(pr.calls, (s) => s.lost)}`,
    );
    console.log(
      `# gateway while held: RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MiB, arena ${Math.min(...arena)}–${Math.max(...arena)} bytes (core memory ${held[0]?.coreMemory} bytes, fixed), ` +
        `CPU ${cpu.toFixed(0)}% of a core, event-loop delay p99 ${Math.min(...eldP99).toFixed(1)}–${Math.max(...eldP99).toFixed(1)} ms (max ${Math.max(...held.map((s) => s.eldMax)).toFixed(0)} ms); ` +
        `arena before calls ${gready.arenaInUse}, after ${stopped.arenaAfter} of which ${blocks.shared} the per-core staging buffers`,
    );

    // ---- checks
    assert.equal(up, CALLS, "every call came up");
    const bad = gr.calls.filter((c) => c.outcome !== "active");
    assert.deepEqual(bad.map((c) => `${c.id} ${c.outcome} ${c.error?.code ?? ""}`), [], "calls that ended early");
    assert.equal(sum(gwCalls, (s) => s.authFailures) + sum(gwCalls, (s) => s.rtcpAuthFailures ?? 0), 0, "packets misauthenticated at the gateway");
    assert.equal(sum(pr.calls, (s) => s.authFailures), 0, "packets misauthenticated at the pool");
    assert.equal(sum(gwCalls, (s) => s.replays) + sum(pr.calls, (s) => s.replays), 0, "replays");
    const byPort = new Map(pr.calls.map((c) => [c.port, c]));
    for (const c of gwCalls) {
      const p = byPort.get(c.port);
      assert.ok(p, `gateway call ${c.id} (port ${c.port}) has no pool side`);
      const lost = c.stats!.lost;
      if (p.lossy) assert.ok(lost <= p.dropped && lost >= p.dropped - 2, `call ${c.id}: lost ${lost}, injected ${p.dropped}`);
      else assert.equal(lost, 0, `call ${c.id}: ${lost} packets lost where none was injected`);
      // Everything the pool sent arrived, except what was dropped on purpose and what was in flight
      // when the two reports were taken. (The pool, one process with node-srtp, may fall behind the
      // 50 packets/s of each call under load and skip frames; it then sends fewer, it does not lose.)
      const expected = p.stats.rtpSent - p.dropped;
      assert.ok(c.stats!.rtpReceived > 0 && Math.abs(expected - c.stats!.rtpReceived) <= Math.max(25, 0.02 * expected), `call ${c.id}: the pool sent ${p.stats.rtpSent} (${p.dropped} dropped on purpose), the gateway received ${c.stats!.rtpReceived}`);
    }
    assert.equal(sum(pr.calls, (s) => s.lost), 0, "loss towards the pool, where none was injected");
    assert.ok(held.length >= SECONDS - 10, `${held.length} samples`);
    assert.ok(Math.max(...rss) - Math.min(...rss) < Math.max(64, 0.25 * Math.min(...rss)), `RSS not flat: ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MiB`);
    assert.equal(Math.max(...arena), Math.min(...arena), "the core's arena changed while the calls were held");
    assert.ok(held.every((s) => s.coreMemory === held[0]!.coreMemory), "the core's memory grew");
    assert.equal(stopped.arenaAfter - blocks.shared, gready.arenaInUse, `arena bytes left behind by calls or links (blocks by size ${JSON.stringify(blocks.blocks)})`);
    // the log holds a call.up and a call.end per call, and no key material (the pool's keys are not
    // known here; the simulator suite checks keys against logs — see docs/hardening.md)
    const log = readFileSync(logPath, "utf8");
    assert.equal((log.match(/"event":"call\.up"/g) ?? []).length, CALLS);
    assert.ok(!/inline:[A-Za-z0-9+/]{20}/.test(log), "an SDES key parameter in the gateway's log");
  } finally {
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    rmTmp(dir);
  }
});
