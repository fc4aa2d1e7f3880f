// The board's runtime fields act on the gateway (audit 8.2, 8.3, 6.1):
// - constrained: the scalar core with its arena capped at core.arenaBytes (1 MiB of the 32 MiB
//   module), and calls admitted only while SRTP stream slots (core.streamSlots) are free — the 9th
//   call is refused both ways (503 to the pool's INVITE, ERR_GATEWAY_STREAM_SLOTS for ours), and a
//   slot freed by a hang-up admits the next;
// - time.beforeClockSet with a clock before the build date: "warn" brings the links up with a clock
//   warning, "refuseTls" refuses them with ERR_TLS_CLOCK, both directions;
// - deviceKey.source: the gateway opens the store with the board's key ("derived" here), refuses a
//   secure-element board without its vendor module.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileSync, chmodSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { prepareSimState, type SimState } from "../../../host/sim/state.js";
import { signGatewayCsr } from "../../../host/sim/demo-pki.js";
import { MediationPool } from "../../../host/sim/mediation/pool.js";
import type { PeerCall } from "../../../host/sim/mediation/peer.js";
import { loadBoard, type Board } from "../../../host/boards/board.js";
import { resolveConfig, validateConfigDocument } from "../../../host/gateway/config.js";
import { Gateway, type GatewayCallRecord } from "../../../host/gateway/gateway.js";
import { Logger } from "../../../host/gateway/log.js";
import { CertStore } from "../../../host/certs/cert-store.js";
import { DerivedDeviceKey, FileDeviceKey } from "../../../host/certs/device-key.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const dir = tmpDir("gwboard");
let state: SimState;
let pool: MediationPool;

before(async () => {
  state = await prepareSimState(join(dir, "state"), { keyType: "p256" });
  pool = new MediationPool({
    names: { pool: state.names.pool, members: state.names.members },
    tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem },
    optionsIntervalMs: 0,
    rtcpIntervalMs: 500,
  });
  await pool.listen();
});

after(async () => {
  await pool?.close();
  rmTmp(dir);
});

function configDoc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return validateConfigDocument({
    fqdn: state.names.gateway,
    store: state.storeDir,
    listen: { host: "127.0.0.1", port: 0 },
    pool: {
      fqdn: state.names.pool,
      members: pool.members.map((m) => ({ fqdn: m.fqdn, host: m.fqdn, port: m.port })),
      hosts: Object.fromEntries(pool.members.map((m) => [m.fqdn, ["127.0.0.1"]])),
    },
    trunk: { optionsIntervalMs: 60_000 },
    media: { address: "127.0.0.1", portMin: 47000, portMax: 47999, rtcpIntervalMs: 500 },
    ...extra,
  });
}

