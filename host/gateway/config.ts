// The gateway's deployment config (gwsdk gateway --config FILE): validated against
// docs/schemas/gateway-config.schema.json, then merged over the board's defaults field by field.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { GwsdkError } from "../errors.js";
import type { Board, SrtpMode } from "../boards/board.js";

export class ConfigError extends GwsdkError {
  readonly field?: string;
  constructor(code: string, message: string, field?: string) {
    super(code, message);
    if (field !== undefined) this.field = field;
  }
}

export interface PoolMember {
  fqdn?: string;
  host: string;
  port: number;
}

/** The effective configuration: board defaults with the deployment's overrides applied. */
export interface GatewayConfig {
  fqdn: string;
  store: string;
  identity: string;
  listen: { host: string; port: number };
  pool: { fqdn: string; port: number; members?: PoolMember[]; hosts: Record<string, string[]> };
  trunk: { srtpMode: SrtpMode; srtpProfiles: string[]; mki: boolean; replayWindow: number; optionsIntervalMs: number; optionsFailuresDown: number };
  tls: { profile: "sfb" | "strict"; versions: ("TLSv1.3" | "TLSv1.2")[]; fips: boolean; legacyCbc: boolean; handshakeTimeoutMs: number; allowedPeers: string[] };
  media: { address: string; portMin: number; portMax: number; rtcpIntervalMs: number; mediaTimeoutMs: number };
  limits: { maxCalls: number };
  log: { format: "text" | "json"; level: "debug" | "info" | "warn" | "error" };
}

let validateFn: ReturnType<Ajv["compile"]> | undefined;
function validator(): ReturnType<Ajv["compile"]> {
  if (!validateFn) {
    const path = fileURLToPath(new URL("../../../docs/schemas/gateway-config.schema.json", import.meta.url));
    const schema = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    validateFn = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validateFn;
}

function describe(e: ErrorObject): { field: string; message: string } {
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: `${e.instancePath}/${extra}`, message: `unknown field "${extra}"` };
  }
  if (e.keyword === "required") {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { field: `${e.instancePath}/${missing}`, message: "is required" };
  }
  if (e.keyword === "enum") return { field: e.instancePath, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}` };
  return { field: e.instancePath || "/", message: e.message ?? e.keyword };
}

/** Validates a parsed config document; throws ConfigError (ERR_CONFIG_INVALID) naming the field. */
export function validateConfigDocument(doc: unknown, where = "config"): Record<string, unknown> {
  const v = validator();
  if (!v(doc)) {
    const errs = (v.errors ?? []).map(describe);
    const first = errs[0]!;
    throw new ConfigError("ERR_CONFIG_INVALID", `${where}: field ${first.field}: ${first.message}${errs.length > 1 ? ` (and ${errs.length - 1} more)` : ""}`, first.field);
  }
  return doc as Record<string, unknown>;
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError("ERR_CONFIG_NOT_FOUND", `cannot read config ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError("ERR_CONFIG_PARSE", `${path} is not valid JSON: ${(e as Error).message}`);
  }
  return validateConfigDocument(doc, path);
}

/** Applies a validated config over the board's defaults. */
export function resolveConfig(board: Board, doc: Record<string, unknown>, stateDir = ".gwsdk/" + board.id): GatewayConfig {
  const d = doc as {
    fqdn: string; store?: string; identity?: string; listen?: { host?: string; port?: number };
    pool: { fqdn: string; port?: number; members?: PoolMember[]; hosts?: Record<string, string[]> };
    trunk?: Partial<GatewayConfig["trunk"]>; tls?: Partial<GatewayConfig["tls"]>; media?: Partial<GatewayConfig["media"]>;
    limits?: Partial<GatewayConfig["limits"]>; log?: Partial<GatewayConfig["log"]>;
  };
  const poolPort = d.pool.port ?? 5067;
  const members = d.pool.members?.map((m) => ({ ...m, port: m.port ?? poolPort }));
  const storePath = board.storage.path ?? "store";
  const cfg: GatewayConfig = {
    fqdn: d.fqdn.toLowerCase(),
    store: d.store ?? (storePath.startsWith("/") ? storePath : `${stateDir}/${storePath}`),
    identity: d.identity ?? "default",
    listen: { host: d.listen?.host ?? "0.0.0.0", port: d.listen?.port ?? board.sip.listenPort },
    pool: { fqdn: d.pool.fqdn.toLowerCase(), port: poolPort, ...(members ? { members } : {}), hosts: d.pool.hosts ?? {} },
    trunk: {
      srtpMode: d.trunk?.srtpMode ?? board.srtp.srtpMode,
      srtpProfiles: d.trunk?.srtpProfiles ?? board.srtp.profiles,
      mki: d.trunk?.mki ?? board.srtp.mki,
      replayWindow: board.srtp.replayWindow,
      optionsIntervalMs: d.trunk?.optionsIntervalMs ?? board.sip.optionsIntervalMs,
      optionsFailuresDown: d.trunk?.optionsFailuresDown ?? board.sip.optionsFailuresDown,
    },
    tls: {
      profile: d.tls?.profile ?? board.tls.profile,
      versions: d.tls?.versions ?? board.tls.versions,
      fips: d.tls?.fips ?? board.tls.fips,
      legacyCbc: d.tls?.legacyCbc ?? board.tls.legacyCbc,
      handshakeTimeoutMs: d.tls?.handshakeTimeoutMs ?? board.tls.handshakeTimeoutMs,
      allowedPeers: d.tls?.allowedPeers ?? [d.pool.fqdn, ...(members ?? []).flatMap((m) => (m.fqdn ? [m.fqdn] : []))].map((s) => s.toLowerCase()),
    },
    media: {
      address: d.media?.address ?? "127.0.0.1",
      portMin: d.media?.portMin ?? board.media.portMin,
      portMax: d.media?.portMax ?? board.media.portMax,
      rtcpIntervalMs: d.media?.rtcpIntervalMs ?? 5000,
      mediaTimeoutMs: d.media?.mediaTimeoutMs ?? 30_000,
    },
    limits: { maxCalls: d.limits?.maxCalls ?? board.limits.maxCalls },
    log: { format: d.log?.format ?? "text", level: d.log?.level ?? "info" },
  };
  if (cfg.media.portMin > cfg.media.portMax) throw new ConfigError("ERR_CONFIG_INVALID", "field /media/portMin: is above /media/portMax", "/media/portMin");
  if (cfg.tls.fips && cfg.tls.legacyCbc === true) {
    // CBC suites are FIPS-approved, but legacy mode is a compatibility escape hatch: keep FIPS strict.
    throw new ConfigError("ERR_CONFIG_INVALID", "field /tls/legacyCbc: cannot be combined with fips", "/tls/legacyCbc");
  }
  return cfg;
}
