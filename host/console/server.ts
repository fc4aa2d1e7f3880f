// The gateway web console: an HTTPS server (fastify over Node's https) on the management address,
// serving the bundled front end and a small JSON API over the certificate store and the trunk's data
// source, with live updates as server-sent events. docs/console.md describes it.
//
//   const console = await ConsoleServer.start({ stateDir, store, dataSource, bind: "10.0.0.5" });
//   console.url  // https://10.0.0.5:8443/
//
// Security (docs/console.md "Security"): HTTPS only; bound to one management address; a Host
// allow-list (DNS rebinding); one password, set on first use, PBKDF2-HMAC-SHA256, attempts
// rate-limited; an HttpOnly/Secure/SameSite=Strict session cookie; a CSRF token (and an Origin
// check) on every state-changing request, login included; a strict Content-Security-Policy; no
// secret is ever sent to the browser.
import { EventEmitter } from "node:events";
import { isIP } from "node:net";
import { networkInterfaces, hostname } from "node:os";
import { basename } from "node:path";
import { promises as fs } from "node:fs";
import type { Server as HttpsServer } from "node:https";
import type { ServerResponse } from "node:http";
// fastify and its plugins load when a console starts, not when gwsdk is imported.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type {} from "@fastify/cookie";
import type {} from "@fastify/multipart";
import type { CertStore } from "../certs/cert-store.js";
import { CertError } from "../certs/errors.js";
import { KEY_TYPES, type KeyType } from "../certs/keys.js";
import { GwsdkError } from "../errors.js";
import type { Board } from "../boards/board.js";
import { LoginLimiter, PasswordFile, type LoginLimiterOptions } from "./auth.js";
import { frontEndBundle, type FrontEndBundle } from "./bundle.js";
import { resolveConsoleTls, type ConsoleTlsChoice, type ConsoleTlsCredentials } from "./console-tls.js";
import { EmptyDataSource, type ConsoleDataSource, type GatewayInfo } from "./data-source.js";
import { ConsoleError, CONSOLE_HTTP_STATUS } from "./errors.js";
import { History, type HistoryPoint } from "./history.js";
import { SessionStore, type Session, type SessionStoreOptions } from "./sessions.js";
import { CONSOLE_CSS } from "./styles.js";

export interface ConsoleOptions {
  /** Directory for the password file and the console's own HTTPS identity (created 0700). */
  stateDir: string;
  /** The gateway's certificate store (the Certificates page; HTTPS identity "gateway"/"auto"). */
  store?: CertStore;
  /** Links, pool and calls (default: nothing to show). */
  dataSource?: ConsoleDataSource;
  /** Management address to listen on (default 127.0.0.1). */
  bind?: string;
  /** TCP port (default 8443; 0 picks a free one). */
  port?: number;
  /** HTTPS identity (default "auto": the gateway identity once enrolled, else a self-signed one). */
  tls?: ConsoleTlsChoice;
  /** Store identity for "gateway"/"auto" (default "default"). */
  tlsIdentity?: string;
  /** Extra Host names the console answers to (behind NAT, a DNS alias), or "any" to turn the check off. */
  allowedHosts?: string[] | "any";
  /** PBKDF2 iterations for new password hashes (default 600 000). */
  passwordIterations?: number;
  limiter?: LoginLimiterOptions;
  sessions?: SessionStoreOptions;
  /** How often counters are sampled and pushed (default 1000 ms). */
  pollIntervalMs?: number;
  /** Live-update streams open at once (default 16). */
  maxEventStreams?: number;
  /** Largest certificate upload (default 1 MiB). */
  uploadLimitBytes?: number;
  logger?: { info(message: string): void; warn(message: string): void };
}

export interface ConsoleStatus {
  at: string;
  gateway: GatewayInfo;
  links: ReturnType<ConsoleDataSource["links"]>;
  pool: ReturnType<ConsoleDataSource["pool"]>;
  calls: ReturnType<ConsoleDataSource["calls"]>;
}

const COOKIE = "__Host-gwsdk-session";
const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/**
 * Routes open without a login; every other route needs one. Decided on the matched route, never on
 * the raw URL: the router decodes "/%61pi/status" to /api/status, a string test on req.url would not.
 */
const PUBLIC_ROUTES = new Set(["/", "/favicon.ico", "/assets/app.js", "/assets/app.css", "/api/session", "/api/login", "/api/setup"]);
const MAX_VERIFICATIONS_IN_FLIGHT = 2;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), usb=(), serial=()",
};

