/**
 * `platform:backups[].destination` to an S3-compatible server on the Docker target, from the stack file: the
 * credentials are names of secret config keys, checked with every other problem before anything is registered, and
 * their values reach only the job's credentials file.
 */
import { MOCK_SECRET_PREFIX, plaintextStrings, unwrapSecrets } from "../../helpers/mocks";
import { stackError } from "../../helpers/stack";
import { CLOUD_SECRETS, DEV_SECRETS } from "../fixtures";
import { S3_CLIENT_IMAGE, S3_SECRETS, s3Backups, type FeatureStacks } from "./stacks";

export function describeBackupDestinations(stacks: FeatureStacks): void {
  describe("dev stack with an S3-compatible backup destination", () => {
    const built = () => stacks.dev;

    it("runs the configured image with the endpoint and a 0400 credentials file holding the secrets", () => {
      for (const mode of ["backup", "verify"]) {
        const c = built().recorder.one("docker:index/container:Container", `main-db-backup-${mode}-container`).inputs;
        expect(c.image).toBe(S3_CLIENT_IMAGE);
        const env = unwrapSecrets(c.envs) as string[];
        expect(env).toEqual(expect.arrayContaining([
          "BACKUP_DESTINATION=s3://dev-backups/backups", "S3_ENDPOINT_URL=https://minio.internal:9000", "AWS_SHARED_CREDENTIALS_FILE=/opt/backup/aws-credentials",
        ]));
        const file = unwrapSecrets(c.uploads).find((u: any) => u.file === "/opt/backup/aws-credentials");
        expect(file).toMatchObject({ permissions: "0400", owner: "999" });
        expect(file.content).toContain(`aws_access_key_id = ${S3_SECRETS.backupS3AccessKeyId}`);
        expect(file.content).toContain(`aws_secret_access_key = ${S3_SECRETS.backupS3SecretAccessKey}`);
      }
      // The other backup set keeps its local volume and gets no credentials.
      const cache = built().recorder.one("docker:index/container:Container", "cache-backup-backup-container").inputs;
      expect(cache.uploads.map((u: any) => u.file)).not.toContain("/opt/backup/aws-credentials");
    });

    it("never passes the keys in plaintext to any resource", () => {
      const leaks = built().recorder.resources.flatMap((r) =>
        plaintextStrings(r.inputs)
          .filter(({ value }) => value.includes(MOCK_SECRET_PREFIX) || Object.values(S3_SECRETS).some((s) => value.includes(s)))
          .map(({ path }) => `${r.type} ${r.name} ${path}`),
      );
      expect(leaks).toEqual([]);
    });
  });

  describe("bad S3 destination settings are all reported in one run, before anything is registered", () => {
    it("missing and plaintext credential secrets name the setting that needs them", async () => {
      const message = await stackError("dev", { backups: s3Backups(), backupS3SecretAccessKey: "plain" }, { secrets: DEV_SECRETS });
      expect(message).toContain(
        "platform:backups[0].destination.credentials.accessKeyIdSecret: missing required secret platform:backupS3AccessKeyId (set it with: pulumi config set --secret platform:backupS3AccessKeyId <value>)",
      );
      expect(message).toContain("platform:backups[0].destination.credentials.secretAccessKeySecret: platform:backupS3SecretAccessKey is stored in plaintext");
      expect(message).not.toContain("unknown key");
    });

    it("no credentials and no image with the aws cli, in one message", async () => {
      const backups = s3Backups({ credentials: undefined });
      delete (backups[0] as Record<string, unknown>).clientImage;
      const message = await stackError("dev", { backups }, { secrets: DEV_SECRETS });
      expect(message).toContain("platform:backups[0].destination.credentials: are required for s3 on Docker (there is no workload identity)");
      expect(message).toContain("platform:backups[0].clientImage: must name an image with both the database client and the aws cli for s3 on Docker");
    });

    it("a credential pasted where the secret's name belongs is refused without echoing it", async () => {
      const pasted = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
      const message = await stackError("dev", { backups: s3Backups({ credentials: { accessKeyIdSecret: "backupS3AccessKeyId", secretAccessKeySecret: pasted } }) },
        { secrets: { ...DEV_SECRETS, ...S3_SECRETS } });
      expect(message).toContain("platform:backups[0].destination.credentials.secretAccessKeySecret: must be a secret config key name like backupS3SecretAccessKey");
      expect(message).not.toContain(pasted);
    });

    it("an unpinned clientImage is reported under its config key", async () => {
      const message = await stackError("dev", { backups: s3Backups({}, { clientImage: "postgres:latest" }) }, { secrets: { ...DEV_SECRETS, ...S3_SECRETS } });
      expect(message).toContain("platform:backups[0].clientImage");
      expect(message).toContain('(got "postgres:latest")');
    });

    it("static credentials on Kubernetes are refused: workload identity provides credentials there", async () => {
      const message = await stackError("staging", {
        backups: [{ name: "main-db-backup", database: "main-db", destination: { type: "s3", credentials: { accessKeyIdSecret: "backupS3AccessKeyId", secretAccessKeySecret: "backupS3SecretAccessKey" } } }],
      }, { secrets: { ...CLOUD_SECRETS, ...S3_SECRETS } });
      expect(message).toContain("platform:backups[0].destination.credentials: are for the Docker target only; on Kubernetes the job gets short-lived credentials from workload identity (IRSA / RRSA)");
    });
  });
}
