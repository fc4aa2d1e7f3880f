import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { loadBoard, boardsDir, BoardError } from "../../../host/boards/board.js";

test("every shipped board loads and resolves its extends chain", () => {
  const ids = readdirSync(boardsDir()).filter((f) => f.endsWith(".json") && !f.includes("schema")).map((f) => f.slice(0, -5));
  for (const want of ["sim", "arm64-linux", "constrained"]) assert.ok(ids.includes(want), `ships ${want}`);
  for (const id of ids) {
    const b = loadBoard(id);
    assert.equal(b.id, id);
    assert.equal(b.sip.listenPort, 5067);
  }
});

test("sim is the default; constrained runs the scalar core in a small arena", () => {
  const sim = loadBoard();
  assert.equal(sim.id, "sim");
  assert.deepEqual(sim.lineage, ["base", "sim"]);
  assert.equal(sim.core.simd, true);
  assert.equal(sim.srtp.srtpMode, "required");
  assert.equal(sim.tls.versions[0], "TLSv1.3");
  const c = loadBoard("constrained");
  assert.equal(c.core.variant, "scalar");
  assert.ok(c.core.arenaBytes < sim.core.arenaBytes);
  assert.equal(c.tls.profile, "sfb", "inherited from base");
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