const CERT_HTTP_STATUS: Record<string, number> = {
  ERR_CERT_NOT_FOUND: 404,
  ERR_CERT_EXISTS: 409,
  ERR_CERT_CONFIRM: 409,
  ERR_CERT_STORE_CORRUPT: 500,
  ERR_CERT_STORE_IO: 500,
  ERR_CERT_STORE_VERSION: 500,
  ERR_CERT_DEVICE_KEY: 500,
};

interface EventClient {
  res: ServerResponse;
  sessionId: string;
}

type Req = FastifyRequest & { session?: Session };

function hostOf(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end > 0 ? h.slice(1, end) : undefined;
  }
  const i = h.lastIndexOf(":");
  return i >= 0 && h.indexOf(":") === i ? h.slice(0, i) : h;
}

function isWildcard(addr: string): boolean {
  return addr === "0.0.0.0" || addr === "::" || addr === "";
}

function sanitizeFilename(name: string | undefined): string {
  const b = basename(name ?? "upload").replace(/[^\w.@+-]/g, "_").slice(0, 100);
  return b || "upload";
}

export class ConsoleServer extends EventEmitter {
  private readonly app: FastifyInstance;
  private readonly sessions: SessionStore;
  private readonly limiter: LoginLimiter;
  private readonly history = new History();
  private readonly clients = new Set<EventClient>();
  private readonly allowedHosts = new Set<string>();
  private pollTimer: NodeJS.Timeout | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  private verifying = 0;
  private closed = false;
  private readonly dataSource: ConsoleDataSource;
  private readonly onSourceChange = () => this.scheduleBroadcast();
  /** Identity changes are handled one at a time, each reading the store afresh (no stale result wins). */
  private identityQueue: Promise<void> = Promise.resolve();
  private readonly onIdentityChanged = () => {
    this.identityQueue = this.identityQueue.then(() => this.identityChanged()).catch((e: unknown) => this.opts.logger?.warn(`console: ${(e as Error).message}`));
  };
  private readonly onTrustChanged = () => this.broadcastEvent("certs", {});
  private currentTls: ConsoleTlsCredentials;
  private urlText = "";

  private constructor(
    private readonly opts: ConsoleOptions,
    private readonly passwords: PasswordFile,
    tls: ConsoleTlsCredentials,
    private readonly bundle: FrontEndBundle,
    private readonly lib: FastifyLib,
  ) {
    super();
    const Fastify = lib.fastify;
    this.currentTls = tls;
    this.dataSource = opts.dataSource ?? new EmptyDataSource();
    this.sessions = new SessionStore(opts.sessions);
    this.limiter = new LoginLimiter(opts.limiter);
    this.app = Fastify({
      https: { key: tls.key, cert: tls.cert, minVersion: "TLSv1.2" },
      logger: false,
      bodyLimit: 64 * 1024,
      trustProxy: false,
      forceCloseConnections: true,
      return503OnClosing: true,
    });
  }

  /** Starts the console. Throws ConsoleError (ERR_CONSOLE_TLS, ERR_CONSOLE_AUTH_FILE) or a listen error. */
  static async start(opts: ConsoleOptions): Promise<ConsoleServer> {
    await fs.mkdir(opts.stateDir, { recursive: true, mode: 0o700 });
    const bind = opts.bind ?? "127.0.0.1";
    const passwords = await PasswordFile.open(`${opts.stateDir}/console-auth.json`, opts.passwordIterations !== undefined ? { iterations: opts.passwordIterations } : {});
    const names = selfSignedNames(bind);
    const tls = await resolveConsoleTls({ choice: opts.tls ?? "auto", ...(opts.tlsIdentity ? { identity: opts.tlsIdentity } : {}), ...(opts.store ? { store: opts.store } : {}), stateDir: opts.stateDir, ...names });
    const [bundle, lib] = await Promise.all([frontEndBundle(), loadFastify()]);
    const s = new ConsoleServer(opts, passwords, tls, bundle, lib);
    await s.setup();
    await s.app.listen({ host: bind, port: opts.port ?? 8443 });
    const a = s.app.server.address();
    const port = typeof a === "object" && a ? a.port : opts.port ?? 8443;
    s.urlText = `https://${bind.includes(":") ? `[${bind}]` : isWildcard(bind) ? "127.0.0.1" : bind}:${port}/`;
    await s.refreshAllowedHosts();
    s.dataSource.on("change", s.onSourceChange);
    opts.store?.on("identityChanged", s.onIdentityChanged);
    opts.store?.on("trustChanged", s.onTrustChanged);
    s.sample();
    s.pollTimer = setInterval(() => {
      s.sample();
      s.broadcastStatus(true);
    }, opts.pollIntervalMs ?? 1000);
    s.pollTimer.unref();
    opts.logger?.info(`console listening on ${s.urlText} (HTTPS identity: ${tls.source}, ${tls.subject})`);
    return s;
  }

