import * as fs from "fs";
import * as path from "path";

/**
 * The scripts shipped to the jobs (ConfigMap on Kubernetes, uploaded file on Docker). They are read from the source
 * tree at build time so the exact files that `shellcheck` and the integration tests check are the ones that run.
 */
const SCRIPTS_DIR = path.join(__dirname, "scripts");

/** Dump/restore/verify of every engine (backup.sh). */
export const BACKUP_SCRIPT_PATH = path.join(SCRIPTS_DIR, "backup.sh");

/** File name of the script inside the job (ConfigMap key and mount file). */
export const BACKUP_SCRIPT_NAME = "backup.sh";

/** Native snapshots of a managed Redis: ElastiCache (aws cli), ApsaraDB for Redis (Python OpenAPI client + RDB check). */
export const SNAPSHOT_SCRIPTS = {
  aws: ["redis-snapshot-aws.sh"],
  alicloud: ["redis-snapshot-alicloud.py", "redis-check-rdbs.sh"],
} as const;

const cache = new Map<string, string>();

/** Contents of scripts/<file>. */
export function shippedScript(file: string): string {
  let text = cache.get(file);
  if (text === undefined) {
    text = fs.readFileSync(path.join(SCRIPTS_DIR, file), "utf8");
    cache.set(file, text);
  }
  return text;
}

/** Contents of scripts/backup.sh. */
export function backupScript(): string {
  return shippedScript(BACKUP_SCRIPT_NAME);
}
