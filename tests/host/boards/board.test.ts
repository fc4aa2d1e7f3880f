import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadBoard, boardsDir, BoardError } from "../../../host/boards/board.js";
import { coreOptionsFor } from "../../../host/boards/board-core.js";
import { loadCore } from "../../../host/core/load-core.js";

test("every shipped board loads and resolves its extends chain", () => {
  const ids = readdirSync(boardsDir()).filter((f) => f.endsWith(".json") && !f.includes("schema")).map((f) => f.slice(0, -5));
  for (const want of ["sim", "arm64-linux", "constrained"]) assert.ok(ids.includes(want), `ships ${want}`);
  for (const id of ids) {
    const b = loadBoard(id);
    assert.equal(b.id, id);
    assert.equal(b.sip.listenPort, 5067);
  }
});

test("sim is the default; constrained declares the scalar core, a 1 MiB arena and 8 stream slots", () => {
  const sim = loadBoard();
  assert.equal(sim.id, "sim");
  assert.deepEqual(sim.lineage, ["base", "sim"]);
  assert.equal(sim.core.simd, true);
  assert.equal(sim.srtp.srtpMode, "required");
  assert.equal(sim.tls.versions[0], "TLSv1.3");
  const c = loadBoard("constrained");
  assert.equal(c.core.variant, "scalar");
  assert.equal(c.core.arenaBytes, 1 << 20);
  assert.equal(c.core.streamSlots, 8);
  assert.equal(c.tls.profile, "sfb", "inherited from base");
  // What the gateway does with these values is tested in tests/host/gateway/board-runtime.test.ts.
});

test("the constrained board's core: the scalar build, its host allocator capped at core.arenaBytes (the module stays 32 MiB)", async () => {
  const c = loadBoard("constrained");
  const core = await loadCore(coreOptionsFor(c));
  assert.equal(core.variant, "scalar");
  assert.equal(core.arena.size, c.core.arenaBytes);
  assert.equal(core.memory.buffer.byteLength, 32 << 20);
  assert.ok(core.arenaCapacity > c.core.arenaBytes, `the build's arena (${core.arenaCapacity}) is larger than the cap`);
  // Fill the cap: the allocation that would pass it is refused although the module has room.
  const blocks: number[] = [];
  const chunk = 64 * 1024;
  for (;;) {
    try {
      blocks.push(core.arena.alloc(chunk));
    } catch (e) {
      assert.equal((e as { code?: string }).code, "ERR_CORE_ARENA_FULL");
      break;
    }
    assert.ok(blocks.length <= c.core.arenaBytes / chunk, "allocated past the cap");
  }
  assert.equal(blocks.length, c.core.arenaBytes / chunk, "the whole cap is usable");
  for (const b of blocks) core.arena.release(b);
  assert.equal(core.arena.inUse, 0);
  // The uncapped default keeps the whole arena.
  const sim = await loadCore(coreOptionsFor(loadBoard("sim")));
  assert.equal(sim.arena.size, Math.min(sim.arenaCapacity, loadBoard("sim").core.arenaBytes));
});

function tempBoards(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "gwsdk-boards-"));
  copyFileSync(join(boardsDir(), "board.schema.json"), join(dir, "board.schema.json"));
  copyFileSync(join(boardsDir(), "base.json"), join(dir, "base.json"));
  for (const [name, doc] of Object.entries(files)) writeFileSync(join(dir, `${name}.json`), typeof doc === "string" ? doc : JSON.stringify(doc));
  return dir;
}

function rejects(fn: () => unknown, code: string, field?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BoardError, String(e));
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field, e.message);
    return true;
  });
}

test("invalid boards are refused with an error naming the field", () => {
  const dir = tempBoards({
    badenum: { id: "badenum", extends: "base", description: "x", srtp: { srtpMode: "Required" } },
    unknown: { id: "unknown", extends: "base", description: "x", tls: { fipsMode: true } },
    badport: { id: "badport", extends: "base", description: "x", sip: { listenPort: 70000 } },
    cyc1: { id: "cyc1", extends: "cyc2", description: "x" },
    cyc2: { id: "cyc2", extends: "cyc1", description: "x" },
    orphan: { id: "orphan", description: "no sections" },
    notjson: "{ nope",
    wrongid: { id: "other", extends: "base", description: "x" },
    ports: { id: "ports", extends: "base", description: "x", media: { portMin: 30000, portMax: 20000 } },
  });
  rejects(() => loadBoard("badenum", dir), "ERR_BOARD_INVALID", "/srtp/srtpMode");
  rejects(() => loadBoard("unknown", dir), "ERR_BOARD_INVALID", "/tls/fipsMode");
  rejects(() => loadBoard("badport", dir), "ERR_BOARD_INVALID", "/sip/listenPort");
  rejects(() => loadBoard("cyc1", dir), "ERR_BOARD_CYCLE");
  rejects(() => loadBoard("orphan", dir), "ERR_BOARD_INCOMPLETE", "/cpu");
  rejects(() => loadBoard("notjson", dir), "ERR_BOARD_PARSE");
  rejects(() => loadBoard("missing", dir), "ERR_BOARD_NOT_FOUND");
  rejects(() => loadBoard("wrongid", dir), "ERR_BOARD_INVALID", "/id");
  rejects(() => loadBoard("ports", dir), "ERR_BOARD_INVALID", "/media/portMin");
});

test("an override replaces only the fields it names", () => {
  const dir = tempBoards({ lab: { id: "lab", extends: "base", description: "x", tls: { fips: true } } });
  const b = loadBoard("lab", dir);
  assert.equal(b.tls.fips, true);
  assert.deepEqual(b.tls.versions, ["TLSv1.3", "TLSv1.2"]);
  assert.equal(b.tls.profile, "sfb");
});