  get url(): string {
    return this.urlText;
  }

  /** The HTTPS identity in use now. */
  get tls(): Omit<ConsoleTlsCredentials, "key" | "cert"> {
    const t = this.currentTls;
    return { source: t.source, ...(t.identity ? { identity: t.identity } : {}), subject: t.subject, fingerprintSha256: t.fingerprintSha256, notAfter: t.notAfter };
  }

  get port(): number {
    const a = this.app.server.address();
    return typeof a === "object" && a ? a.port : 0;
  }

  /** Live-update streams open now. */
  get eventStreams(): number {
    return this.clients.size;
  }

  /** For tests: the fastify instance (inject()). */
  get fastify(): FastifyInstance {
    return this.app;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.changeTimer) clearTimeout(this.changeTimer);
    this.dataSource.off("change", this.onSourceChange);
    this.opts.store?.off("identityChanged", this.onIdentityChanged);
    this.opts.store?.off("trustChanged", this.onTrustChanged);
    for (const c of this.clients) c.res.end();
    this.clients.clear();
    await this.app.close();
  }

  // ---- identity and hosts ---------------------------------------------------------------------

  private async identityChanged(): Promise<void> {
    if (this.closed) return;
    await this.refreshAllowedHosts();
    const choice = this.opts.tls ?? "auto";
    if (choice === "auto" || choice === "gateway") {
      try {
        const next = await resolveConsoleTls({ choice, ...(this.opts.tlsIdentity ? { identity: this.opts.tlsIdentity } : {}), ...(this.opts.store ? { store: this.opts.store } : {}), stateDir: this.opts.stateDir, ...selfSignedNames(this.opts.bind ?? "127.0.0.1") });
        if (next.fingerprintSha256 !== this.currentTls.fingerprintSha256 && !this.closed) {
          (this.app.server as HttpsServer).setSecureContext({ key: next.key, cert: next.cert, minVersion: "TLSv1.2" });
          this.currentTls = next;
          this.opts.logger?.info(`console HTTPS identity is now ${next.source}: ${next.subject}`);
          this.emit("tlsChanged", this.tls);
        }
      } catch (e) {
        this.opts.logger?.warn(`console HTTPS identity kept: ${(e as Error).message}`);
      }
    }
    this.broadcastEvent("certs", {});
  }

  private async refreshAllowedHosts(): Promise<void> {
    const set = this.allowedHosts;
    set.clear();
    const bind = this.opts.bind ?? "127.0.0.1";
    for (const h of ["localhost", "127.0.0.1", "::1", hostname().toLowerCase()]) set.add(h);
    if (isWildcard(bind)) {
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) set.add(a.address.toLowerCase().replace(/%.*$/, ""));
    } else {
      set.add(bind.toLowerCase());
    }
    for (const h of this.opts.allowedHosts === "any" ? [] : (this.opts.allowedHosts ?? [])) set.add(h.toLowerCase());
    if (this.opts.store) {
      try {
        for (const i of (await this.opts.store.list()).identities) for (const n of [i.fqdn, ...i.sans, ...i.ips]) set.add(n.toLowerCase());
      } catch {
        /* a damaged store shows on the Certificates page */
      }
    }
  }

  private hostAllowed(req: FastifyRequest): boolean {
    if (this.opts.allowedHosts === "any") return true;
    const h = hostOf(req.headers.host);
    return h !== undefined && this.allowedHosts.has(h);
  }

  // ---- live status ----------------------------------------------------------------------------

  private status(): ConsoleStatus {
    const ds = this.dataSource;
    const safe = <T>(f: () => T, fallback: T): T => {
      try {
        return f();
      } catch (e) {
        this.opts.logger?.warn(`console data source failed: ${(e as Error).message}`);
        return fallback;
      }
    };
    return {
      at: new Date().toISOString(),
      gateway: safe(() => ds.gateway?.() ?? { name: "gateway" }, { name: "gateway" }),
      links: safe(() => ds.links(), []),
      pool: safe(() => ds.pool(), []),
      calls: safe(() => ds.calls(), []),
    };
  }

  private lastPoint: HistoryPoint | undefined;

  private sample(): void {
    const st = this.status();
    this.lastPoint = this.history.sample(Date.now(), st.calls, st.links.filter((l) => l.state === "up").length);
  }

  private scheduleBroadcast(): void {
    if (this.changeTimer || this.closed) return;
    this.changeTimer = setTimeout(() => {
      this.changeTimer = undefined;
      this.broadcastStatus(false);
    }, 50);
    this.changeTimer.unref();
  }

  private write(c: EventClient, event: string, data: unknown): void {
    // A client that stopped reading (1 MiB queued) is dropped rather than buffered for ever.
    if (c.res.writableLength > 1024 * 1024) {
      c.res.destroy();
      this.clients.delete(c);
      return;
    }
    c.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  private liveClients(): EventClient[] {
    const out: EventClient[] = [];
    for (const c of this.clients) {
      if (this.sessions.get(c.sessionId, false)?.authenticated) out.push(c);
      else {
        this.write(c, "logout", {});
        c.res.end();
        this.clients.delete(c);
      }
    }
    return out;
  }

  private broadcastStatus(withPoint: boolean): void {
    if (this.clients.size === 0) return;
    const clients = this.liveClients();
    if (!clients.length) return;
    const st = this.status();
    for (const c of clients) {
      this.write(c, "status", st);
      if (withPoint && this.lastPoint) this.write(c, "point", this.lastPoint);
    }
  }

  private broadcastEvent(event: string, data: unknown): void {
    for (const c of this.liveClients()) this.write(c, event, data);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private setCookie(reply: FastifyReply, s: Session): void {
    reply.setCookie(COOKIE, s.id, { path: "/", secure: true, httpOnly: true, sameSite: "strict" });
  }

  private sessionOf(req: FastifyRequest): Session | undefined {
    return this.sessions.get(req.cookies[COOKIE]);
  }

  private async setup(): Promise<void> {
    const app = this.app;
    await app.register(this.lib.cookie);
    await app.register(this.lib.multipart, {
      limits: { fileSize: this.opts.uploadLimitBytes ?? 1024 * 1024, files: 1, fields: 4, fieldSize: 4096, parts: 6, headerPairs: 50 },
      throwFileSizeLimit: true,
    });

    app.addHook("onRequest", async (req: Req, reply) => {
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
      if (!this.hostAllowed(req)) throw new ConsoleError("ERR_CONSOLE_HOST", `this console does not answer to the host name "${hostOf(req.headers.host) ?? ""}" (add it to the console's allowedHosts)`);
      const route = req.routeOptions.url; // the matched route pattern; undefined when none matches (404)
      const isApi = route?.startsWith("/api/") ?? false;
      if (isApi) reply.header("cache-control", "no-store");
      const s = this.sessionOf(req);
      if (s) req.session = s;
      if (!SAFE_METHODS.has(req.method)) {
        // Every state-changing request, whatever its path. Origin first (a browser sends it on
        // cross-origin and same-origin POSTs alike), then the session's token.
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== `https://${req.headers.host ?? ""}`) throw new ConsoleError("ERR_CONSOLE_ORIGIN", "refused: the request comes from another web site");
        const site = req.headers["sec-fetch-site"];
        if (site !== undefined && site !== "same-origin") throw new ConsoleError("ERR_CONSOLE_ORIGIN", "refused: the request comes from another web site");
        if (!s || !SessionStore.csrfMatches(s, req.headers[CSRF_HEADER])) {
          throw new ConsoleError("ERR_CONSOLE_CSRF", "refused: the request does not carry this session's CSRF token (reload the page)");
        }
      }
      if (route !== undefined && !PUBLIC_ROUTES.has(route) && !s?.authenticated) throw new ConsoleError("ERR_CONSOLE_AUTH", "log in first");
    });

    app.setErrorHandler((err: Error & { code?: string; statusCode?: number; validation?: unknown }, req, reply) => {
      let status = 500;
      let code = "ERR_CONSOLE_INTERNAL";
      let message = "internal error";
      if (err instanceof ConsoleError) {
        status = err.httpStatus;
        code = err.code;
        message = err.message;
        if (err.retryAfterSeconds !== undefined) reply.header("retry-after", String(err.retryAfterSeconds));
      } else if (err instanceof CertError) {
        status = CERT_HTTP_STATUS[err.code] ?? 400;
        code = err.code;
        message = err.message; // as the store words it
      } else if (err instanceof GwsdkError) {
        status = 400;
        code = err.code;
        message = err.message;
      } else if (err.code === "FST_REQ_FILE_TOO_LARGE" || err.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        status = 413;
        code = "ERR_CONSOLE_TOO_LARGE";
        message = `the upload is larger than ${Math.round((this.opts.uploadLimitBytes ?? 1024 * 1024) / 1024)} KiB`;
      } else if (err.validation || (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500)) {
        status = err.statusCode && err.statusCode !== 500 ? err.statusCode : 400;
        code = "ERR_CONSOLE_BAD_REQUEST";
        message = err.message;
      } else {
        this.opts.logger?.warn(`console: ${req.method} ${req.url}: ${err.stack ?? err.message}`);
      }
      void reply.status(status).send({ error: { code, message } });
    });

    app.setNotFoundHandler(async () => {
      throw new ConsoleError("ERR_CONSOLE_NOT_FOUND", "no such page");
    });

    // ---- page and assets ----
    const page = indexHtml(this.bundle.sha256);
    app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(page));
    app.get("/assets/app.js", async (req, reply) => {
      reply.header("etag", `"${this.bundle.sha256}"`).header("cache-control", "no-cache");
      if (req.headers["if-none-match"] === `"${this.bundle.sha256}"`) return reply.status(304).send();
      return reply.type("text/javascript; charset=utf-8").send(this.bundle.js);
    });
    app.get("/favicon.ico", async (_req, reply) => reply.status(204).send());
    app.get("/assets/app.css", async (_req, reply) => reply.type("text/css; charset=utf-8").header("cache-control", "no-cache").send(CONSOLE_CSS));

    // ---- session, login ----
    app.get("/api/session", async (req: Req, reply) => {
      let s = req.session;
      if (!s) {
        s = this.sessions.createAnonymous();
        this.setCookie(reply, s);
      }
      return {
        passwordSet: this.passwords.isSet,
        authenticated: s.authenticated,
        csrfToken: s.csrfToken,
        certificates: !!this.opts.store,
        ...(s.authenticated ? { gateway: this.status().gateway, https: this.tls } : {}),
      };
    });

    app.post("/api/setup", async (req: Req, reply) => {
      const pw = (req.body as { password?: unknown } | undefined)?.password;
      this.limiter.check(req.ip);
      if (this.passwords.isSet) throw new ConsoleError("ERR_CONSOLE_PASSWORD_SET", "a console password is already set: log in with it");
      await this.passwords.setInitial(pw as string);
      this.opts.logger?.info(`console: password set on first use from ${req.ip}`);
      const s = this.sessions.login(req.session);
      this.setCookie(reply, s);
      return { authenticated: true, csrfToken: s.csrfToken };
    });

    app.post("/api/login", async (req: Req, reply) => {
      const pw = (req.body as { password?: unknown } | undefined)?.password;
      this.limiter.check(req.ip);
      if (!this.passwords.isSet) throw new ConsoleError("ERR_CONSOLE_PASSWORD_NOT_SET", "no console password yet: set one first");
      const ok = await this.verify(pw);
      if (!ok) {
        this.limiter.failure(req.ip);
        this.opts.logger?.warn(`console: failed login from ${req.ip}`);
        throw new ConsoleError("ERR_CONSOLE_LOGIN", "wrong password");
      }
      this.limiter.success(req.ip);
      const s = this.sessions.login(req.session);
      this.setCookie(reply, s);
      return { authenticated: true, csrfToken: s.csrfToken };
    });

    app.post("/api/logout", async (req: Req, reply) => {
      if (req.session) this.sessions.destroy(req.session.id);
      const s = this.sessions.createAnonymous();
      this.setCookie(reply, s);
      return { authenticated: false, csrfToken: s.csrfToken };
    });

    app.post("/api/password", async (req: Req) => {
      const b = (req.body ?? {}) as { current?: unknown; password?: unknown };
      this.limiter.check(req.ip);
      if (!(await this.verify(b.current))) {
        this.limiter.failure(req.ip);
        throw new ConsoleError("ERR_CONSOLE_LOGIN", "the current password is wrong");
      }
      this.limiter.success(req.ip);
      await this.passwords.change(b.password as string);
      this.sessions.destroyAuthenticated(req.session!.id);
      this.opts.logger?.info(`console: password changed from ${req.ip}`);
      return { changed: true };
    });

    // ---- status ----
    app.get("/api/status", async () => ({ ...this.status(), history: this.history.all() }));

    app.get("/api/events", async (req: Req, reply) => {
      if (this.clients.size >= (this.opts.maxEventStreams ?? 16)) throw new ConsoleError("ERR_CONSOLE_BUSY", "too many live views are open on this console");
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { ...SECURITY_HEADERS, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
      const c: EventClient = { res, sessionId: req.session!.id };
      this.clients.add(c);
      res.write("retry: 2000\n\n");
      this.write(c, "history", { points: this.history.all() });
      this.write(c, "status", this.status());
      const ping = setInterval(() => res.write(": ping\n\n"), 15_000);
      ping.unref();
      // the response's "close": the browser went away (or we ended the stream)
      res.on("close", () => {
        clearInterval(ping);
        this.clients.delete(c);
      });
    });

    // ---- certificates ----
    const store = (): CertStore => {
      if (!this.opts.store) throw new ConsoleError("ERR_CONSOLE_NOT_FOUND", "this console has no certificate store");
      return this.opts.store;
    };

    app.get("/api/certs", async () => {
      const st = store();
      const list = await st.list();
      const checks: { name: string; status: string; problems: { code: string; message: string }[]; warnings: { code: string; message: string }[] }[] = [];
      for (const i of list.identities) {
        try {
          checks.push(await st.check(i.name));
        } catch (e) {
          checks.push({ name: i.name, status: "unusable", problems: [{ code: (e as GwsdkError).code ?? "ERR_CERT_STORE_CORRUPT", message: (e as Error).message }], warnings: [] });
        }
      }
      return {
        identities: list.identities.map((i) => ({ ...i, check: checks.find((c) => c.name === i.name) ?? null })),
        anchors: list.anchors,
        problems: list.problems,
        expiry: list.expiry.filter((e) => e.threshold !== null),
        revocation: list.revocation,
        keyTypes: KEY_TYPES,
        https: this.tls,
      };
    });

    app.post("/api/certs/csr", async (req) => {
      const b = (req.body ?? {}) as { name?: unknown; fqdn?: unknown; sans?: unknown; ips?: unknown; keyType?: unknown; renew?: unknown };
      const list = (v: unknown, what: string): string[] => {
        if (v === undefined) return [];
        if (!Array.isArray(v) || v.length > 20 || !v.every((x) => typeof x === "string" && x.length <= 253)) throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", `${what} must be a list of at most 20 names`);
        return v as string[];
      };
      if (typeof b.fqdn !== "string" || b.fqdn.length > 253) throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", "fqdn must be a host name");
      if (b.keyType !== undefined && (typeof b.keyType !== "string" || !(KEY_TYPES as readonly string[]).includes(b.keyType))) {
        throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", `keyType must be one of ${KEY_TYPES.join(", ")}`);
      }
      if (b.name !== undefined && typeof b.name !== "string") throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", "name must be a string");
      const r = await store().init({
        fqdn: b.fqdn,
        sans: list(b.sans, "sans"),
        ips: list(b.ips, "ips"),
        ...(b.keyType ? { key: b.keyType as KeyType } : {}),
        ...(b.name ? { name: b.name as string } : {}),
        renew: b.renew === true,
      });
      return { name: r.name, fqdn: r.fqdn, keyType: r.keyType, renewal: r.renewal, csrPem: r.csrPem };
    });

    app.get("/api/certs/csr", async (req, reply) => {
      const name = (req.query as { name?: string }).name ?? "default";
      const pem = await store().csr(name);
      const info = await store().show(name);
      return reply
        .type("application/pkcs10")
        .header("content-disposition", `attachment; filename="${sanitizeFilename(`${info.fqdn}.csr`)}"`)
        .send(pem);
    });

    app.post("/api/certs/import", async (req) => {
      const { file, fields } = await this.readUpload(req);
      const password = fields.password ? fields.password : undefined;
      const r = await store().import(file.data, { source: file.name, ...(fields.name ? { name: fields.name } : {}), ...(password !== undefined ? { password } : {}) });
      return r;
    });

    app.post("/api/certs/trust", async (req) => {
      const { file } = await this.readUpload(req);
      return store().trustAdd(file.data, file.name);
    });

    app.delete("/api/certs/trust/:fingerprint", async (req) => {
      const fp = (req.params as { fingerprint: string }).fingerprint;
      return { removed: await store().trustRemove(fp) };
    });
  }

  private async verify(password: unknown): Promise<boolean> {
    if (this.verifying >= MAX_VERIFICATIONS_IN_FLIGHT) throw new ConsoleError("ERR_CONSOLE_RATE_LIMITED", "a login is already being checked: try again in 1 s", { retryAfterSeconds: 1 });
    this.verifying++;
    try {
      return await this.passwords.verify(password);
    } finally {
      this.verifying--;
    }
  }

  /** One file (field "file") and a few short text fields from a multipart upload. */
  private async readUpload(req: FastifyRequest): Promise<{ file: { name: string; data: Uint8Array }; fields: Record<string, string> }> {
    if (!req.isMultipart()) throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", "expected a file upload (multipart/form-data)");
    let file: { name: string; data: Uint8Array } | undefined;
    const fields: Record<string, string> = {};
    for await (const part of req.parts()) {
      if (part.type === "file") {
        if (part.fieldname !== "file" || file) {
          await part.toBuffer();
          throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", "one file, in the field \"file\"");
        }
        const data = await part.toBuffer();
        file = { name: sanitizeFilename(part.filename), data: new Uint8Array(data) };
      } else if (["password", "name"].includes(part.fieldname) && typeof part.value === "string") {
        fields[part.fieldname] = part.value;
      }
    }
    if (!file || file.data.length === 0) throw new ConsoleError("ERR_CONSOLE_BAD_REQUEST", "choose a file to upload");
    return { file, fields };
  }
}

