// The storage a board gives the certificate store: named blobs with atomic replacement. The `sim`
// board uses FileStorage (a directory standing for the device's flash partition); a board with a
// secure element or a raw flash partition provides its own implementation of this interface.

/**
 * Blob names are relative paths: segments of [A-Za-z0-9_-] and dots, separated by "/", none starting
 * with a dot (dot-files are the implementation's own, e.g. temporary files).
 */
export interface Storage {
  /** Where the store lives, for messages ("/var/gwsdk/store", "secure element slot 3"). */
  readonly location: string;
  /** The blob, or undefined when it does not exist. */
  read(name: string): Promise<Uint8Array | undefined>;
  /**
   * Replaces (or creates) a blob atomically: after a crash or power cut at any point the blob holds
   * either its old or its new content, never a mix. `secret` asks for owner-only access (0600).
   */
  write(name: string, data: Uint8Array, opts?: { secret?: boolean }): Promise<void>;
  /** Removes a blob (no error when absent). `overwrite` first overwrites its content in place. */
  remove(name: string, opts?: { overwrite?: boolean }): Promise<void>;
  /** Names of all blobs under `prefix` ("" = all), sorted. */
  list(prefix?: string): Promise<string[]>;
  /** Where blob `name` lives, for error messages (a file path for FileStorage). */
  describe(name: string): string;
}

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function isValidBlobName(name: string): boolean {
  if (name.length === 0 || name.length > 512) return false;
  return name.split("/").every((s) => SEGMENT.test(s) && s !== "." && s !== "..");
}
