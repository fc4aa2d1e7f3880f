// Static scratch for key-schedule steps that have no context of their own (Finished, exporters,
// TLS 1.2 derivations). It lies below the arena (the host cannot name it), every user wipes what it
// wrote before returning, and no export calls out of the core, so one area serves every call.
import { HASH_CTX_SIZE } from "./crypto";

/** A hash context, then room for four 48-byte secrets, then a seed buffer for the TLS 1.2 PRF. */
export const W_HASH: usize = 0;
export const W_S0: usize = (HASH_CTX_SIZE + 15) & ~(<usize>15);
export const W_S1: usize = W_S0 + 48;
export const W_S2: usize = W_S1 + 48;
export const W_S3: usize = W_S2 + 48;
export const W_SEED: usize = W_S3 + 48;
/** Room for a TLS 1.2 PRF seed: two randoms, a 2-byte length and an exporter context of up to 1024 bytes. */
export const W_SEED_SIZE: usize = 1120;
export const WORK_SIZE: usize = W_SEED + W_SEED_SIZE;
export const WORK: usize = memory.data(<i32>WORK_SIZE, 16);