interface FastifyLib {
  fastify: typeof import("fastify").default;
  cookie: typeof import("@fastify/cookie").fastifyCookie;
  multipart: typeof import("@fastify/multipart").fastifyMultipart;
}

async function loadFastify(): Promise<FastifyLib> {
  const [f, c, m] = await Promise.all([import("fastify"), import("@fastify/cookie"), import("@fastify/multipart")]);
    // Node's ESM view of a CommonJS module: `default` is module.exports (the fastify-plugin wrapper).
  return { fastify: f.default, cookie: c.default as unknown as FastifyLib["cookie"], multipart: m.default as unknown as FastifyLib["multipart"] };
}

function selfSignedNames(bind: string): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames = ["localhost"];
  const h = hostname().toLowerCase();
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(h) && h !== "localhost") dnsNames.push(h);
  const ipAddresses = ["127.0.0.1", "::1"];
  if (!isWildcard(bind) && isIP(bind) && !ipAddresses.includes(bind)) ipAddresses.push(bind);
  if (!isWildcard(bind) && !isIP(bind) && !dnsNames.includes(bind.toLowerCase())) dnsNames.push(bind.toLowerCase());
  return { dnsNames, ipAddresses };
}

function indexHtml(sha: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Gateway console</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js?v=${sha.slice(0, 16)}" defer></script>
</head>
<body>
<div id="app"><noscript>The gateway console needs JavaScript.</noscript></div>
</body>
</html>
`;
}

/**
 * Starts the console as a board says: refuses (ERR_CONSOLE_DISABLED) when `console.enabled` is false,
 * unless `force`; binds to `console.bind`:`console.port`.
 */
export async function startBoardConsole(board: Board, opts: Omit<ConsoleOptions, "bind" | "port"> & { force?: boolean; port?: number; bind?: string }): Promise<ConsoleServer> {
  if (!board.console.enabled && !opts.force) {
    throw new ConsoleError("ERR_CONSOLE_DISABLED", `the web console is off on board "${board.id}" (console.enabled is false); enable it in the board file or pass --enable`);
  }
  return ConsoleServer.start({ ...opts, bind: opts.bind ?? board.console.bind, port: opts.port ?? board.console.port });
}

export { CONSOLE_HTTP_STATUS };
