import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { EncryptionKeys } from "../../lib/contracts";
import { cloudTags } from "../../lib/labels";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform, type Transforms } from "../../lib/transform";
import { ValidationError } from "../../lib/validation";
import { KEY_DESCRIPTIONS, KEY_PURPOSES, KEY_ROLES, type KeyPurpose } from "../keys";

export const AWS_KEYS_TYPE = "platform:foundation:AwsKeys";

export interface AwsKeysArgs {
  /**
   * Days a deleted key waits before it is destroyed (7–30).
   * @default 30 — the longest window, so an accidental delete can be cancelled
   */
  deletionWindowInDays?: number;
  /** Per-key arg adjustments, keyed by role (`cluster-secrets-key`, `database-key`, `backups-key`). */
  transforms?: Transforms<string>;
}

/** One customer-managed KMS key per purpose, yearly rotation on. */
export class AwsKeys extends pulumi.ComponentResource {
  readonly keys: Record<KeyPurpose, aws.kms.Key>;
  /** Key ARNs by purpose. */
  readonly encryptionKeys: EncryptionKeys;

  constructor(name: string, args: AwsKeysArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    const window = args.deletionWindowInDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw new ValidationError(`AwsKeys "${name}" args`, [`deletionWindowInDays: must be 7-30 days (got ${window})`]);
    }
    super(AWS_KEYS_TYPE, name, {}, opts);
    const o = { parent: this, ...providerFor(ctx, "aws") };
    const entries = KEY_PURPOSES.map((purpose) => {
      const role = KEY_ROLES[purpose];
      const key = new aws.kms.Key(`${name}-${role}`, applyTransform(args.transforms, role, {
        description: `${ctx.project} ${ctx.environment}: ${KEY_DESCRIPTIONS[purpose]}`,
        enableKeyRotation: true,
        deletionWindowInDays: window,
        tags: cloudTags(ctx, "keys"),
      }), o);
      new aws.kms.Alias(`${name}-${role}-alias`, { name: `alias/${ctx.project}-${ctx.environment}-${role}`, targetKeyId: key.keyId }, o);
      return [purpose, key] as const;
    });
    this.keys = Object.fromEntries(entries) as Record<KeyPurpose, aws.kms.Key>;
    this.encryptionKeys = {
      clusterSecrets: this.keys.clusterSecrets.arn,
      database: this.keys.database.arn,
      backups: this.keys.backups.arn,
    };
    this.registerOutputs({});
  }
}
