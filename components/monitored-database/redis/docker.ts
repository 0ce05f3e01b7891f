import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { providerFor } from "../../lib/platform";
import { applyTransform } from "../../lib/transform";
import { DOCKER_MEMORY_MB } from "../sizes";
import { dataStoreOptions, type TargetInput, type TargetOutput } from "../target";
import { dockerAlias, dockerHardening, dockerImageAndVolume, dockerLocalPorts } from "../docker-common";

/** UID/GID of the `redis` user in the official Alpine image. */
const REDIS_UID = "999:1000";
const CONFIG_FILE = "/run/redis/redis.conf";

/**
 * The container's start script. The password arrives as the secret env value REDIS_PASSWORD and is written
 * by the shell builtin `printf` into a config file on a tmpfs, so it never appears in an argv (neither in
 * `docker inspect` nor in `ps`). No secret is part of this text.
 */
export function redisStartScript(parameters: Record<string, string>, maxMemoryMb: number): string {
  const extra = Object.entries(parameters).map(([k, v]) => ` --${k} ${v}`).join("");
  return [
    "set -eu",
    "umask 077",
    `printf 'requirepass %s\\n' "$REDIS_PASSWORD" > ${CONFIG_FILE}`,
    `exec redis-server ${CONFIG_FILE} --appendonly yes --appendfsync everysec --save 3600 1 --dir /data` +
      ` --maxmemory ${Math.floor(maxMemoryMb * 0.75)}mb --maxmemory-policy noeviction${extra}`,
  ].join("\n");
}

/**
 * Redis as a container for local development: pinned image, AOF + hourly RDB on a named volume,
 * `requirepass` from a secret, authenticated healthcheck, backend network only.
 */
export function redisOnDocker(input: TargetInput): TargetOutput {
  const { parent, name, db, ctx } = input;
  const provider = providerFor(ctx, "docker");
  const opts = { parent, ...provider };
  const t = db.transforms;
  const alias = dockerAlias(name, "redis");
  const memory = DOCKER_MEMORY_MB.redis[db.size];

  const { image, volume } = dockerImageAndVolume(input, opts);
  const container = new docker.Container(
    `${name}-container`,
    applyTransform(t, "container", {
      image: image.imageId,
      hostname: alias,
      user: REDIS_UID,
      entrypoints: ["/bin/sh", "-c"],
      command: [redisStartScript(db.parameters, memory)],
      envs: pulumi.secret(input.password.apply((pw) => [`REDIS_PASSWORD=${pw}`, `REDISCLI_AUTH=${pw}`])),
      volumes: [{ volumeName: volume.name, containerPath: "/data" }],
      tmpfs: { "/run/redis": "rw,noexec,nosuid,size=1m,mode=1777", "/tmp": "rw,noexec,nosuid,size=16m,mode=1777" },
      healthcheck: {
        // redis-cli reads the password from REDISCLI_AUTH; nothing secret on its command line.
        tests: ["CMD-SHELL", "redis-cli ping | grep -q PONG"],
        interval: "10s",
        timeout: "5s",
        retries: 5,
        startPeriod: "10s",
      },
      ports: dockerLocalPorts(db),
      memory,
      ...dockerHardening(ctx, alias, "cache"),
    } satisfies docker.ContainerArgs),
    dataStoreOptions(input, provider),
  );
  return {
    host: pulumi.output(alias),
    port: pulumi.output(db.port),
    tls: false,
    children: { image, volume, container },
    redisPersistenceObservable: true,
  };
}
