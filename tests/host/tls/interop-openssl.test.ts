// Interop with the `openssl` command line (OpenSSL 3): `openssl s_server -Verify 1` as the Mediation
// Server for our client, `openssl s_client` as the Mediation Server connecting to our listener.
// TLS 1.3 and 1.2, RSA-2048 and ECDSA P-256, mutual authentication, data both ways (160 KiB writes), KeyUpdate started
// by OpenSSL ("k"/"K" on its stdin) and by us, renegotiation refused, and refusals as OpenSSL prints them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { join } from "node:path";
import { connectMtls } from "../../../host/tls/connect-mtls.js";
import { createMtlsServer, type MtlsServer } from "../../../host/tls/mtls-server.js";
import type { KeyUpdateEvent, MtlsSocket } from "../../../host/tls/mtls-socket.js";
import type { TlsError } from "../../../host/tls/errors.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, scratchDir, tlsPki, type PkiKind, type TlsPki } from "../../helpers/tls-pki.js";
import { requireCommand } from "../../helpers/system.js";
import { within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");

/** An openssl s_server/s_client process with its output collected. */
class Openssl {
  readonly proc: ChildProcessWithoutNullStreams;
  out = "";
  readonly exited: Promise<number | null>;
  constructor(args: string[]) {
    this.proc = spawn("openssl", args, { stdio: "pipe" });
    this.proc.stdout.on("data", (d) => (this.out += d));
    this.proc.stderr.on("data", (d) => (this.out += d));
    this.proc.stdin.on("error", () => undefined);
    this.exited = once(this.proc, "exit").then(([code]) => code as number | null);
  }
  async waitFor(re: RegExp, ms = 5000): Promise<void> {
    await within(
      (async () => {
        while (!re.test(this.out)) {
          if (this.proc.exitCode !== null) throw new Error(`openssl exited before ${re}: ${this.out}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      })(),
      ms,
      `openssl output ${re} (got: ${this.out.slice(-400)})`,
    );
  }
  send(line: string): void {
    this.proc.stdin.write(line);
  }
  /** A one-letter command ("k", "K", "r", "R"): s_server/s_client take it only as a whole line of its own read. */
  async command(letter: string): Promise<void> {
    await new Promise((r) => setTimeout(r, 100));
    this.proc.stdin.write(`${letter}\n`);
    await new Promise((r) => setTimeout(r, 150));
  }
  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, "127.0.0.1");
  await once(s, "listening");
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

interface Files {
  poolCert: string;
  poolKey: string;
  chain: string;
  root: string;
}

function writeFiles(pki: TlsPki, dir: string): Files {
  const f = { poolCert: join(dir, "pool.pem"), poolKey: pki.pool.keyFile, chain: join(dir, "issuing.pem"), root: join(dir, "root.pem") };
  writeFileSync(f.poolCert, pki.pool.certPem);
  writeFileSync(f.chain, pki.issuingPem);
  writeFileSync(f.root, pki.rootPem);
  return f;
}

const versionFlag = (v: "TLSv1.3" | "TLSv1.2") => (v === "TLSv1.3" ? "-tls1_3" : "-tls1_2");

/** Collects what arrives on our socket. */
function collect(s: MtlsSocket): { text: () => string } {
  let t = "";
  s.on("data", (d: Buffer) => (t += d.toString("latin1")));
  return { text: () => t };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  await within((async () => { while (!cond()) await new Promise((r) => setTimeout(r, 10)); })(), ms, what);
}

for (const kind of ["rsa2048", "p256"] as PkiKind[]) {
  describe(`openssl s_server -Verify 1 ↔ our client (${kind})`, { skip: sys.skip, concurrency: 2 }, () => {
    let pki: TlsPki;
    let store: CertStore;
    let files: Files;
    before(async () => {
      pki = tlsPki(kind);
      store = (await gatewayStore(pki)).store;
      files = writeFiles(pki, scratchDir(`ossl-${kind}`));
    });
    after(() => store.close());

    async function sServer(version: "TLSv1.3" | "TLSv1.2", extra: string[] = []): Promise<{ srv: Openssl; port: number }> {
      const port = await freePort();
      const srv = new Openssl([
        "s_server", "-accept", String(port), "-naccept", "1", "-cert", files.poolCert, "-key", files.poolKey, "-cert_chain", files.chain,
        "-CAfile", files.root, "-Verify", "1", "-verify_return_error", versionFlag(version), ...extra,
      ]);
      await srv.waitFor(/ACCEPT/);
      return { srv, port };
    }

    for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
      test(`${version}: mutual auth, data both ways, KeyUpdate from OpenSSL (k, K) and from us`, async () => {
        const { srv, port } = await sServer(version);
        try {
          const s = await connectMtls({ host: "127.0.0.1", port, servername: POOL, store });
          const got = collect(s);
          const updates: KeyUpdateEvent[] = [];
          s.on("keyUpdate", (e: KeyUpdateEvent) => updates.push(e));
          assert.equal(s.version, version);
          assert.equal(s.peerChain[0]!.subject, `CN=${POOL}`);
          s.write("hello from the gateway\n");
          await srv.waitFor(/hello from the gateway/);
          assert.match(srv.out, /CN ?= ?gw1\.contoso\.com/); // OpenSSL verified and printed our certificate
          srv.send("hello from the mediation server\n");
          await until(() => got.text().includes("hello from the mediation server"), 5000, "data from s_server");
          // large writes both ways: 160 KiB of text lines in one write each way (many records)
          const big = (tag: string) => Array.from({ length: 2048 }, (_, i) => `${tag}${String(i).padStart(5, "0")} ${randomBytes(36).toString("hex")}`).join("\n") + "\n";
          const ours = big("G");
          s.write(ours);
          await srv.waitFor(/G02047 [0-9a-f]{72}\n/, 10_000);
          assert.ok(srv.out.includes(ours), "s_server printed all we sent");
          const theirs = big("M");
          srv.send(theirs);
          await until(() => got.text().includes("M02047"), 10_000, "160 KiB from s_server");
          assert.ok(got.text().includes(theirs));
          if (version === "TLSv1.3") {
            await srv.command("k"); // KeyUpdate, update_not_requested
            srv.send("after k\n");
            await until(() => got.text().includes("after k"), 5000, "data after OpenSSL's KeyUpdate");
            await srv.command("K"); // KeyUpdate, update_requested: we must answer with ours
            srv.send("after K\n");
            await until(() => got.text().includes("after K"), 5000, "data after OpenSSL's requested KeyUpdate");
            s.write("after our answer\n");
            await srv.waitFor(/after our answer/);
            s.keyUpdate(true);
            s.write("after our own request\n");
            await srv.waitFor(/after our own request/);
            // OpenSSL sends its answering KeyUpdate before its next data
            srv.send("reply after the update\n");
            await until(() => got.text().includes("reply after the update"), 5000, "data after OpenSSL's answer");
            await until(() => updates.length >= 5, 5000, "OpenSSL's answer to our request");
            assert.deepEqual(
              updates.map((u) => `${u.direction}:${u.requested}`),
              ["read:false", "read:true", "write:false", "write:true", "read:false"],
            );
          }
          s.end();
          await within(once(s, "close"), 5000, "close");
        } finally {
          srv.stop();
        }
      });
    }

    test("TLS 1.2: OpenSSL asks to renegotiate (r): we refuse with no_renegotiation", async () => {
      const { srv, port } = await sServer("TLSv1.2");
      try {
        const s = await connectMtls({ host: "127.0.0.1", port, servername: POOL, store });
        const refused = once(s, "renegotiationRefused");
        const failed = new Promise<TlsError>((r) => s.once("error", (e) => r(e as TlsError)));
        s.resume();
        s.write("x\n");
        await srv.waitFor(/x/);
        await srv.command("r");
        await within(refused, 5000, "HelloRequest refused");
        // OpenSSL treats a refused renegotiation as fatal (handshake_failure); the refusal is ours either way
        const e = await within(failed, 5000, "OpenSSL ends the connection");
        assert.equal(e.code, "ERR_TLS_ALERT");
        assert.equal((e as { alert?: string }).alert, "handshake_failure");
        await srv.waitFor(/no renegotiation/i);
      } finally {
        srv.stop();
      }
    });
  });

  describe(`openssl s_client ↔ our server (${kind})`, { skip: sys.skip, concurrency: 2 }, () => {
    let pki: TlsPki;
    let store: CertStore;
    let files: Files;
    let server: MtlsServer;
    let port: number;
    const sockets: MtlsSocket[] = [];
    const errors: TlsError[] = [];
    before(async () => {
      pki = tlsPki(kind);
      store = (await gatewayStore(pki)).store;
      files = writeFiles(pki, scratchDir(`ossl-${kind}`));
      server = createMtlsServer({ store, allowedPeers: POOL_MEMBERS }, (s) => {
        sockets.push(s);
        s.on("data", (d) => s.write(d));
        s.on("error", (e) => errors.push(e as TlsError));
      });
      server.on("tlsClientError", (e) => errors.push(e));
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as { port: number }).port;
    });
    after(async () => {
      await new Promise<void>((r) => server.close(() => r(), true));
      store.close();
    });

    const sClient = (version: "TLSv1.3" | "TLSv1.2", extra: string[] = [], withCert = true) =>
      new Openssl([
        "s_client", "-connect", `127.0.0.1:${port}`, "-servername", GATEWAY, "-CAfile", files.root, "-verify_return_error", "-verify_hostname", GATEWAY,
        ...(withCert ? ["-cert", files.poolCert, "-key", files.poolKey, "-cert_chain", files.chain] : []), versionFlag(version), ...extra,
      ]);

    for (const version of ["TLSv1.3", "TLSv1.2"] as const) {
      test(`${version}: mutual auth, echo, KeyUpdate from OpenSSL (k, K)`, async () => {
        const c = sClient(version);
        try {
          await c.waitFor(/Verify return code: 0 \(ok\)/);
          c.send("ping one\n");
          await c.waitFor(/ping one/); // our echo
          const ours = sockets.find((s) => s.peerChain[0]?.subject === `CN=${POOL}` && s.version === version)!;
          assert.ok(ours);
          if (version === "TLSv1.3") {
            const updates: KeyUpdateEvent[] = [];
            ours.on("keyUpdate", (e: KeyUpdateEvent) => updates.push(e));
            await c.command("K");
            c.send("ping two\n");
            await c.waitFor(/ping two/);
            await until(() => updates.length >= 2, 5000, "KeyUpdates");
            assert.deepEqual(updates.map((u) => `${u.direction}:${u.requested}`), ["read:true", "write:false"]);
          }
        } finally {
          c.stop();
        }
      });
    }

    test("TLS 1.2: OpenSSL renegotiates (R): refused with no_renegotiation", async () => {
      const n = sockets.length;
      const c = sClient("TLSv1.2");
      try {
        await c.waitFor(/Verify return code: 0 \(ok\)/);
        await until(() => sockets.length > n, 5000, "our socket");
        const refused = once(sockets[n]!, "renegotiationRefused");
        await c.command("R");
        await within(refused, 5000, "renegotiation refused");
        await c.waitFor(/no renegotiation/i);
      } finally {
        c.stop();
      }
    });

    for (const [version, alertText] of [
      ["TLSv1.3", /alert certificate required/],
      ["TLSv1.2", /alert handshake failure/],
    ] as const) {
      test(`${version}: s_client without a certificate → ERR_TLS_NO_CLIENT_CERT; OpenSSL prints the alert`, async () => {
        const n = errors.length;
        const c = sClient(version, [], false);
        try {
          if (version === "TLSv1.3") {
            await c.waitFor(/Verify return code: 0/);
            c.send("x\n"); // the client learns of the refusal on its next read
          }
          await c.waitFor(alertText);
          // (errors of earlier connections, killed at the end of their tests, may arrive in between)
          await until(() => errors.slice(n).some((e) => e.code === "ERR_TLS_NO_CLIENT_CERT"), 5000, "our ERR_TLS_NO_CLIENT_CERT");
        } finally {
          c.stop();
        }
      });
    }

    test("TLS 1.1-only s_client → ERR_TLS_PROTOCOL_VERSION; OpenSSL prints alert protocol version", async () => {
      const n = errors.length;
      const c = new Openssl(["s_client", "-connect", `127.0.0.1:${port}`, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-cert", files.poolCert, "-key", files.poolKey]);
      try {
        await c.waitFor(/alert protocol version/);
        // (errors of earlier connections, killed at the end of their tests, may arrive in between)
        await until(() => errors.slice(n).some((e) => e.code === "ERR_TLS_PROTOCOL_VERSION"), 5000, "our ERR_TLS_PROTOCOL_VERSION");
      } finally {
        c.stop();
      }
    });

    test("TLS 1.2 s_client with weak suites only → ERR_TLS_NO_SHARED_SUITE; OpenSSL prints alert handshake failure", async () => {
      const n = errors.length;
      const c = sClient("TLSv1.2", ["-cipher", "AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384"]);
      try {
        await c.waitFor(/alert handshake failure/);
        // (errors of earlier connections, killed at the end of their tests, may arrive in between)
        await until(() => errors.slice(n).some((e) => e.code === "ERR_TLS_NO_SHARED_SUITE"), 5000, "our ERR_TLS_NO_SHARED_SUITE");
      } finally {
        c.stop();
      }
    });
  });
}
