// The worker_threads media path (docs/performance.md "Scaling across cores").
export { MediaWorkerPool, MediaWorkerError, type MediaWorkerPoolParams, type MediaWorkerErrorCode } from "./pool.js";
export type { WorkerCallSpec, WorkerSrtpKey, WorkerStats, LoadSpec, LoadResult } from "./pool.js";
