// System-package suites (openssl, libsrtp2-dev, chromium, wabt). Where a package is missing the
// suite reports itself skipped with the install command; with GWSDK_REQUIRE_SYSTEM_SUITES=1 (set by
// .ci/run) a missing package is a failure instead, so CI always runs them.
import { spawnSync } from "node:child_process";

export const REQUIRE_SYSTEM = process.env.GWSDK_REQUIRE_SYSTEM_SUITES === "1";

export interface SystemCheck {
  /** undefined when available; otherwise the skip message (with the install command). */
  skip: string | undefined;
}

/**
 * Checks that a command runs (exit 0 for `probeArgs`). Returns { skip } for node:test's `skip`
 * option; throws when GWSDK_REQUIRE_SYSTEM_SUITES=1 and the command is missing.
 */
export function requireCommand(cmd: string, probeArgs: string[], aptPackage: string): SystemCheck {
  const r = spawnSync(cmd, probeArgs, { stdio: "ignore" });
  if (r.status === 0) return { skip: undefined };
  return missing(`${cmd} is not installed: apt-get install -y ${aptPackage}`);
}

/** Checks that pkg-config knows a library (for C harnesses). */
export function requirePkgConfig(lib: string, aptPackage: string): SystemCheck {
  const cc = spawnSync("cc", ["--version"], { stdio: "ignore" });
  if (cc.status !== 0) return missing(`no C compiler: apt-get install -y build-essential pkg-config ${aptPackage}`);
  const r = spawnSync("pkg-config", ["--exists", lib], { stdio: "ignore" });
  if (r.status === 0) return { skip: undefined };
  return missing(`${lib} is not installed: apt-get install -y build-essential pkg-config ${aptPackage}`);
}

function missing(message: string): SystemCheck {
  if (REQUIRE_SYSTEM) throw new Error(`GWSDK_REQUIRE_SYSTEM_SUITES=1 but ${message}`);
  return { skip: message };
}
