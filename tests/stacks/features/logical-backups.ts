import { unwrapSecrets } from "../../helpers/mocks";
import { stackError } from "../../helpers/stack";
import { STAGING_SECRETS } from "../fixtures";
import { LOGICAL_DATABASES, type FeatureStacks } from "./stacks";

/**
 * A logical database is backed up by naming it `<store>/<database>` in platform:backups: the dump runs as that
 * database's own role, with the password from its own Secret.
 */
export function describeLogicalBackups(stacks: FeatureStacks): void {
  describe("backups of logical databases", () => {
    test("the logical database's backup dumps it as its own role, password from its own Secret", () => {
      const cronJobs = stacks.staging.recorder.byType("kubernetes:batch/v1:CronJob").map((c) => unwrapSecrets(c.inputs));
      const envOf = (name: string) => {
        const job = cronJobs.find((c) => c.metadata.name === name);
        if (!job) throw new Error(`no CronJob ${name} (have ${cronJobs.map((c) => c.metadata.name).join(", ")})`);
        const pod = job.spec.jobTemplate.spec.template.spec;
        return [...(pod.initContainers ?? []), ...pod.containers].flatMap((c: { env?: unknown[] }) => c.env ?? []) as Array<Record<string, any>>;
      };
      const orders = envOf("orders-backup-backup");
      expect(orders).toEqual(expect.arrayContaining([{ name: "PGUSER", value: "orders_svc" }, { name: "PGDATABASE", value: "orders" }]));
      const password = orders.find((e) => e.name === "PGPASSWORD");
      expect(password?.valueFrom?.secretKeyRef?.name).toBe("main-db-db-orders");
      const main = envOf("main-db-backup-backup");
      expect(main).toEqual(expect.arrayContaining([{ name: "PGUSER", value: "app" }, { name: "PGDATABASE", value: "app" }]));
    });

    test("an unknown logical database is refused with the key path and the names that exist", async () => {
      const message = await stackError(
        "staging",
        { databases: LOGICAL_DATABASES, backups: [{ name: "x-backup", database: "main-db/billing" }] },
        { secrets: STAGING_SECRETS },
      );
      expect(message).toContain('platform:backups[0].database: must name a database in platform:databases (known: main-db, main-db/orders, cache) (got "main-db/billing")');
    });
  });

  describe("a MongoDB backup set in the dev stack", () => {
    test("plans and builds a mongodump scheduler in the mongo image beside the MongoDB container", () => {
      const { recorder } = stacks.dev;
      const container = recorder.one("docker:index/container:Container", "docs-backup-backup-container");
      expect(container.inputs.image).toBe("mongo:7.0.14");
      const env = unwrapSecrets(container.inputs.envs) as string[];
      expect(env).toEqual(expect.arrayContaining(["ENGINE=mongodb", "MONGODB_DATABASE=app"]));
      expect(env.find((e) => e.startsWith("MONGODB_URI="))).toMatch(/^MONGODB_URI=mongodb:\/\/app:.+@docs-mongodb:27017\/app\?authSource=admin&tls=false$/);
      expect(recorder.one("docker:index/remoteImage:RemoteImage", "docs-image").inputs.name).toBe("mongo:7.0.14");
    });
  });
}
