import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { DOCKER_MEMORY_MB } from "../sizes";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { dockerAlias, dockerHardening, dockerImageAndVolume, dockerLocalPorts } from "../docker-common";

/** UID/GID of the `mongodb` user in the official image (owns /data/db in the image). */
const MONGODB_UID = "999:999";
const DATA_DIR = "/data/db";

/**
 * mongod's command line: authorization on, every interface of the (isolated) backend network, the WiredTiger cache
 * sized to the container's memory limit (half of it, as mongod does on a host), and the extra `parameters` as
 * `--setParameter`. No secret is part of it.
 */
export function mongodCommand(parameters: Record<string, string>, memoryMb: number): string[] {
  const cacheGb = Math.max(0.25, Math.floor(memoryMb / 2 / 256) / 4);
  return [
    "mongod",
    "--auth",
    "--bind_ip_all",
    "--dbpath",
    DATA_DIR,
    "--wiredTigerCacheSizeGB",
    String(cacheGb),
    ...Object.entries(parameters).flatMap(([k, v]) => ["--setParameter", `${k}=${v}`]),
  ];
}

/**
 * MongoDB as a container (official image, pinned tag): one mongod with authorization, the admin user created at
 * first start from the secret env values, data on a named volume, unauthenticated `ping` healthcheck, backend
 * network only, no published port unless asked (and then on 127.0.0.1 only).
 */
export function mongodbOnDocker(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const provider = providerFor(ctx, "docker");
  const opts = { parent, ...provider };
  const t = db.transforms;
  const alias = dockerAlias(name, "mongodb");
  const memory = DOCKER_MEMORY_MB.mongodb[db.size];

  const { image, volume } = dockerImageAndVolume(input, opts);
  const container = new docker.Container(
    `${name}-container`,
    applyTransform(t, "container", {
      image: image.imageId,
      hostname: alias,
      user: MONGODB_UID,
      command: mongodCommand(db.parameters, memory),
      // The entrypoint creates the admin user from these once, on an empty volume.
      envs: pulumi.secret(
        input.password.apply((pw) => [`MONGO_INITDB_ROOT_USERNAME=${db.username}`, `MONGO_INITDB_ROOT_PASSWORD=${pw}`, `MONGO_INITDB_DATABASE=${db.databaseName}`]),
      ),
      volumes: [{ volumeName: volume.name, containerPath: DATA_DIR }],
      tmpfs: { "/data/configdb": "rw,noexec,nosuid,size=1m,mode=1777", "/tmp": "rw,noexec,nosuid,size=64m,mode=1777" },
      healthcheck: {
        // `ping` needs no authentication; mongosh ships with the 6.0+ images, the legacy shell with 5.0.
        tests: ["CMD-SHELL", "if command -v mongosh >/dev/null; then mongosh --quiet --norc --eval 'db.runCommand({ping: 1}).ok' | grep -q 1; else mongo --quiet --norc --eval 'db.runCommand({ping: 1}).ok' | grep -q 1; fi"],
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "30s",
      },
      ports: dockerLocalPorts(db),
      memory,
      ...dockerHardening(ctx, alias, "mongodb"),
    } satisfies docker.ContainerArgs),
    dataStoreOptions(input, provider),
  );
  return {
    host: pulumi.output(alias),
    port: pulumi.output(db.port),
    // Plain TCP on the isolated backend network; nothing outside the Docker host can reach it.
    tls: false,
    mongodbReplicaSetObservable: false,
    children: { image, volume, container },
  };
}
