import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as alicloud from "@pulumi/alicloud";
import type { NativeBackupInfo } from "../lib/contracts";
import { parseCron } from "../lib/cron";
import { cloudTags } from "../lib/labels";
import { type PlatformContext, providerFor } from "../lib/platform";
import { applyTransform, type Transforms } from "../lib/transform";

/** Point-in-time recovery replays the WAL/log archive, which providers ship about every 5 minutes. */
export const PITR_RPO_MINUTES = 5;

/**
 * The best recovery point the mechanisms guarantee: the worst gap between dumps, native snapshots (when kept)
 * and PITR (≈ 5 min). Pure, so the section and the component refuse impossible RPOs before registering.
 */
export function achievableRpo(
  dumpMaxPeriodMinutes: number,
  native?: NativeBackupInfo,
): { minutes: number; explanation: string } {
  const options: Array<{ minutes: number; what: string }> = [{ minutes: dumpMaxPeriodMinutes, what: `dump every ${dumpMaxPeriodMinutes} min` }];
  if (native && native.target !== "docker" && native.retentionDays > 0) {
    if (native.pointInTimeRecovery) options.push({ minutes: PITR_RPO_MINUTES, what: "point-in-time recovery" });
    if (native.snapshotIntervalMinutes) {
      options.push({ minutes: native.snapshotIntervalMinutes, what: `native snapshot every ${native.snapshotIntervalMinutes} min` });
    }
  }
  const best = options.reduce((a, b) => (b.minutes < a.minutes ? b : a));
  const considered = options.map((o) => o.what).join(", ");
  return { minutes: best.minutes, explanation: `best of: ${considered}${native ? "" : "; no native backups known"}` };
}

/** AWS Backup rule schedule: `cron(min hour dom month dow year)` with `?` in one day field. */
export function awsBackupSchedule(expression: string): string {
  const s = parseCron(expression);
  const [minute, hour, dom, month, dow] = s.expression.split(/\s+/);
  if (s.dowRestricted && s.domRestricted) {
    throw new Error(`AWS Backup cannot express "${expression}": it restricts both day-of-month and day-of-week`);
  }
  // AWS numbers weekdays 1-7 from Sunday; shift numeric cron weekdays (0-7, Sunday 0 or 7) accordingly.
  const awsDow = s.dowRestricted ? dow.replace(/\d+/g, (d) => String((Number(d) % 7) + 1)) : "?";
  return `cron(${minute} ${hour} ${s.dowRestricted ? "?" : dom} ${month} ${awsDow} *)`;
}

/** Why AWS Backup cannot run `expression`, or undefined. */
export function awsBackupScheduleProblem(expression: string, minPeriodMinutes: number): string | undefined {
  const s = parseCron(expression);
  if (s.dowRestricted && s.domRestricted) return "AWS Backup cannot restrict both day-of-month and day-of-week";
  if (minPeriodMinutes < 60) return `AWS Backup runs at most hourly (the schedule runs every ${minPeriodMinutes} min)`;
  return undefined;
}

export interface NativePlanInputs {
  name: string;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  resourceArn: pulumi.Input<string>;
  schedule: string;
  timeZone: string;
  retentionDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  copyToVaultArn?: pulumi.Input<string>;
  copyRegionProvider?: aws.Provider;
  protect: boolean;
  transforms?: Transforms<string>;
}

export interface NativePlanResources {
  vault: aws.backup.Vault;
  copyVault?: aws.backup.Vault;
  role: aws.iam.Role;
  plan: aws.backup.Plan;
  selection: aws.backup.Selection;
}

/** Continuous (PITR) AWS Backup recovery points are limited to 35 days. */
const CONTINUOUS_MAX_DAYS = 35;

/**
 * AWS Backup vault (KMS-encrypted), plan with a daily rule plus continuous backup, an optional cross-region
 * copy, and a selection of the data store by ARN. A second, independent copy protects against an account-
 * or region-level loss that the RDS automated backups share with the instance.
 */
