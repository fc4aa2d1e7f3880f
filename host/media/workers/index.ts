// The worker_threads media path (docs/performance.md "Scaling across cores").
export { MediaWorkerPool, MediaWorkerError, type MediaWorkerPoolParams, type MediaWorkerErrorCode } from "./pool.js";
export type { WorkerCallSpec, WorkerSrtpKey, WorkerStats, LoadSpec, LoadResult } from "./pool.js";
export { RemoteMediaSession, type RemoteSessionHooks } from "./remote-session.js";
export type { SessionSpec, SessionEvent } from "./protocol.js";
export { describePstn, pstnFromSpec, type PstnSpec, type PstnState } from "../pstn-spec.js";
