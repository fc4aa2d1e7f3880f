// The SIP message model (RFC 3261 §7): requests and responses with an ordered header list and a
// byte body, plus the header grammars a trunk UA needs (Via, name-addr with tag, CSeq, SIP URI).
import { randomBytes } from "node:crypto";
import { SipError } from "./errors.js";

export interface SipHeader {
  /** Canonical name (compact forms expanded): "Via", "Call-ID", "CSeq"... */
  name: string;
  value: string;
}

/** RFC 3261 §7.3.3 compact forms. */
const COMPACT: Record<string, string> = {
  i: "Call-ID",
  m: "Contact",
  e: "Content-Encoding",
  l: "Content-Length",
  c: "Content-Type",
  f: "From",
  s: "Subject",
  k: "Supported",
  t: "To",
  v: "Via",
  r: "Refer-To",
  o: "Event",
  u: "Allow-Events",
};

const SPECIAL: Record<string, string> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  "mime-version": "MIME-Version",
  "rack": "RAck",
  "rseq": "RSeq",
};

/** The canonical spelling of a header name (case-insensitive input, compact forms expanded). */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  // own properties only: "constructor", "__proto__", "toString" are extension header names, not Object's
  if (lower.length === 1 && Object.hasOwn(COMPACT, lower)) return COMPACT[lower]!;
  if (Object.hasOwn(SPECIAL, lower)) return SPECIAL[lower]!;
  return lower.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

export abstract class SipMessage {
  headers: SipHeader[] = [];
  body: Buffer = Buffer.alloc(0);

  get(name: string): string | undefined {
    const n = canonicalHeaderName(name);
    return this.headers.find((h) => h.name === n)?.value;
  }

  getAll(name: string): string[] {
    const n = canonicalHeaderName(name);
    return this.headers.filter((h) => h.name === n).map((h) => h.value);
  }