export function registerAwsBackupPlan(i: NativePlanInputs): NativePlanResources {
  const opts = { parent: i.parent, ...providerFor(i.ctx, "aws") };
  const tags = cloudTags(i.ctx, "backup-job");
  const vault = new aws.backup.Vault(
    `${i.name}-vault`,
    applyTransform(i.transforms, "vault", { kmsKeyArn: i.kmsKeyArn, forceDestroy: false, tags }),
    { ...opts, protect: i.protect },
  );
  let copyVault: aws.backup.Vault | undefined;
  let copyTarget = i.copyToVaultArn;
  if (i.copyRegionProvider) {
    copyVault = new aws.backup.Vault(`${i.name}-copy-vault`, applyTransform(i.transforms, "copyVault", { forceDestroy: false, tags }), {
      parent: i.parent, provider: i.copyRegionProvider, protect: i.protect,
    });
    copyTarget = copyVault.arn;
  }
  const role = new aws.iam.Role(`${i.name}-backup-role`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
    tags,
  }, opts);
  for (const [role_, policy] of [
    ["backup", "AWSBackupServiceRolePolicyForBackup"],
    ["restore", "AWSBackupServiceRolePolicyForRestores"],
  ]) {
    new aws.iam.RolePolicyAttachment(`${i.name}-backup-role-${role_}`, {
      role: role.name,
      policyArn: `arn:aws:iam::aws:policy/service-role/${policy}`,
    }, opts);
  }
  const lifecycle = { deleteAfter: i.retentionDays };
  const plan = new aws.backup.Plan(
    `${i.name}-plan`,
    applyTransform(i.transforms, "plan", {
      rules: [
        {
          ruleName: "daily",
          targetVaultName: vault.name,
          schedule: awsBackupSchedule(i.schedule),
          scheduleExpressionTimezone: i.timeZone,
          startWindow: 60,
          completionWindow: 360,
          enableContinuousBackup: i.retentionDays <= CONTINUOUS_MAX_DAYS,
          lifecycle,
          copyActions: copyTarget ? [{ destinationVaultArn: copyTarget, lifecycle }] : [],
          recoveryPointTags: tags,
        },
      ],
      tags,
    } satisfies aws.backup.PlanArgs),
    opts,
  );
  const selection = new aws.backup.Selection(
    `${i.name}-selection`,
    applyTransform(i.transforms, "selection", {
      iamRoleArn: role.arn,
      planId: plan.id,
      resources: [i.resourceArn],
    } satisfies aws.backup.SelectionArgs),
    opts,
  );
  return { vault, copyVault, role, plan, selection };
}

/** Region ids: AWS `eu-west-1`, `us-gov-west-1`; Alibaba Cloud `cn-shanghai`, `ap-southeast-1`, `cn-shanghai-finance-1`. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export const ALICLOUD_REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/** `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`: the only shape an AWS Backup copy action accepts. */
const AWS_BACKUP_VAULT_ARN = /^arn:aws(?:-cn|-us-gov)?:backup:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}$/;

/** The region of an AWS Backup vault ARN, or undefined when `arn` is not one. */
export function backupVaultArnRegion(arn: string): string | undefined {
  return AWS_BACKUP_VAULT_ARN.exec(arn)?.[1];
}

/** ApsaraDB RDS keeps cross-region backups 7 to 1825 days. */
export const CROSS_REGION_RETENTION = { min: 7, max: 1825 } as const;

export interface CrossRegionBackupInputs {
  name: string;
  ctx: PlatformContext;
  parent: pulumi.Resource;
  instanceId: pulumi.Input<string>;
  region: string;
  retentionDays: number;
  /** Copy the log (WAL) backups too, so the second region can restore to a point in time. */
  logBackups: boolean;
  transforms?: Transforms<string>;
}

/**
 * Alibaba Cloud ApsaraDB RDS cross-region backup: the instance's backups (and log backups with PITR) are copied to a
 * second region, the Alibaba Cloud counterpart of the AWS Backup copy action. RDS keeps them at least 7 days.
 */
export function registerAlicloudCrossRegionBackup(i: CrossRegionBackupInputs): alicloud.rds.RdsInstanceCrossBackupPolicy {
  return new alicloud.rds.RdsInstanceCrossBackupPolicy(
    `${i.name}-cross-region-backup`,
    applyTransform(i.transforms, "crossRegionBackup", {
      instanceId: i.instanceId,
      crossBackupRegion: i.region,
      retention: Math.max(CROSS_REGION_RETENTION.min, i.retentionDays),
      logBackupEnabled: i.logBackups ? "Enable" : "Disabled",
    } satisfies alicloud.rds.RdsInstanceCrossBackupPolicyArgs),
    { parent: i.parent, ...providerFor(i.ctx, "alicloud") },
  );
}
