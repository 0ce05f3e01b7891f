import type { PlatformContext } from "../../components/lib/platform";
import type { Profile } from "../profiles";
import type { RootConfig } from "../config";
import type { SecretConfig } from "../secrets";

/**
 * Contract every config section (services, databases, backups, alerting, foundation) follows:
 *
 *   schema   zod schema of the raw section (accepts undefined and applies defaults)
 *   plan     pure: parsed section + context -> validated component args; throws ValidationError with the
 *            key path (`platform:services[1].image`); registers nothing
 *   build    registers the components from a plan, given outputs of sections built before it
 *
 * `stacks/platform.ts` plans every section first and only then builds, so any invalid setting anywhere
 * fails before the first resource is registered.
 */
export interface SectionContext {
  root: RootConfig;
  platform: PlatformContext;
  profile: Profile;
  secrets: SecretConfig;
}

/** A secret config key a section needs, and the setting that needs it (for the error message). */
export interface RequiredSecret {
  key: string;
  usedBy: string;
}
