// Test helpers for media: a source whose every frame is distinct, and the audio comparison.
import assert from "node:assert/strict";
import type { AudioSource, RecordedFrame } from "../../../host/media/pstn.js";

/** Deterministic noise: each 20 ms frame differs, so received frames can be matched to sent ones. */
export class NoiseSource implements AudioSource {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 1;
  }
  next(): Int16Array {
    const out = new Int16Array(160);
    for (let i = 0; i < 160; i++) {
      this.x = (Math.imul(this.x, 1103515245) + 12345) >>> 0;
      out[i] = ((this.x >>> 16) & 0x3fff) - 0x2000;
    }
    return out;
  }
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/**
 * Every received frame equals the sent frame at the same media-clock position, and the frames
 * missing between the first and the last received are no more than `maxLost` (loss allowed: the
 * sender's skipped frames when its timer stalled, plus a little network loss).
 */
export function assertAudio(sent: Uint8Array[], received: RecordedFrame[], label: string, maxLost = 3): { received: number; matched: number; lost: number } {
  assert.ok(received.length > 0, `${label}: nothing received`);
  const first = received[0]!;
  const idx0 = sent.findIndex((f) => eq(f, first.payload));
  assert.ok(idx0 >= 0, `${label}: the first received frame was never sent`);
  let matched = 0;
  for (const r of received) {
    const idx = idx0 + ((r.timestamp - first.timestamp) >>> 0) / 160;
    const s = sent[idx];
    assert.ok(s && eq(s, r.payload), `${label}: frame at +${idx - idx0} differs from what was sent`);
    matched++;
  }
  const span = Math.max(...received.map((r) => ((r.timestamp - first.timestamp) >>> 0) / 160)) + 1;
  assert.ok(span - received.length <= maxLost, `${label}: ${received.length} of ${span} frames arrived (at most ${maxLost} may be missing)`);
  assert.ok(received.length >= 10, `${label}: only ${received.length} frames arrived`);
  return { received: received.length, matched, lost: span - received.length };
}
