// File-backed Storage for the sim board: one file per blob under a directory.
// Crash safety (docs/certificates.md "Crash safety"): every write goes to a temporary file in the
// same directory, which is fsynced, renamed over the target, and then the directory is fsynced, so
// the rename itself is durable. A crash leaves at most a stray ".*.tmp" file, removed on open.
import { constants, promises as fs } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join, relative, sep } from "node:path";
import { CertError } from "./errors.js";
import { isValidBlobName, type Storage } from "./storage.js";

const TMP_MARK = ".tmp-";

function ioError(what: string, path: string, e: unknown): CertError {
  const err = e as NodeJS.ErrnoException;
  return new CertError("ERR_CERT_STORE_IO", `${what} ${path}: ${err.code ?? ""} ${err.message}`.trim(), { file: path, cause: e });
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, constants.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Thrown by a test's fault hook; passed through untouched (no clean-up, as in a real crash). */
export class SimulatedCrash extends Error {
  constructor(readonly point: FaultPoint, readonly blob: string) {
    super(`simulated crash at ${point} of ${blob}`);
    this.name = "SimulatedCrash";
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Points inside write/remove where a test can simulate a crash (see FileStorageOptions.faults). */
export type FaultPoint = "write:tmp-written" | "write:tmp-synced" | "write:renamed" | "remove:overwritten" | "remove:unlinked";

export interface FileStorageOptions {
  create?: boolean;
  /**
   * Test seam: called at each step of a write/remove. Throwing from it stops the operation right
   * there, leaving the files as a crash at that point would (crash.test.ts).
   */
  faults?: (point: FaultPoint, name: string) => void;
}

export class FileStorage implements Storage {
  readonly location: string;
  private readonly fault: (point: FaultPoint, name: string) => void;

  private constructor(readonly root: string, faults?: FileStorageOptions["faults"]) {
    this.location = root;
    this.fault = faults ?? (() => undefined);
  }

  /** Opens (creating with mode 0700 when asked) the directory and removes stray temporary files. */
  static async open(root: string, opts: FileStorageOptions = {}): Promise<FileStorage> {
    try {
      if (opts.create) await fs.mkdir(root, { recursive: true, mode: 0o700 });
      const st = await fs.stat(root);
      if (!st.isDirectory()) throw new CertError("ERR_CERT_STORE_IO", `${root} is not a directory`, { file: root });
    } catch (e) {
      if (e instanceof CertError) throw e;
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new CertError("ERR_CERT_NOT_FOUND", `no certificate store at ${root} (run \`gwsdk cert init\` first)`, { file: root, cause: e });
      throw ioError("cannot open store", root, e);
    }
    const s = new FileStorage(root, opts.faults);
    await s.removeStrayTemporaries(root);
    return s;
  }

  describe(name: string): string {
    return join(this.root, ...name.split("/"));
  }

  private path(name: string): string {
    if (!isValidBlobName(name)) throw new CertError("ERR_CERT_ARG", `invalid blob name "${name}"`);
    return this.describe(name);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const p = this.path(name);
    try {
      return new Uint8Array(await fs.readFile(p));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw ioError("cannot read", p, e);
    }
  }

  async write(name: string, data: Uint8Array, opts: { secret?: boolean } = {}): Promise<void> {
    const p = this.path(name);
    const dir = dirname(p);
    const mode = opts.secret ? 0o600 : 0o644;
    const tmp = join(dir, `.${p.slice(dir.length + 1)}${TMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`);
    try {
      await this.mkdirs(dir);
      const h = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
      try {
        await h.chmod(mode); // the umask may have narrowed or (for 0600) must not widen it
        await h.writeFile(data);
        this.fault("write:tmp-written", name);
        await h.sync();
      } finally {
        await h.close();
      }
      this.fault("write:tmp-synced", name);
      await fs.rename(tmp, p);
      this.fault("write:renamed", name);
      await fsyncDir(dir);
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw ioError("cannot write", p, e);
    }
  }

  async remove(name: string, opts: { overwrite?: boolean } = {}): Promise<void> {
    const p = this.path(name);
    try {
      if (opts.overwrite) {
        const h = await fs.open(p, constants.O_WRONLY).catch((e: NodeJS.ErrnoException) => {
          if (e.code === "ENOENT") return undefined;
          throw e;
        });
        if (h) {
          try {
            const { size } = await h.stat();
            // Overwrite in place (random, then zeros), then unlink. On flash with wear levelling or a
            // copy-on-write file system this is best effort; the real erasure is the device-key
            // rotation done by reset (crypto-erase).
            await h.write(randomBytes(size), 0, size, 0);
            await h.sync();
            await h.write(Buffer.alloc(size), 0, size, 0);
            await h.sync();
          } finally {
            await h.close();
          }
          this.fault("remove:overwritten", name);
        }
      }
      await fs.rm(p, { force: true });
      this.fault("remove:unlinked", name);
      await fsyncDir(dirname(p));
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
      throw ioError("cannot remove", p, e);
    }
  }

  async list(prefix = ""): Promise<string[]> {
    const out: string[] = [];
    const walk = async (d: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(d, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        throw ioError("cannot list", d, e);
      }
      for (const ent of entries) {
        if (ent.name.startsWith(".")) continue;
        const p = join(d, ent.name);
        if (ent.isDirectory()) await walk(p);
        else if (ent.isFile()) out.push(relative(this.root, p).split(sep).join("/"));
      }
    };
    await walk(this.root);
    return out.filter((n) => n.startsWith(prefix)).sort();
  }

  private async mkdirs(dir: string): Promise<void> {
    try {
      await fs.access(dir);
      return;
    } catch {
      /* create below */
    }
    await this.mkdirs(dirname(dir));
    await fs.mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
    await fsyncDir(dirname(dir)); // make the new directory entry durable too
  }

  private async removeStrayTemporaries(d: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const ent of entries) {
      const p = join(d, ent.name);
      if (ent.isDirectory() && !ent.name.startsWith(".")) await this.removeStrayTemporaries(p);
      else if (ent.isFile() && ent.name.startsWith(".") && ent.name.includes(TMP_MARK)) {
        // Another live process may be mid-write (its pid is in the name): leave its file alone.
        const pid = Number(/\.tmp-(\d+)-/.exec(ent.name)?.[1]);
        if (pid && pid !== process.pid && processAlive(pid)) continue;
        // A leftover from an interrupted write. It may hold sealed key material: overwrite it too.
        await this.overwriteAndUnlink(p).catch(() => undefined);
      }
    }
  }

  private async overwriteAndUnlink(p: string): Promise<void> {
    const h = await fs.open(p, constants.O_WRONLY);
    try {
      const { size } = await h.stat();
      await h.write(Buffer.alloc(size), 0, size, 0);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.rm(p, { force: true });
  }
}
