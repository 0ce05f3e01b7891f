import * as pulumi from "@pulumi/pulumi";
import * as alicloud from "@pulumi/alicloud";
import type { EncryptionKeys } from "../../lib/contracts";
import { cloudTags } from "../../lib/labels";
import { providerFor, type PlatformContext } from "../../lib/platform";
import { applyTransform, type Transforms } from "../../lib/transform";
import { KEY_DESCRIPTIONS, KEY_PURPOSES, KEY_ROLES, type KeyPurpose } from "../keys";

export const ALICLOUD_KEYS_TYPE = "platform:foundation:AlicloudKeys";

/** Yearly rotation, in the `<seconds>s` form KMS expects. */
export const ALICLOUD_ROTATION_INTERVAL = "31536000s";

export interface AlicloudKeysArgs {
  /** Per-key arg adjustments, keyed by role (`cluster-secrets-key`, `database-key`, `backups-key`). */
  transforms?: Transforms<string>;
}

/** One customer master key per purpose with automatic yearly rotation and a 30-day deletion window. */
export class AlicloudKeys extends pulumi.ComponentResource {
  readonly keys: Record<KeyPurpose, alicloud.kms.Key>;
  /** Key ids by purpose. */
  readonly encryptionKeys: EncryptionKeys;

  constructor(name: string, args: AlicloudKeysArgs, ctx: PlatformContext, opts: pulumi.ComponentResourceOptions = {}) {
    super(ALICLOUD_KEYS_TYPE, name, {}, opts);
    const o = { parent: this, ...providerFor(ctx, "alicloud") };
    this.keys = Object.fromEntries(KEY_PURPOSES.map((purpose) => {
      const role = KEY_ROLES[purpose];
      return [purpose, new alicloud.kms.Key(`${name}-${role}`, applyTransform(args.transforms, role, {
        description: `${ctx.project} ${ctx.environment}: ${KEY_DESCRIPTIONS[purpose]}`,
        keySpec: "Aliyun_AES_256",
        keyUsage: "ENCRYPT/DECRYPT",
        automaticRotation: "Enabled",
        rotationInterval: ALICLOUD_ROTATION_INTERVAL,
        pendingWindowInDays: 30,
        tags: cloudTags(ctx, "keys"),
      }), o)];
    })) as Record<KeyPurpose, alicloud.kms.Key>;
    this.encryptionKeys = {
      clusterSecrets: this.keys.clusterSecrets.id,
      database: this.keys.database.id,
      backups: this.keys.backups.id,
    };
    this.registerOutputs({});
  }
}
