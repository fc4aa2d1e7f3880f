import { test } from "node:test";
import assert from "node:assert/strict";
import { loadBoard } from "../../../host/boards/board.js";
import { validateConfigDocument, resolveConfig, ConfigError } from "../../../host/gateway/config.js";

const base = { fqdn: "gw1.contoso.com", pool: { fqdn: "mspool.contoso.com", members: [{ fqdn: "ms1.contoso.com", host: "127.0.0.1", port: 5067 }] } };

test("a minimal config takes the board's defaults; fields given override one by one", () => {
  const sim = loadBoard("sim");
  const c = resolveConfig(sim, validateConfigDocument(structuredClone(base)));
  assert.equal(c.trunk.srtpMode, "required");
  assert.deepEqual(c.tls.versions, ["TLSv1.3", "TLSv1.2"]);
  assert.equal(c.listen.port, 5067);
  assert.deepEqual(c.tls.allowedPeers, ["mspool.contoso.com", "ms1.contoso.com"]);
  const c2 = resolveConfig(sim, validateConfigDocument({ ...structuredClone(base), trunk: { srtpMode: "optional" }, tls: { versions: ["TLSv1.2"] } }));
  assert.equal(c2.trunk.srtpMode, "optional");
  assert.deepEqual(c2.tls.versions, ["TLSv1.2"]);
  assert.equal(c2.tls.profile, "sfb");
  assert.equal(c2.trunk.mki, true);
});

test("invalid configs name the field", () => {
  const bad: [unknown, string][] = [
    [{ ...base, trunk: { srtpMode: "Required" } }, "/trunk/srtpMode"],
    [{ ...base, fqdn: "not a name" }, "/fqdn"],
    [{ pool: base.pool }, "/fqdn"],
    [{ ...base, tls: { versions: ["TLSv1.1"] } }, "/tls/versions/0"],
    [{ ...base, extra: 1 }, "/extra"],
    [{ ...base, pool: { fqdn: "p", members: [{ port: 1 }] } }, "/pool/members/0/host"],
  ];
  for (const [doc, field] of bad) {
    assert.throws(() => validateConfigDocument(doc), (e: unknown) => e instanceof ConfigError && e.code === "ERR_CONFIG_INVALID" && e.field === field, JSON.stringify(doc));
  }
  assert.throws(() => resolveConfig(loadBoard("sim"), validateConfigDocument({ ...base, media: { portMin: 3000, portMax: 2000 } })), (e: unknown) => (e as ConfigError).field === "/media/portMin");
});
