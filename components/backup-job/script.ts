import * as fs from "fs";
import * as path from "path";

/**
 * The backup/restore/verify script shipped to the job (ConfigMap on Kubernetes, uploaded file on Docker).
 * It is read from the source tree at build time so the exact file that `shellcheck` and the integration
 * tests check is the one that runs.
 */
export const BACKUP_SCRIPT_PATH = path.join(__dirname, "scripts", "backup.sh");

/** File name of the script inside the job (ConfigMap key and mount file). */
export const BACKUP_SCRIPT_NAME = "backup.sh";

let cached: string | undefined;

/** Contents of scripts/backup.sh. */
export function backupScript(): string {
  cached ??= fs.readFileSync(BACKUP_SCRIPT_PATH, "utf8");
  return cached;
}
