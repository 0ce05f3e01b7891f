import * as alerting from "./sections/alerting";
import * as backups from "./sections/backups";
import * as databases from "./sections/databases";
import * as foundation from "./sections/foundation";
import * as services from "./sections/services";
import { assertKnownKeys, CONFIG_NAMESPACE, parseRoot, readRawConfig, type RootConfig } from "./config";
import { planningContext } from "./context";
import { profileFor } from "./profiles";
import { SecretConfig } from "./secrets";
import type { SectionContext } from "./sections/types";

/** Every top-level key a stack may set (besides secrets referenced by other settings). */
export const KNOWN_KEYS = [
  "environment",
  "target",
  "cloud",
  "namespace",
  "project",
  "tags",
  "runbookBaseUrl",
  "charts",
  services.SECTION_KEY,
  databases.SECTION_KEY,
  backups.KEY,
  alerting.SECTION_KEY,
  ...foundation.SECTION_KEYS,
] as const;

/** The validated, defaulted plan of a whole stack. Building it is the only step that registers resources. */
export interface PlatformPlan {
  root: RootConfig;
  sctx: SectionContext;
  foundation: foundation.FoundationPlan;
  databases: databases.DatabasesPlan;
  services: services.ServicesPlan;
  backups: backups.BackupsPlan;
  alerting: alerting.AlertingPlan;
}

/**
 * Reads the stack config, parses every section, checks that each referenced secret exists and is encrypted,
 * and plans every section. Throws one ValidationError per failing step, naming key paths, values and what is
 * allowed. Registers nothing: run it to completion before building anything.
 */
export function planPlatform(): PlatformPlan {
  const raw = readRawConfig(CONFIG_NAMESPACE);
  const root = parseRoot(raw);

  const parsed = {
    services: services.parseServices(raw[services.SECTION_KEY]),
    databases: databases.parseDatabases(raw[databases.SECTION_KEY]),
    backups: backups.parse(raw[backups.KEY]),
    alerting: alerting.parseAlerting(raw[alerting.SECTION_KEY]),
    foundation: foundation.parseFoundation(raw),
  };

  const required = [
    ...services.servicesRequiredSecrets(parsed.services),
    ...alerting.alertingRequiredSecrets(parsed.alerting),
    ...foundation.foundationRequiredSecrets(parsed.foundation, root),
  ];
  assertKnownKeys(raw, KNOWN_KEYS, new Set(required.map((r) => r.key)));

  const secrets = new SecretConfig(CONFIG_NAMESPACE);
  secrets.assertAll(required);

  const sctx: SectionContext = { root, platform: planningContext(root), profile: profileFor(root.environment), secrets };
  const databasesPlan = databases.planDatabases(parsed.databases, sctx);
  const engines = Object.fromEntries(databasesPlan.map((d) => [d.name, d.engine]));
  return {
    root,
    sctx,
    foundation: foundation.planFoundation(parsed.foundation, sctx),
    databases: databasesPlan,
    services: services.planServices(parsed.services, sctx, databases.databaseNames(databasesPlan)),
    backups: backups.planBackups(parsed.backups, sctx, engines),
    alerting: alerting.planAlerting(parsed.alerting, sctx),
  };
}
