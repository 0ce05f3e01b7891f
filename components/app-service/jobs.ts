import { createHash } from "crypto";
import { z } from "zod";
import { cronProblem } from "../lib/cron";
import { dnsLabel, pinnedImage } from "../lib/validation";

/**
 * A service's one-off Jobs (database migrations) and non-backup CronJobs (reports, cleanups). They run the
 * service's image (or their own pinned image) with the service's environment, secrets, service account, security
 * context and resources, under their own deny-by-default NetworkPolicy with the service's egress and no ingress.
 * Kubernetes target only.
 */

export type JobWhen = "beforeRollout" | "withRollout";
export const JOB_WHENS: readonly JobWhen[] = ["beforeRollout", "withRollout"];

export const MAX_JOBS = 10;
/** Kubernetes caps CronJob names at 52 characters (it appends 11 to name the Jobs). */
export const CRON_JOB_NAME_MAX = 52;
export const JOB_NAME_MAX = 63;
export const JOB_DEFAULTS = { backoffLimit: 1, activeDeadlineSeconds: 1800, ttlSecondsAfterFinished: 86400, when: "beforeRollout" as JobWhen };

const int = (min: number, max: number, what: string) =>
  z.number().int({ message: `must be an integer ${what}` }).min(min, { message: `must be an integer ${what}` }).max(max, { message: `must be an integer ${what}` });

export const jobsSchema = z
  .array(
    z.strictObject({
      name: dnsLabel.max(20, { message: "must be at most 20 characters (it is part of the Job's object name)" }).describe("Job name, unique within the service; the object is `<service>-<name>`. Example: `migrate`"),
      image: pinnedImage.optional().describe("Image pinned by tag or digest. Default: the service's image. Example: `registry.example.com/api:1.4.2`"),
      command: z.array(z.string()).min(1).optional().describe("Entrypoint. Default: the image's. Example: `[python, manage.py, migrate]`"),
      args: z.array(z.string()).optional().describe("Arguments to the entrypoint. Example: `[--noinput]`"),
      schedule: z
        .string()
        .superRefine((v, ctx) => {
          const problem = cronProblem(v);
          if (problem) ctx.addIssue({ code: "custom", message: `must be a 5-field cron expression: ${problem}` });
        })
        .optional()
        .describe("Cron schedule (UTC); makes this a CronJob instead of a one-off Job. Default: none (one-off). Example: `30 3 * * *`"),
      when: z
        .enum(JOB_WHENS as [JobWhen, ...JobWhen[]], { message: `must be one of ${JOB_WHENS.join(", ")}` })
        .optional()
        .describe("One-off jobs: `beforeRollout` (the Deployment is updated only after the Job succeeded; a failing migration stops the rollout) or `withRollout` (in parallel). A new image, command or args runs the Job again. Default: `beforeRollout`."),
      backoffLimit: int(0, 10, "from 0 to 10").optional().describe("Retries before the Job counts as failed. Default: 1."),
      activeDeadlineSeconds: int(30, 86400, "from 30 to 86400").optional().describe("Longest a run may take before it is stopped. Default: 1800."),
      ttlSecondsAfterFinished: int(0, 604800, "from 0 to 604800").optional().describe("Seconds a finished Job (and its pods and logs) is kept before Kubernetes deletes it. Default: 86400."),
    }),
  )
  .max(MAX_JOBS, { message: `must list at most ${MAX_JOBS} jobs` })
  .describe(
    "One-off Jobs (migrations) and CronJobs (with `schedule`) of the service, Kubernetes target only: the service's image unless set, its env, secrets, service account, security context and resources, their own NetworkPolicy (the service's egress, no ingress), bounded runtime and retries, removed after ttlSecondsAfterFinished. Default: none. Example: `[{name: migrate, command: [alembic, upgrade, head]}, {name: report, schedule: \"0 6 * * 1\", args: [--weekly-report]}]`",
  );

export type JobSettings = z.output<typeof jobsSchema>[number];

export interface ResolvedJob {
  name: string;
  /** Object name: `<service>-<name>`, plus a hash of image, command and args for one-off Jobs (a change runs it again). */
  objectName: string;
  image: string;
  command?: string[];
  args?: string[];
  schedule?: string;
  when: JobWhen;
  backoffLimit: number;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
}

/** First 8 hex characters of the SHA-256 of what a one-off Job runs. */
export function jobRunHash(image: string, command?: string[], args?: string[]): string {
  return createHash("sha256").update(JSON.stringify([image, command ?? null, args ?? null])).digest("hex").slice(0, 8);
}

/** Applies defaults and names the objects. Pure; name lengths are checked by the caller. */
export function resolveJob(service: string, serviceImage: string, job: JobSettings): ResolvedJob {
  const image = job.image ?? serviceImage;
  const objectName = job.schedule ? `${service}-${job.name}` : `${service}-${job.name}-${jobRunHash(image, job.command, job.args)}`;
  return {
    name: job.name,
    objectName,
    image,
    command: job.command,
    args: job.args,
    schedule: job.schedule,
    when: job.when ?? JOB_DEFAULTS.when,
    backoffLimit: job.backoffLimit ?? JOB_DEFAULTS.backoffLimit,
    activeDeadlineSeconds: job.activeDeadlineSeconds ?? JOB_DEFAULTS.activeDeadlineSeconds,
    ttlSecondsAfterFinished: job.ttlSecondsAfterFinished ?? JOB_DEFAULTS.ttlSecondsAfterFinished,
  };
}
