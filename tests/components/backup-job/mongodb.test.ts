import * as pulumi from "@pulumi/pulumi";
import { installMocks, plaintextStrings, Recorder, settle, unwrapSecrets } from "../../helpers/mocks";
import type { DatabaseConnection } from "../../../components/lib/contracts";
import type { Cloud, Environment, PlatformContext, Target } from "../../../components/lib/platform";
import { ValidationError } from "../../../components/lib/validation";
import { BackupJob, type BackupJobArgs } from "../../../components/backup-job";

/** BackupJob for MongoDB: mongodump in the pinned mongo image, the connection string only from a Secret. */
let rec: Recorder;
beforeAll(() => {
  rec = installMocks();
});
beforeEach(() => rec.clear());

const URL = "mongodb://app:m0ng0-s3cret@docs-mongodb:27017/app?authSource=admin&tls=false";

function ctx(environment: Environment, target: Target, cloud: Cloud): PlatformContext {
  return {
    project: "platform", environment, target, cloud, namespace: "apps", providers: {},
    monitoringLabels: { release: "prom" }, tags: {}, runbookBaseUrl: "https://example.com/runbooks/",
    dockerNetworks: target === "docker" ? { frontend: "fe", backend: "be-net" } : undefined,
  };
}

function mongo(secretRef: boolean): DatabaseConnection {
  return {
    engine: "mongodb",
    host: pulumi.output("docs-mongodb"),
    port: pulumi.output(27017),
    user: pulumi.output("app"),
    database: pulumi.output("app"),
    password: pulumi.secret("m0ng0-s3cret"),
    url: pulumi.secret(URL),
    tls: false,
    secretRef: secretRef ? { name: pulumi.output("docs-mongodb-credentials"), passwordKey: "password", urlKey: "url" } : undefined,
  };
}

const base = (connection: DatabaseConnection): BackupJobArgs => ({
  connection,
  schedule: "0 2 * * *",
  retentionDays: 7,
  rpoMinutes: 1440,
  rtoMinutes: 240,
  destination: { type: "local" },
  verify: { schedule: "0 4 1 * *" },
});

describe("BackupJob for MongoDB", () => {
  test("docker: the mongo image dumps into its volume, the connection string only as a secret env value", async () => {
    new BackupJob("docs", base(mongo(false)), ctx("dev", "docker", "none"));
    await settle();
    const c = rec.one("docker:index/container:Container", "docs-backup-container").inputs;
    expect(c.image).toBe("mongo:7.0.14");
    expect(c.user).toBe("999:999");
    const env = unwrapSecrets(c.envs) as string[];
    expect(env).toEqual(expect.arrayContaining(["ENGINE=mongodb", "MONGODB_DATABASE=app", `MONGODB_URI=${URL}`, "BACKUP_DESTINATION=file:///data/db/backups"]));
    expect(env.some((e) => e.startsWith("PG"))).toBe(false);
    expect(plaintextStrings(c.envs).map((s) => s.value).join("\n")).not.toContain("m0ng0-s3cret");
  });

  test("kubernetes: dump and verify read MONGODB_URI from the credentials Secret's url key", async () => {
    new BackupJob("docs", { ...base(mongo(true)), destination: { type: "s3" },
        identity: { cloud: "aws", providerArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.local/id/X", issuerUrl: "https://oidc.eks.local/id/X" },
      }, ctx("staging", "kubernetes", "aws"));
    await settle();
    for (const name of ["docs-backup", "docs-verify"]) {
      const spec = unwrapSecrets(rec.one("kubernetes:batch/v1:CronJob", name).inputs).spec.jobTemplate.spec.template.spec;
      const client = [...spec.initContainers, ...spec.containers].find((c: { image: string }) => c.image === "mongo:7.0.14");
      expect(client.env).toEqual(
        expect.arrayContaining([
          { name: "ENGINE", value: "mongodb" },
          { name: "MONGODB_URI", valueFrom: { secretKeyRef: { name: "docs-mongodb-credentials", key: "url" } } },
          { name: "MONGODB_DATABASE", value: "app" },
        ]),
      );
    }
    expect(JSON.stringify(rec.resources.map((r) => plaintextStrings(r.inputs)))).not.toContain("m0ng0-s3cret");
  });

  test("kubernetes, DocumentDB: both jobs mount the RDS CA bundle and hand its path to mongodump/mongorestore (MONGODB_CA_FILE -> --sslCAFile)", async () => {
    const docdb: DatabaseConnection = {
      ...mongo(true),
      tls: true,
      caBundle: { configMap: pulumi.output("docs-rds-ca"), key: "global-bundle.pem", file: "/etc/rds-ca/global-bundle.pem" },
    };
    new BackupJob("docs", { ...base(docdb), destination: { type: "s3" },
        identity: { cloud: "aws", providerArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.local/id/X", issuerUrl: "https://oidc.eks.local/id/X" },
      }, ctx("staging", "kubernetes", "aws"));
    await settle();
    for (const name of ["docs-backup", "docs-verify"]) {
      const spec = unwrapSecrets(rec.one("kubernetes:batch/v1:CronJob", name).inputs).spec.jobTemplate.spec.template.spec;
      expect(spec.volumes).toContainEqual({ name: "ca-bundle", configMap: { name: "docs-rds-ca" } });
      const client = [...spec.initContainers, ...spec.containers].find((c: { image: string }) => c.image === "mongo:7.0.14");
      expect(client.env).toContainEqual({ name: "MONGODB_CA_FILE", value: "/etc/rds-ca/global-bundle.pem" });
      expect(client.volumeMounts).toContainEqual({ name: "ca-bundle", mountPath: "/etc/rds-ca", readOnly: true });
    }
    // Without a bundle (ApsaraDB, a self-run MongoDB) nothing is mounted and the tools use the system trust store.
    rec.clear();
    new BackupJob("plain", { ...base(mongo(true)), destination: { type: "s3" },
        identity: { cloud: "aws", providerArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.local/id/X", issuerUrl: "https://oidc.eks.local/id/X" },
      }, ctx("staging", "kubernetes", "aws"));
    await settle();
    const plain = unwrapSecrets(rec.one("kubernetes:batch/v1:CronJob", "plain-backup").inputs).spec.jobTemplate.spec.template.spec;
    expect(JSON.stringify(plain)).not.toContain("ca-bundle");
    expect(JSON.stringify(plain)).not.toContain("MONGODB_CA_FILE");
  });

  test("a verify query is PostgreSQL-only", () => {
    expect(() => new BackupJob("docs", { ...base(mongo(false)), verify: { schedule: "0 4 1 * *", query: "SELECT 1" } }, ctx("dev", "docker", "none"))).toThrow(ValidationError);
    expect(() => new BackupJob("docs", { ...base(mongo(false)), verify: { schedule: "0 4 1 * *", query: "SELECT 1" } }, ctx("dev", "docker", "none"))).toThrow(
      /verify\.query: applies to PostgreSQL only \(a MongoDB restore test needs at least one restored document/,
    );
  });
});
