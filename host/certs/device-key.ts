// The device key: 32 secret bytes the board supplies, under which the store seals private keys
// (AES-256-GCM) and authenticates every other file (HMAC-SHA256). A board may take it from a secure
// element, derive it from a hardware unique key, or (sim board) keep it in a 0600 file outside the
// store directory. rotate() is called by `gwsdk cert reset`: the old key is gone, so whatever the
// flash still holds of old sealed files can no longer be opened (crypto-erase).
import { constants, promises as fs } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { CertError } from "./errors.js";

export const DEVICE_KEY_BYTES = 32;

export interface DeviceKey {
  /** Where the key lives, for messages. */
  readonly location: string;
  /** A copy of the key; the caller wipes it (fill(0)) after use. */
  load(): Promise<Uint8Array>;
  /** True when the key exists. */
  exists(): Promise<boolean>;
  /** Creates the key if absent (a new store). */
  create(): Promise<void>;
  /** Replaces the key with a fresh one, overwriting the old one where the medium allows. Optional. */
  rotate?(): Promise<void>;
}

/** Default sim-board device key path for a store directory: beside it, not inside it. */
export function defaultDeviceKeyPath(storeDir: string): string {
  return join(dirname(storeDir), "device.key");
}

export class FileDeviceKey implements DeviceKey {
  constructor(readonly path: string) {}

  get location(): string {
    return this.path;
  }

  async exists(): Promise<boolean> {
    try {
      await fs.access(this.path);
      return true;
    } catch {
      return false;
    }
  }

  async load(): Promise<Uint8Array> {
    let st;
    try {
      st = await fs.stat(this.path);
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key ${this.path} is missing: the store's sealed files cannot be opened without it`, { file: this.path, cause: e });
    }
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key ${this.path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, { file: this.path });
    }
    const b = new Uint8Array(await fs.readFile(this.path));
    if (b.length !== DEVICE_KEY_BYTES) {
      b.fill(0);
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key ${this.path} is not ${DEVICE_KEY_BYTES} bytes`, { file: this.path });
    }
    return b;
  }

  async create(): Promise<void> {
    if (await this.exists()) return;
    await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const key = randomBytes(DEVICE_KEY_BYTES);
    const tmp = `${this.path}.tmp-${process.pid}`;
    try {
      const h = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await h.chmod(0o600);
        await h.writeFile(key);
        await h.sync();
      } finally {
        await h.close();
      }
      // link() rather than rename(): never replace a key another process created meanwhile
      await fs.link(tmp, this.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "EEXIST") throw e;
      });
      await syncDir(dirname(this.path));
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `cannot create device key ${this.path}: ${(e as Error).message}`, { file: this.path, cause: e });
    } finally {
      key.fill(0);
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  async rotate(): Promise<void> {
    const key = randomBytes(DEVICE_KEY_BYTES);
    try {
      // In place, so the old key's blocks are overwritten (a rename would leave them on the medium).
      const h = await fs.open(this.path, constants.O_WRONLY | constants.O_CREAT, 0o600);
      try {
        await h.chmod(0o600);
        await h.write(key, 0, key.length, 0);
        await h.truncate(key.length);
        await h.sync();
      } finally {
        await h.close();
      }
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `cannot rotate device key ${this.path}: ${(e as Error).message}`, { file: this.path, cause: e });
    } finally {
      key.fill(0);
    }
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, constants.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** A device key held in memory (tests, or boards that fetch it from elsewhere). */
export class MemoryDeviceKey implements DeviceKey {
  readonly location = "memory";
  private key: Uint8Array | undefined;
  constructor(key?: Uint8Array) {
    if (key) this.key = Uint8Array.from(key);
  }
  async exists(): Promise<boolean> {
    return this.key !== undefined;
  }
  async load(): Promise<Uint8Array> {
    if (!this.key) throw new CertError("ERR_CERT_DEVICE_KEY", "no device key");
    return Uint8Array.from(this.key);
  }
  async create(): Promise<void> {
    this.key ??= new Uint8Array(randomBytes(DEVICE_KEY_BYTES));
  }
  async rotate(): Promise<void> {
    this.key?.fill(0);
    this.key = new Uint8Array(randomBytes(DEVICE_KEY_BYTES));
  }
}
