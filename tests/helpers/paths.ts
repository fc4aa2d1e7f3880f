// Paths of the repository, from compiled test code (dist/tests/helpers/ → repo root).
import { fileURLToPath } from "node:url";
import { join } from "node:path";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const VECTORS_DIR = join(REPO_ROOT, "tests", "vectors");
export const BUILD_DIR = join(REPO_ROOT, "build");
export const TMP_DIR = join(REPO_ROOT, "tests", ".tmp");
