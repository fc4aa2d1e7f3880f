// Stream slots: the per-SSRC state of a session, found through the SSRC table in O(1). Slots are
// handed out from a free list (removed slots) or, failing that, from the never-used tail; both are
// indices, never pointers. A removed stream's slot is wiped.
import { wipe } from "../util/ct";
import {
  S_FREE_HEAD, S_MAX_STREAMS, S_NEXT_FRESH, S_SEED, S_STREAM_COUNT, S_STREAM_SIZE, S_STREAMS_OFF,
  S_TABLE_MASK, S_TABLE_OFF, T_FLAGS, T_NEXT_FREE, T_SSRC, TF_IN_USE,
} from "./layout";
import { tableFind, tableInsert, tableRemove } from "./stream_table";

@inline export function streamSlot(s: usize, idx: u32): usize {
  return s + <usize>load<u32>(s, S_STREAMS_OFF) + <usize>idx * <usize>load<u32>(s, S_STREAM_SIZE);
}

/** The stream slot of ssrc, or 0 when the session has none. */
export function streamFind(s: usize, ssrc: u32): usize {
  const idx = tableFind(s + <usize>load<u32>(s, S_TABLE_OFF), load<u32>(s, S_TABLE_MASK), load<u32>(s, S_SEED), ssrc);
  if (idx < 0 || <u32>idx >= load<u32>(s, S_MAX_STREAMS)) return 0;
  return streamSlot(s, <u32>idx);
}

/** Is there room for one more stream? */
@inline export function streamRoom(s: usize): bool {
  return load<u32>(s, S_STREAM_COUNT) < load<u32>(s, S_MAX_STREAMS);
}

/**
 * Creates a zeroed stream for ssrc (absent; the caller checked streamRoom). Returns its slot, or 0
 * when the free-slot bookkeeping is inconsistent (a corrupted context; never for a sound one).
 */
export function streamCreate(s: usize, ssrc: u32): usize {
  let idx: u32;
  const max = load<u32>(s, S_MAX_STREAMS);
  const free = load<u32>(s, S_FREE_HEAD);
  if (free != 0) {
    idx = free - 1;
    if (idx >= max) return 0;
    const next = load<u32>(streamSlot(s, idx), T_NEXT_FREE);
    store<u32>(s, next <= max ? next : 0, S_FREE_HEAD);
  } else {
    idx = load<u32>(s, S_NEXT_FRESH);
    if (idx >= max) return 0;
    store<u32>(s, idx + 1, S_NEXT_FRESH);
  }
  const t = streamSlot(s, idx);
  memory.fill(t, 0, <usize>load<u32>(s, S_STREAM_SIZE));
  store<u32>(t, ssrc, T_SSRC);
  store<u32>(t, TF_IN_USE, T_FLAGS);
  tableInsert(s + <usize>load<u32>(s, S_TABLE_OFF), load<u32>(s, S_TABLE_MASK), load<u32>(s, S_SEED), ssrc, idx);
  store<u32>(s, load<u32>(s, S_STREAM_COUNT) + 1, S_STREAM_COUNT);
  return t;
}

/** Removes the stream of ssrc and wipes its slot. Returns false when there was none. */
export function streamRemove(s: usize, ssrc: u32): bool {
  const idx = tableRemove(s + <usize>load<u32>(s, S_TABLE_OFF), load<u32>(s, S_TABLE_MASK), load<u32>(s, S_SEED), ssrc);
  if (idx < 0 || <u32>idx >= load<u32>(s, S_MAX_STREAMS)) return false;
  const t = streamSlot(s, <u32>idx);
  wipe(t, <usize>load<u32>(s, S_STREAM_SIZE));
  store<u32>(t, load<u32>(s, S_FREE_HEAD), T_NEXT_FREE);
  store<u32>(s, <u32>idx + 1, S_FREE_HEAD);
  store<u32>(s, load<u32>(s, S_STREAM_COUNT) - 1, S_STREAM_COUNT);
  return true;
}
