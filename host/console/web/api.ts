// The browser side of the console API: fetch with the session's CSRF token on every state-changing
// request, errors as ApiError with the server's stable code (the UI shows the message as given).
import type { CallStatus, GatewayInfo, LinkStatus, PoolMemberStatus } from "../data-source.js";
import type { HistoryPoint } from "../history.js";

export type { CallStatus, GatewayInfo, LinkStatus, PoolMemberStatus, HistoryPoint };

export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface SessionInfo {
  passwordSet: boolean;
  authenticated: boolean;
  csrfToken: string;
  certificates: boolean;
  gateway?: GatewayInfo;
  https?: { source: string; subject: string; fingerprintSha256: string; notAfter: string };
}

export interface StatusSnapshot {
  at: string;
  gateway: GatewayInfo;
  links: LinkStatus[];
  pool: PoolMemberStatus[];
  calls: CallStatus[];
}

let csrfToken = "";
/** Called when the server says the session is gone. */
let onLoggedOut: () => void = () => undefined;

export function setCsrfToken(t: string): void {
  csrfToken = t;
}

export function setLoggedOutHandler(f: () => void): void {
  onLoggedOut = f;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  let payload: BodyInit | undefined;
  if (method !== "GET") headers["x-csrf-token"] = csrfToken;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
    const err = new ApiError(e?.code ?? `HTTP_${res.status}`, e?.message ?? (res.statusText || "request failed"), res.status);
    if (err.code === "ERR_CONSOLE_AUTH") onLoggedOut();
    throw err;
  }
  return data as T;
}

export const api = {
  session: () => request<SessionInfo>("GET", "/api/session"),
  setup: (password: string) => request<{ csrfToken: string }>("POST", "/api/setup", { password }),
  login: (password: string) => request<{ csrfToken: string }>("POST", "/api/login", { password }),
  logout: () => request<{ csrfToken: string }>("POST", "/api/logout", {}),
  changePassword: (current: string, password: string) => request<{ changed: boolean }>("POST", "/api/password", { current, password }),
  status: () => request<StatusSnapshot & { history: HistoryPoint[] }>("GET", "/api/status"),
  certs: () => request<CertsOverview>("GET", "/api/certs"),
  createCsr: (p: { name?: string; fqdn: string; sans: string[]; ips: string[]; keyType: string; renew: boolean }) =>
    request<{ name: string; fqdn: string; keyType: string; renewal: boolean; csrPem: string }>("POST", "/api/certs/csr", p),
  importCert: (form: FormData) => request<ImportResult>("POST", "/api/certs/import", form),
  trustAdd: (form: FormData) => request<{ added: CertSummary[]; alreadyTrusted: CertSummary[] }>("POST", "/api/certs/trust", form),
  trustRemove: (fingerprint: string) => request<{ removed: CertSummary }>("DELETE", `/api/certs/trust/${encodeURIComponent(fingerprint)}`),
};

export interface CertSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysRemaining: number;
  fingerprintSha256: string;
  key: string;
  dnsNames: string[];
  ipAddresses: string[];
  isCa: boolean;
  selfSigned: boolean;
}

export interface Problem {
  code: string;
  message: string;
}

export interface IdentityView {
  name: string;
  fqdn: string;
  sans: string[];
  ips: string[];
  keyType: string;
  state: "pending" | "active" | "renewing";
  trust: "trusted" | "untrusted-chain" | null;
  certificate: CertSummary | null;
  chain: CertSummary[];
  csrPending: boolean;
  check: { status: "ok" | "warning" | "unusable"; problems: Problem[]; warnings: Problem[] } | null;
}

export interface CertsOverview {
  identities: IdentityView[];
  anchors: CertSummary[];
  problems: (Problem & { file: string })[];
  expiry: { kind: string; id: string; subject: string; notAfter: string; daysRemaining: number; threshold: number | null }[];
  revocation: string;
  keyTypes: string[];
  https: { source: string; subject: string; fingerprintSha256: string; notAfter: string; identity?: string };
}

export interface ImportResult {
  name: string;
  format: string;
  certificate: CertSummary;
  chainLength: number;
  trust: "trusted" | "untrusted-chain";
  warnings: Problem[];
}
