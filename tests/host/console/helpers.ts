// Test plumbing for the console: a console over a fresh store, an API client with a cookie jar
// (through fastify's inject, or real HTTPS), multipart bodies, and an `openssl` CA that signs CSRs
// with `openssl x509 -req`.
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CertStore } from "../../../host/certs/cert-store.js";
import type { ConsoleDataSource } from "../../../host/console/data-source.js";
import { ConsoleServer, type ConsoleOptions } from "../../../host/console/server.js";
import { TMP_DIR } from "../../helpers/paths.js";
import { EXT, TestCa, openssl } from "../certs/pki.js";

export function tmpDir(prefix: string): string {
  mkdirSync(TMP_DIR, { recursive: true });
  return mkdtempSync(join(TMP_DIR, `${prefix}-`));
}

export interface Rig {
  dir: string;
  store: CertStore;
  console: ConsoleServer;
  close(): Promise<void>;
}

/** A console on 127.0.0.1, an ephemeral port, a fresh store; cheap PBKDF2 for speed. */
export async function startRig(o: Partial<ConsoleOptions> & { dataSource?: ConsoleDataSource } = {}): Promise<Rig> {
  const dir = tmpDir("console");
  const store = await CertStore.open(join(dir, "store"));
  const c = await ConsoleServer.start({ stateDir: join(dir, "console"), store, port: 0, passwordIterations: 1000, ...o });
  return {
    dir,
    store,
    console: c,
    async close() {
      await c.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: any;
}

export interface MultipartFile {
  name: string;
  data: Uint8Array | string;
  type?: string;
}

/** multipart/form-data body with text fields and at most one file in field "file". */
export function multipart(fields: Record<string, string>, file?: MultipartFile): { body: Buffer; contentType: string } {
  const boundary = `----gwsdk${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? "application/octet-stream"}\r\n\r\n`));
    parts.push(Buffer.from(file.data));
    parts.push(Buffer.from("\r\n"));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** An API client with one session cookie, speaking to the console through fastify.inject. */
export class Client {
  cookie: string | undefined;
  csrf = "";
  constructor(
    private readonly c: ConsoleServer,
    readonly ip = "127.0.0.1",
  ) {}

  async req(method: string, url: string, o: { json?: unknown; multipart?: { body: Buffer; contentType: string }; headers?: Record<string, string>; csrf?: boolean } = {}): Promise<Res> {
    const headers: Record<string, string> = { host: `127.0.0.1:${this.c.port}`, ...(o.headers ?? {}) };
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== "GET" && o.csrf !== false) headers["x-csrf-token"] = this.csrf;
    let payload: string | Buffer | undefined;
    if (o.json !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(o.json);
    } else if (o.multipart) {
      headers["content-type"] = o.multipart.contentType;
      payload = o.multipart.body;
    }
    const r = await this.c.fastify.inject({ method: method as "GET", url, headers, ...(payload !== undefined ? { payload } : {}), remoteAddress: this.ip });
    const set = r.headers["set-cookie"];
    const first = Array.isArray(set) ? set[0] : set;
    if (first) this.cookie = first.split(";")[0];
    let json: unknown;
    try {
      json = JSON.parse(r.body);
    } catch {
      json = undefined;
    }
    if (json && typeof json === "object" && typeof (json as { csrfToken?: unknown }).csrfToken === "string") this.csrf = (json as { csrfToken: string }).csrfToken;
    return { status: r.statusCode, headers: r.headers as Res["headers"], body: r.body, json };
  }

  /** GET /api/session, then first-use setup (or login) with `password`. */
  async logIn(password: string): Promise<void> {
    const s = await this.req("GET", "/api/session");
    const r = await this.req("POST", s.json.passwordSet ? "/api/login" : "/api/setup", { json: { password } });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.body}`);
  }
}

/** A real HTTPS request to the console (certificate not verified: it is inspected instead). */
export function httpsGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown>; peerFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port, path, method: "GET", headers, rejectUnauthorized: false, agent: false }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerX509Certificate();
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers, peerFingerprint: (peer?.fingerprint256 ?? "").replace(/:/g, "").toLowerCase() }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A real HTTPS request with a JSON body (or none) to a console in another process. */
export function httpsJson(port: number, method: string, path: string, o: { cookie?: string; csrf?: string; json?: unknown } = {}): Promise<{ status: number; json: any; cookie: string | undefined }> {
  const body = o.json === undefined ? undefined : Buffer.from(JSON.stringify(o.json));
  const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
  if (o.cookie) headers.cookie = o.cookie;
  if (o.csrf) headers["x-csrf-token"] = o.csrf;
  if (body) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port, path, method, headers, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => {
        const set = res.headers["set-cookie"];
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json, cookie: set?.[0]?.split(";")[0] ?? o.cookie });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** An enterprise CA stand-in run by `openssl`: a root (made with `openssl ca`) that signs CSRs with `openssl x509 -req`. */
export class OpensslCa {
  readonly root: TestCa;
  private n = 0;
  constructor(readonly dir: string) {
    this.root = TestCa.root(dir, "Contoso-Root-CA", { subject: "/CN=Contoso Root CA/O=Contoso" });
  }

  get rootPem(): string {
    return this.root.cert.pem;
  }

  /** Signs a CSR (PEM) for serverAuth + clientAuth with these DNS names; returns the leaf PEM. */
  sign(csrPem: string, dns: string[], o: { days?: number; eku?: string } = {}): string {
    const id = ++this.n;
    const csr = join(this.dir, `req${id}.csr`);
    const ext = join(this.dir, `req${id}.ext`);
    const out = join(this.dir, `req${id}.pem`);
    writeFileSync(csr, csrPem);
    writeFileSync(ext, ["[ext]", ...EXT.leaf(dns).map((l) => (o.eku && l.startsWith("extendedKeyUsage") ? `extendedKeyUsage = ${o.eku}` : l))].join("\n") + "\n");
    openssl(["x509", "-req", "-in", csr, "-CA", this.root.cert.certFile, "-CAkey", this.root.cert.keyFile, "-set_serial", String(1000 + id), "-days", String(o.days ?? 365), "-sha256", "-extfile", ext, "-extensions", "ext", "-out", out]);
    return readFileSync(out, "utf8");
  }
}

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
