import * as pulumi from "@pulumi/pulumi";
import { ValidationError } from "../components/lib/validation";

// `isConfigSecret` is exported at runtime but marked internal in the SDK's typings. It is the only way to
// tell, synchronously, whether a config value was set with --secret.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/**
 * Secret stack config. Values are only ever read as Pulumi secrets; presence and secretness are checked
 * synchronously so a missing secret fails before any resource is registered.
 */
export class SecretConfig {
  constructor(private readonly namespace: string) {}

  private fullKey(key: string): string {
    return `${this.namespace}:${key}`;
  }

  /** True when the key is set at all (secret or not). */
  has(key: string): boolean {
    return pulumi.runtime.allConfig()[this.fullKey(key)] !== undefined;
  }

  /**
   * Problems with a required secret, or undefined when it is present and encrypted.
   * @param usedBy key path of the setting that needs it (for the message)
   */
  problem(key: string, usedBy: string): string | undefined {
    const full = this.fullKey(key);
    if (!this.has(key)) {
      return `${usedBy}: missing required secret ${full} (set it with: pulumi config set --secret ${full} <value>)`;
    }
    if (!isConfigSecret(full)) {
      return `${usedBy}: ${full} is stored in plaintext; it must be a secret (re-set it with: pulumi config set --secret ${full} <value>)`;
    }
    return undefined;
  }

  /** Throws a ValidationError listing every missing or plaintext secret. */
  assertAll(required: ReadonlyArray<{ key: string; usedBy: string }>): void {
    const problems = required
      .map(({ key, usedBy }) => this.problem(key, usedBy))
      .filter((p): p is string => p !== undefined);
    if (problems.length > 0) throw new ValidationError("stack config", problems);
  }

  /** The secret value as a Pulumi secret output. Call after `assertAll`. */
  get(key: string): pulumi.Output<string> {
    return new pulumi.Config(this.namespace).requireSecret(key);
  }
}
