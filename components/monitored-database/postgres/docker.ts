import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { DOCKER_MEMORY_MB } from "../sizes";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { dockerAlias, dockerHardening, dockerImageAndVolume, dockerLocalPorts } from "../docker-common";

/** UID/GID of the `postgres` user in the official Alpine image (owns the data directory in the image). */
const POSTGRES_UID = "70:70";
const DATA_DIR = "/var/lib/postgresql/data";

/**
 * PostgreSQL as a container for local development: pinned image, named volume, `pg_isready` healthcheck,
 * on the backend network only, no published port unless asked (and then on 127.0.0.1 only).
 */
export function postgresOnDocker(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const provider = providerFor(ctx, "docker");
  const opts = { parent, ...provider };
  const t = db.transforms;
  const alias = dockerAlias(name, "postgres");

  const { image, volume } = dockerImageAndVolume(input, opts);
  const command = ["postgres", ...Object.entries(db.parameters).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  const container = new docker.Container(
    `${name}-container`,
    applyTransform(t, "container", {
      image: image.imageId,
      hostname: alias,
      user: POSTGRES_UID,
      command,
      // The password only ever travels as a secret env value; the entrypoint reads it once at init.
      envs: pulumi.secret(
        pulumi.interpolate`POSTGRES_PASSWORD=${input.password}`.apply((pw) => [
          pw,
          `POSTGRES_USER=${db.username}`,
          `POSTGRES_DB=${db.databaseName}`,
          `PGDATA=${DATA_DIR}/pgdata`,
        ]),
      ),
      volumes: [{ volumeName: volume.name, containerPath: DATA_DIR }],
      tmpfs: { "/var/run/postgresql": "rw,noexec,nosuid,size=16m,mode=1777", "/tmp": "rw,noexec,nosuid,size=64m,mode=1777" },
      healthcheck: {
        tests: ["CMD-SHELL", 'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'],
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "30s",
      },
      ports: dockerLocalPorts(db),
      memory: DOCKER_MEMORY_MB.postgres[db.size],
      ...dockerHardening(ctx, alias, "postgres"),
    } satisfies docker.ContainerArgs),
    dataStoreOptions(input, provider),
  );
  return {
    host: pulumi.output(alias),
    port: pulumi.output(db.port),
    // Plain TCP on the isolated backend network; nothing outside the Docker host can reach it.
    tls: false,
    children: { image, volume, container },
  };
}
