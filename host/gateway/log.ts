// Structured logs of the gateway process: one event per line, as text for people or as one JSON
// object per line (`--log-format json`) for collectors.
//
//   {"time":"2026-11-28T18:00:00.000Z","level":"info","event":"tls.up","peer":"ms1.contoso.com:5067","version":"TLSv1.3",...}
//   2026-11-28T18:00:00.000Z INFO  tls.up peer=ms1.contoso.com:5067 version=TLSv1.3 ...
//
// Logs never carry key material. Callers log names, counters and codes, never keys; as a second
// line of defence every record passes through redact(): byte arrays are reduced to their length,
// fields named like secrets are replaced, and SDES `inline:` key parameters inside strings are masked.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "text" | "json";

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Field names whose values are never written (case-insensitive, also as a suffix: "masterKey"). */
const SECRET_FIELD = /(^|[a-z_])(key|salt|secret|password|passphrase|inline|privatekey|masterkey|mastersalt)$/i;
/** `inline:<base64>`: an RFC 4568 key parameter (SDP is never logged, but a message might quote it). */
const INLINE = /inline:[A-Za-z0-9+/=]+/g;

export function redact(v: unknown, depth = 0): unknown {
  if (v === null || v === undefined) return v;
  if (typeof v === "string") return v.replace(INLINE, "inline:[redacted]");
  if (typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return `[${v.byteLength} bytes]`;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Error) {
    const code = (v as { code?: unknown }).code;
    return { ...(typeof code === "string" ? { code } : {}), message: redact(v.message) };
  }
  if (depth > 6) return "[deep]";
  if (Array.isArray(v)) return v.slice(0, 64).map((x) => redact(x, depth + 1));
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = SECRET_FIELD.test(k) ? "[redacted]" : redact(x, depth + 1);
    }
    return out;
  }
  return String(v);
}

export interface LoggerOptions {
  format?: LogFormat;
  level?: LogLevel;
  /** Where lines go (default process.stdout). */
  write?: (line: string) => void;
  now?: () => Date;
  /** Fields added to every record of this logger. */
  fields?: Record<string, unknown>;
}

function textValue(v: unknown): string {
  if (typeof v === "string") return /^[^\s="]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

export class Logger {
  readonly format: LogFormat;
  readonly level: LogLevel;
  private readonly write: (line: string) => void;
  private readonly now: () => Date;
  private readonly fields: Record<string, unknown>;

  constructor(o: LoggerOptions = {}) {
    this.format = o.format ?? "text";
    this.level = o.level ?? "info";
    this.write = o.write ?? ((line) => process.stdout.write(line));
    this.now = o.now ?? (() => new Date());
    this.fields = o.fields ?? {};
  }

  /** A logger that adds `fields` to every record. */
  child(fields: Record<string, unknown>): Logger {
    return new Logger({ format: this.format, level: this.level, write: this.write, now: this.now, fields: { ...this.fields, ...fields } });
  }

  enabled(level: LogLevel): boolean {
    return LEVELS[level] >= LEVELS[this.level];
  }

  log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    if (!this.enabled(level)) return;
    const rec = redact({ ...this.fields, ...fields }) as Record<string, unknown>;
    const time = this.now().toISOString();
    if (this.format === "json") {
      this.write(JSON.stringify({ time, level, event, ...rec }) + "\n");
      return;
    }
    const msg = typeof rec.msg === "string" ? rec.msg : undefined;
    delete rec.msg;
    const kv = Object.entries(rec)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${textValue(v)}`)
      .join(" ");
    this.write(`${time} ${level.toUpperCase().padEnd(5)} ${event}${msg ? ` ${msg}` : ""}${kv ? ` ${kv}` : ""}\n`);
  }

  debug(event: string, fields?: Record<string, unknown>): void {
    this.log("debug", event, fields);
  }
  info(event: string, fields?: Record<string, unknown>): void {
    this.log("info", event, fields);
  }
  warn(event: string, fields?: Record<string, unknown>): void {
    this.log("warn", event, fields);
  }
  error(event: string, fields?: Record<string, unknown>): void {
    this.log("error", event, fields);
  }
}

/** A logger that writes nothing. */
export const silentLogger = new Logger({ level: "error", write: () => undefined });
