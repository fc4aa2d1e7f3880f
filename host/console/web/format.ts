// Small formatting helpers for the console's pages.

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export function since(iso: string, now = Date.now()): string {
  return fmtDuration(now - Date.parse(iso));
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")} ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** "ok" / "warn" / "bad" for a number of days left before expiry (warnings from 30 days). */
export function expiryLevel(days: number | null): "ok" | "warn" | "bad" {
  if (days === null) return "ok";
  if (days < 7) return "bad";
  if (days < 30) return "warn";
  return "ok";
}

export function daysText(days: number | null): string {
  if (days === null) return "—";
  if (days < 0) return `expired ${-days} d ago`;
  return `${days} d`;
}

export function shortFingerprint(fp: string): string {
  return fp.slice(0, 16).replace(/(..)(?=.)/g, "$1:");
}