  /** Every value of a list header (Via, Route, Allow...), comma-separated lists split. */
  getList(name: string): string[] {
    return this.getAll(name).flatMap(splitHeaderList);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replaces every header of this name with one value. */
  set(name: string, value: string): this {
    const n = canonicalHeaderName(name);
    const i = this.headers.findIndex((h) => h.name === n);
    this.headers = this.headers.filter((h) => h.name !== n);
    this.headers.splice(i < 0 ? this.headers.length : i, 0, { name: n, value });
    return this;
  }

  add(name: string, value: string): this {
    this.headers.push({ name: canonicalHeaderName(name), value });
    return this;
  }

  remove(name: string): this {
    const n = canonicalHeaderName(name);
    this.headers = this.headers.filter((h) => h.name !== n);
    return this;
  }

  get callId(): string {
    return this.get("Call-ID") ?? "";
  }

  get cseq(): CSeq {
    return parseCSeq(this.get("CSeq") ?? "");
  }

  get from(): NameAddr {
    return parseNameAddr(this.get("From") ?? "");
  }

  get to(): NameAddr {
    return parseNameAddr(this.get("To") ?? "");
  }

  /** The topmost Via. */
  get via(): Via {
    const v = this.getList("Via")[0];
    if (v === undefined) throw new SipError("ERR_SIP_MISSING_HEADER", "no Via");
    return parseVia(v);
  }

  bodyText(): string {
    return this.body.toString("utf8");
  }

  setBody(body: string | Buffer | Uint8Array | undefined, contentType = "application/sdp"): this {
    if (body === undefined || body.length === 0) {
      this.body = Buffer.alloc(0);
      this.remove("Content-Type");
      return this;
    }
    this.body = typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
    this.set("Content-Type", contentType);
    return this;
  }

  abstract startLine(): string;
}

export class SipRequest extends SipMessage {
  constructor(
    public method: string,
    public uri: string,
  ) {
    super();
  }
  startLine(): string {
    return `${this.method} ${this.uri} SIP/2.0`;
  }
}

export class SipResponse extends SipMessage {
  constructor(
    public status: number,
    public reason: string = reasonPhrase(status),
  ) {
    super();
  }
  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}

/** Splits a header value on commas outside quotes and <...> (RFC 3261 §7.3.1). */
export function splitHeaderList(value: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      cur += ch;
      if (ch === "\\" && i + 1 < value.length) cur += value[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === "<") angle++;
    else if (ch === ">") angle = Math.max(0, angle - 1);
    else if (ch === "," && angle === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** `;name=value;flag` parameters, names lower-cased. */
export function parseParams(s: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of s.split(";")) {
    const t = p.trim();
    if (!t) continue;
    const eq = t.indexOf("=");
    if (eq < 0) m.set(t.toLowerCase(), "");
    else m.set(t.slice(0, eq).trim().toLowerCase(), t.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1"));
  }
  return m;
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: Map<string, string>;
  branch: string | undefined;
}

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;

export function parseVia(v: string): Via {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?:\s*:\s*(\d{1,5}))?\s*((?:;.*)?)$/.exec(v.trim());
  if (!m) throw new SipError("ERR_SIP_MISSING_HEADER", `bad Via: ${v.slice(0, 80)}`);
  const params = parseParams(m[4] ?? "");
  const port = m[3] !== undefined ? Number(m[3]) : undefined;
  if (port !== undefined && port > 65535) throw new SipError("ERR_SIP_MISSING_HEADER", "bad Via port");
  return { transport: m[1]!.toUpperCase(), host: m[2]!, ...(port !== undefined ? { port } : {}), params, branch: params.get("branch") };
}

export function formatVia(v: { transport: string; host: string; port?: number; branch: string; extra?: string }): string {
  return `SIP/2.0/${v.transport} ${v.host}${v.port ? `:${v.port}` : ""};branch=${v.branch}${v.extra ?? ""}`;
}

export interface NameAddr {
  display?: string;
  uri: string;
  params: Map<string, string>;
  tag: string | undefined;
}

/** name-addr / addr-spec with header parameters (From, To, Contact, Route). */
export function parseNameAddr(v: string): NameAddr {
  const s = v.trim();
  let display: string | undefined;
  let uri: string;
  let rest: string;
  const lt = s.indexOf("<");
  if (lt >= 0) {
    const gt = s.indexOf(">", lt);
    if (gt < 0) throw new SipError("ERR_SIP_MISSING_HEADER", "unterminated <uri>");
    display = s.slice(0, lt).trim().replace(/^"(.*)"$/, "$1") || undefined;
    uri = s.slice(lt + 1, gt).trim();
    rest = s.slice(gt + 1);
  } else {
    // addr-spec: parameters after the URI belong to the header, not the URI (RFC 3261 §20.10)
    const semi = s.indexOf(";");
    uri = (semi < 0 ? s : s.slice(0, semi)).trim();
    rest = semi < 0 ? "" : s.slice(semi);
  }
  // '<', '>' and '"' never appear unescaped in a SIP/tel URI (RFC 3261 §25.1): an addr-spec holding
  // one would change meaning when written back as <uri>.
  if (!/^(sips?|tel):[^\s<>"]+$/i.test(uri)) throw new SipError("ERR_SIP_MISSING_HEADER", `bad URI in name-addr: ${uri.slice(0, 80)}`);
  const params = parseParams(rest);
  const tag = params.get("tag");
  if (tag !== undefined && !TOKEN.test(tag)) throw new SipError("ERR_SIP_MISSING_HEADER", "bad tag parameter (RFC 3261 §19.3: a non-empty token)");
  return { ...(display !== undefined ? { display } : {}), uri, params, tag };
}

export function formatNameAddr(a: { display?: string; uri: string; tag?: string; params?: string }): string {
  const d = a.display ? `"${a.display.replace(/["\\]/g, "\\$&")}" ` : "";
  return `${d}<${a.uri}>${a.params ?? ""}${a.tag ? `;tag=${a.tag}` : ""}`;
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(v: string): CSeq {
  const m = /^\s*(\d{1,10})\s+(\S+)\s*$/.exec(v);
  if (!m || !TOKEN.test(m[2]!) || Number(m[1]) >= 2 ** 31) throw new SipError("ERR_SIP_MISSING_HEADER", `bad CSeq: ${v.slice(0, 40)}`);
  return { seq: Number(m[1]), method: m[2]! };
}

export interface SipUri {
  scheme: "sip" | "sips";
  user?: string;
  host: string;
  port?: number;
  params: Map<string, string>;
}

export function parseSipUri(u: string): SipUri {
  const m = /^(sips?):(?:([^@;?]+)@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/i.exec(u.trim());
  if (!m) throw new SipError("ERR_SIP_PARSE", `bad SIP URI: ${u.slice(0, 80)}`);
  const port = m[4] !== undefined ? Number(m[4]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new SipError("ERR_SIP_PARSE", "bad URI port");
  return {
    scheme: m[1]!.toLowerCase() as "sip" | "sips",
    ...(m[2] !== undefined ? { user: m[2] } : {}),
    host: m[3]!,
    ...(port !== undefined ? { port } : {}),
    params: parseParams(m[5] ?? ""),
  };
}

/** RFC 3261 §8.1.1.7 branch: the magic cookie plus enough randomness to be unique. */
export function newBranch(): string {
  return "z9hG4bK" + randomBytes(10).toString("hex");
}

export function newTag(): string {
  return randomBytes(6).toString("hex");
}

export function newCallId(host: string): string {
  return `${randomBytes(12).toString("hex")}@${host}`;
}

const REASONS: Record<number, string> = {
  100: "Trying",
  180: "Ringing",
  181: "Call Is Being Forwarded",
  182: "Queued",
  183: "Session Progress",
  200: "OK",
  202: "Accepted",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  416: "Unsupported URI Scheme",
  420: "Bad Extension",
  480: "Temporarily Unavailable",
  481: "Call/Transaction Does Not Exist",
  482: "Loop Detected",
  483: "Too Many Hops",
  486: "Busy Here",
  487: "Request Terminated",
  488: "Not Acceptable Here",
  491: "Request Pending",
  500: "Server Internal Error",
  501: "Not Implemented",
  503: "Service Unavailable",
  504: "Server Time-out",
  505: "Version Not Supported",
  513: "Message Too Large",
  600: "Busy Everywhere",
  603: "Decline",
  604: "Does Not Exist Anywhere",
  606: "Not Acceptable",
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? "Progress" : status < 300 ? "OK" : "Error");
}

/**
 * A response to `req` per RFC 3261 §8.2.6: Via(s), From, Call-ID, CSeq copied; To copied with our
 * tag added when it has none (not on 100); Record-Route copied for dialog-creating responses.
 */
export function createResponse(req: SipRequest, status: number, opts: { reason?: string; toTag?: string; body?: string; contentType?: string } = {}): SipResponse {
  const res = new SipResponse(status, opts.reason ?? reasonPhrase(status));
  for (const v of req.getAll("Via")) res.add("Via", v);
  const from = req.get("From");
  if (from !== undefined) res.add("From", from);
  let to = req.get("To");
  if (to !== undefined && status !== 100 && opts.toTag && !/;\s*tag=/i.test(to)) to = `${to};tag=${opts.toTag}`;
  if (to !== undefined) res.add("To", to);
  const callId = req.get("Call-ID");
  if (callId !== undefined) res.add("Call-ID", callId);
  const cseq = req.get("CSeq");
  if (cseq !== undefined) res.add("CSeq", cseq);
  if (req.method === "INVITE" && status > 100 && status < 300) for (const rr of req.getAll("Record-Route")) res.add("Record-Route", rr);
  if (opts.body !== undefined) res.setBody(opts.body, opts.contentType);
  return res;
}
