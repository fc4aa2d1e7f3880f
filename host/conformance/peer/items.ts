// One line of the peer report: what was checked, the verdict, what was seen, and what to do about it.
import type { Verdict } from "../report.js";

export type PeerItemGroup = "transport" | "tls" | "certificate" | "sip" | "call";

export interface PeerItem {
  /** Stable id: "tcp", "tls-1.3", "certificate-name", "sip-options", "call-media"... */
  id: string;
  group: PeerItemGroup;
  title: string;
  status: Verdict;
  /** What was seen, one line. */
  summary: string;
  /** For WARN/FAIL (and a SKIP a person can act on): what to do. */
  advice?: string;
  durationMs: number;
}

/** Collects items in order. */
export class ItemList {
  readonly items: PeerItem[] = [];

  add(item: Omit<PeerItem, "durationMs"> & { durationMs?: number }): PeerItem {
    const full: PeerItem = { ...item, durationMs: item.durationMs ?? 0 };
    if (full.advice === undefined) delete full.advice;
    this.items.push(full);
    return full;
  }

  /** Adds the item, or replaces the one with the same id (a later, stronger observation). */
  set(item: Omit<PeerItem, "durationMs"> & { durationMs?: number }): PeerItem {
    const i = this.items.findIndex((x) => x.id === item.id);
    if (i < 0) return this.add(item);
    const full: PeerItem = { ...item, durationMs: item.durationMs ?? 0 };
    if (full.advice === undefined) delete full.advice;
    this.items[i] = full;
    return full;
  }

  skip(id: string, group: PeerItemGroup, title: string, why: string): PeerItem {
    return this.add({ id, group, title, status: "skip", summary: `not run: ${why}` });
  }

  get(id: string): PeerItem | undefined {
    return this.items.find((i) => i.id === id);
  }
}
