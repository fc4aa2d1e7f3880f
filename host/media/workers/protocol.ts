// Messages between a MediaWorkerPool (main thread) and its media workers. Keys cross the thread
// boundary once per call (at setup); packets never do: each worker owns its calls' sockets and its
// own core instance.
//
// Two kinds of work: synthetic calls ("add"/"remove"/"load": the capacity benchmark) and gateway
// media sessions ("session.*": the gateway's MediaSession running in the worker). A session's keys
// cross in its NegotiatedMedia (session.configure: first answer, early media, re-INVITE); what comes
// back is statistics (every STATS_PUSH_MS and in the close reply), DTMF digits, RTCP BYEs, key-limit
// warnings and, only when a packet tap is on, copies of the datagrams (the capture's cost).
import type { CoreVariant } from "../../core/load-core.js";
import type { SrtpProfileName } from "../../srtp/profiles.js";
import type { NegotiatedMedia } from "../../sdp/negotiator.js";
import type { DtmfDigit } from "../dtmf.js";
import type { MediaSessionOptions, MediaStats, MediaTapPacket } from "../session.js";
import type { PstnSpec, PstnState } from "../pstn-spec.js";

/** How often a worker pushes its sessions' statistics to the main thread (ms). */
export const STATS_PUSH_MS = 250;

/** One direction's SDES key material. */
export interface WorkerSrtpKey {
  masterKey: Uint8Array;
  masterSalt: Uint8Array;
  mki?: Uint8Array;
  lifetime?: number;
}

/** A call handed to a worker: its SRTP keys and, optionally, its UDP endpoints. */
export interface WorkerCallSpec {
  id: string;
  profile: SrtpProfileName;
  /** Key the gateway protects with (its own SDES offer/answer key). */
  tx: WorkerSrtpKey;
  /** Key the peer protects with (the gateway unprotects with it). */
  rx: WorkerSrtpKey;
  /** Local UDP port for this call's RTP (0 = any); absent: no socket (synthetic load only). */
  localPort?: number;
  /** Where this call's RTP goes. */
  remote?: { address: string; port: number };
}

export interface WorkerInit {
  variant?: CoreVariant;
  /** The board's core.arenaBytes cap (default: the whole arena). */
  arenaBytes?: number;
  /** SSRCs one SRTP session tracks in gateway sessions (CoreSrtpProvider maxStreams, default 8). */
  maxStreams?: number;
  /** Index of this worker in the pool (for names and logs). */
  index: number;
  /** Marks a media worker's workerData (the bundled host's entry starts the worker on it). */
  gwsdkMediaWorker?: true;
}

export interface LoadSpec {
  /** Synthetic calls to create in the worker for this run (keys generated in the worker). */
  calls: number;
  /** Measuring time in milliseconds. */
  ms: number;
  /** RTP payload bytes per packet (G.711 20 ms: 160). */
  payload: number;
  /** One SRTCP packet each way per call every this many ticks (RFC 3550 ~5 s at 50 packets/s: 250). */
  rtcpEvery: number;
}

export interface LoadResult {
  calls: number;
  ticks: number;
  /** Wall-clock milliseconds the worker spent in ticks. */
  wallMs: number;
  /** CPU milliseconds of the worker thread in that time. */
  cpuMs: number;
  packets: number;
  failures: number;
}

/** A gateway media session to open in a worker: the serializable part of MediaSessionOptions. */
export type SessionSpec = Pick<MediaSessionOptions, "bindAddress" | "rtpPort" | "rtcpPort" | "rtcpIntervalMs" | "rekeyGraceMs" | "replayWindow" | "cname" | "maxBurst"> & {
  /** The PSTN port the worker builds for this call (host/media/pstn-spec.ts). */
  pstn: PstnSpec;
  /** Post every datagram to the main thread (packet capture). */
  tap?: boolean;
};

/** What the worker pushes about one session. */
export type SessionEvent =
  | { kind: "dtmf"; digit: DtmfDigit }
  | { kind: "bye"; ssrc: number }
  | { kind: "keyLimit"; direction: "tx" | "rx"; hard: boolean; remaining: number; mki?: Uint8Array }
  | { kind: "tap"; packet: MediaTapPacket };

export interface SessionStats {
  id: string;
  stats: MediaStats;
  lastRxForm: string;
}

export type ToWorker =
  | { type: "add"; seq: number; call: WorkerCallSpec }
  | { type: "session.open"; seq: number; id: string; spec: SessionSpec }
  | { type: "session.configure"; seq: number; id: string; neg: NegotiatedMedia; deferTx: boolean }
  | { type: "session.activateTx"; seq: number; id: string }
  | { type: "session.dtmf"; seq: number; id: string; digit: string; durationMs: number }
  | { type: "session.close"; seq: number; id: string; reason: string }
  | { type: "remove"; seq: number; id: string }
  | { type: "stats"; seq: number }
  | { type: "load"; seq: number; spec: LoadSpec }
  | { type: "close"; seq: number };

export interface WorkerStats {
  /** Synthetic calls and gateway sessions placed on this worker. */
  calls: number;
  /** Gateway media sessions open (each holds its RTP and RTCP sockets). */
  sessions: number;
  sent: number;
  received: number;
  failures: number;
}

export type FromWorker =
  | { type: "ready" }
  | {
      type: "ok";
      seq: number;
      stats?: WorkerStats;
      load?: LoadResult;
      port?: number;
      /** session.open: the bound ports and our SSRC. */
      session?: { rtpPort: number; rtcpPort: number; ssrc: number };
      /** session.close: the last statistics and the PSTN port's final state. */
      final?: { stats: MediaStats; lastRxForm: string; pstn: PstnState };
    }
  | { type: "stats"; sessions: SessionStats[] }
  | { type: "event"; id: string; event: SessionEvent }
  | { type: "error"; seq: number; code: string; message: string };