function jsonLogger(): { logger: Logger; events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  return { logger: new Logger({ format: "json", level: "debug", write: (l) => events.push(JSON.parse(l) as Record<string, unknown>) }), events };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("constrained board: scalar core in a 1 MiB arena; calls admitted only while SRTP stream slots are free", async () => {
  const board = loadBoard("constrained");
  assert.equal(board.core.streamSlots, 8);
  // The deployment allows more calls than the board has stream slots: the slots are what refuses.
  const config = resolveConfig(board, configDoc({ limits: { maxCalls: 32 } }));
  const { logger, events } = jsonLogger();
  // The constrained board keeps its key in a secure element: here the sim state's key file stands in for it.
  const gw = await Gateway.start({ board, config, logger, deviceKey: new FileDeviceKey(join(state.dir, "device.key")), mediaTimeoutMs: 60_000 });
  const placed: GatewayCallRecord[] = [];
  try {
    assert.equal(gw.core.variant, "scalar");
    assert.equal(gw.core.arena.size, 1 << 20, "the host's allocator is capped at core.arenaBytes");
    assert.equal(gw.core.memory.buffer.byteLength, 32 << 20, "the module's memory stays 32 MiB");
    assert.ok(gw.core.arenaCapacity > 1 << 20);
    assert.equal(events.find((e) => e.event === "core.ready")!.arenaBytes, 1 << 20);
    // The pool answers our INVITEs once it knows the gateway (as the other gateway tests do).
    pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
    await until(() => gw.links().filter((l) => l.direction === "outbound" && l.state === "up").length >= 1, 10_000, "an outbound link");

    for (let i = 0; i < 8; i++) placed.push(await gw.place(`+1425555010${i}`, "+12065550100"));
    assert.deepEqual(placed.map((r) => r.outcome), Array(8).fill("active"), JSON.stringify(placed.map((r) => r.error)));
    assert.equal(gw.streams.inUse, 8);
    assert.ok(placed.every((r) => r.srtp?.profile === "AES_CM_128_HMAC_SHA1_80"), "every admitted call runs SRTP on the capped core");
    const inUse = gw.core.arena.inUse;
    assert.ok(inUse > 0 && inUse <= 1 << 20, `arena in use ${inUse}`);

    // The 9th: refused our way and theirs.
    await assert.rejects(gw.place("+14255550199", "+12065550100"), (e: unknown) => (e as { code?: string }).code === "ERR_GATEWAY_STREAM_SLOTS");
    await assert.rejects(pool.call(0, "+12065550111", "+14255550111"), (e: unknown) => /503/.test(String((e as Error).message) + String((e as { status?: unknown }).status)), "the pool's INVITE gets 503");
    const refused = events.find((e) => e.event === "call.refused");
    assert.ok(refused && refused.status === 503 && /stream slot/.test(String(refused.msg)), JSON.stringify(refused));
    assert.equal(gw.calls().filter((c) => c.outcome === "active").length, 8);

    // A hang-up gives its slot back: the next call is admitted.
    await gw.hangup(placed[0]!);
    assert.equal(gw.streams.inUse, 7);
    const again = await gw.place("+14255550200", "+12065550100");
    assert.equal(again.outcome, "active", JSON.stringify(again.error));
    placed.push(again);
    assert.equal(gw.streams.inUse, 8);
  } finally {
    await gw.stop("completed");
  }
  assert.equal(gw.streams.inUse, 0, "every slot returned when the calls ended");
});

test("a call that cannot be set up gives its stream slot back", async () => {
  const board = loadBoard("constrained");
  const config = resolveConfig(board, configDoc());
  const gw = await Gateway.start({
    board,
    config,
    deviceKey: new FileDeviceKey(join(state.dir, "device.key")),
    // The PSTN side refuses every call (a line fault): each place() fails after its slot was taken.
    pstn: () => {
      throw new Error("no PSTN line");
    },
  });
  try {
    for (let i = 0; i < board.core.streamSlots + 1; i++) await assert.rejects(gw.place("+14255550300", "+12065550100"), /no PSTN line/);
    assert.equal(gw.streams.inUse, 0, "past the 8 slots, still refused for the line fault, not for slots");
  } finally {
    await gw.stop();
  }
});

test("a secure-element board without its vendor module is refused with a typed error naming the fix", async () => {
  const board = loadBoard("constrained");
  const config = resolveConfig(board, configDoc());
  await assert.rejects(Gateway.start({ board, config }), (e: unknown) => {
    const err = e as { code?: string; message: string };
    assert.equal(err.code, "ERR_BOARD_DEVICE_KEY");
    assert.match(err.message, /secure element/);
    assert.match(err.message, /createDeviceKey/);
    return true;
  });
});

function withClockPolicy(b: Board, beforeClockSet: "warn" | "refuseTls"): Board {
  return { ...b, time: { ...b.time, beforeClockSet } };
}

test("time.beforeClockSet: with a clock before the build date, warn brings the links up with a warning, refuseTls refuses them (ERR_TLS_CLOCK)", async () => {
  const unset = () => new Date("2001-01-01T00:00:00Z");
  // The demo certificates were issued a day ago: the build date must precede them for "warn" to verify as of it.
  const buildDate = new Date(Date.now() - 3600_000);
  const sim = loadBoard("sim");
  assert.equal(sim.time.beforeClockSet, "warn", "the sim board warns");

  {
    const { logger, events } = jsonLogger();
    const gw = await Gateway.start({ board: sim, config: resolveConfig(sim, configDoc()), logger, clock: { now: unset, buildDate } });
    try {
      pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
      // The pool connects to the gateway when it calls (its OPTIONS are off here): the inbound link.
      const pc = await pool.call(0, "+12065550120", "+14255550120");
      await pc.hangup();
      await until(() => gw.links().some((l) => l.direction === "outbound") && gw.links().some((l) => l.direction === "inbound"), 10_000, "links both ways");
      for (const l of gw.links()) assert.ok(l.tls?.warnings.includes("clock"), JSON.stringify(l.tls));
      const warned = events.filter((e) => e.event === "tls.clock-not-set").map((e) => e.direction);
      assert.ok(warned.includes("outbound") && warned.includes("inbound"), JSON.stringify(warned));
    } finally {
      await gw.stop();
    }
  }
  {
    const board = withClockPolicy(sim, "refuseTls");
    const { logger, events } = jsonLogger();
    const gw = await Gateway.start({ board, config: resolveConfig(board, configDoc()), logger, clock: { now: unset, buildDate } });
    try {
      pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
      await assert.rejects(pool.call(0, "+12065550121", "+14255550121"), "the pool's call cannot get through");
      await until(() => events.some((e) => e.event === "tls.connect-failed") && events.some((e) => e.event === "tls.refused"), 10_000, "refusals both ways");
      assert.equal(events.find((e) => e.event === "tls.connect-failed")!.code, "ERR_TLS_CLOCK");
      assert.equal(events.find((e) => e.event === "tls.refused")!.code, "ERR_TLS_CLOCK");
      assert.equal(gw.links().length, 0, "no link comes up");
    } finally {
      await gw.stop();
    }
  }
});

test("deviceKey.source derived: the gateway opens a store sealed under the key derived from the board's hardware secret", async () => {
  const secret = join(dir, "huk.bin");
  writeFileSync(secret, randomBytes(32));
  chmodSync(secret, 0o400);
  const boardFile = join(dir, "derived-board.json");
  writeFileSync(boardFile, JSON.stringify({ id: "derived-board", extends: "sim", description: "sim with a derived device key", deviceKey: { source: "derived", path: secret }, console: { enabled: false } }));
  const board = loadBoard(boardFile);
  assert.equal(board.deviceKey.source, "derived");
  // Enrol a store under the derived key (stateDir = the store's parent, as the gateway resolves it).
  const storeDir = join(dir, "derived", "store");
  const dk = new DerivedDeviceKey({ secretPath: secret, boardId: board.id, saltPath: join(dir, "derived", "device-key.salt") });
  const store = await CertStore.open(storeDir, { deviceKey: dk });
  await store.trustAdd(Buffer.from(state.ca.cert.pem));
  const init = await store.init({ fqdn: state.names.gateway, key: "p256" });
  await store.import(Buffer.from(signGatewayCsr(state.ca, init.csrPem, { fqdn: state.names.gateway }).pem));
  store.close();

  const config = resolveConfig(board, configDoc({ store: storeDir }));
  const { logger, events } = jsonLogger();
  const gw = await Gateway.start({ board, config, logger });
  await gw.stop();
  assert.equal(events.find((e) => e.event === "store.ready")!.trust, "trusted");

  // Another device's secret derives another key: the store does not open.
  chmodSync(secret, 0o600);
  writeFileSync(secret, randomBytes(32));
  await assert.rejects(Gateway.start({ board, config }), (e: unknown) => (e as { code?: string }).code === "ERR_GATEWAY_IDENTITY");
});
