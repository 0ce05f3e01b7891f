/**
 * A real Apache Kafka broker for the integration tier, configured exactly as the Docker target configures the
 * apache/kafka image, but run as a plain JVM on 127.0.0.1 from the Maven jars that scripts/build-kafka.sh resolves
 * into the tools cache (there is no Docker engine and no Debian package of Kafka here):
 *  - the container's `KAFKA_*` variables become server.properties by the image's documented rule
 *    (dockerEnvToServerProperties);
 *  - every listener and the controller quorum move to free 127.0.0.1 ports (onLoopback);
 *  - the log directory is formatted for KRaft with the container's CLUSTER_ID (kafka-storage format) and the broker
 *    started with the container's heap; stop() stops that process (by its pid) and removes its directory.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { freePort, okAsync, runAsync } from "./servers";
import { tempDir } from "./tools";

const REPO = path.join(__dirname, "..", "..");
const CACHE = process.env.PLATFORM_TOOLS_CACHE ?? path.join(os.homedir(), ".cache", "platform-tools");

/** The Kafka version scripts/build-kafka.sh resolves (its KAFKA_VERSION line: one source of truth). */
export const KAFKA_JARS_VERSION = (() => {
  const m = /^KAFKA_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(REPO, "scripts", "build-kafka.sh"), "utf8"));
  if (!m) throw new Error("scripts/build-kafka.sh has no KAFKA_VERSION= line");
  return m[1];
})();

/** The Kafka directory (bin/ launchers, lib/ jars); fails with how to build it when missing. */
export function requireKafka(): string {
  const home = path.join(CACHE, `kafka-${KAFKA_JARS_VERSION}`);
  if (!fs.existsSync(path.join(home, "bin", "kafka-server-start.sh"))) {
    throw new Error(`Kafka ${KAFKA_JARS_VERSION} is not in ${home}; resolve it with: bash scripts/build-kafka.sh (.ci/run does; needs maven and java 17)`);
  }
  return home;
}

/**
 * `KAFKA_*` variables the image's start scripts read themselves (JVM and log4j options, the image version); they
 * are not broker properties (kafka-propertiesSpec.json of the image), and neither is CLUSTER_ID (used by the format
 * step) or LOG_DIR (the server-log directory of kafka-run-class.sh).
 */
const LAUNCH_VARIABLES = new Set([
  "KAFKA_VERSION",
  "KAFKA_HEAP_OPTS",
  "KAFKA_LOG4J_OPTS",
  "KAFKA_OPTS",
  "KAFKA_JMX_OPTS",
  "KAFKA_JVM_PERFORMANCE_OPTS",
  "KAFKA_GC_LOG_OPTS",
  "KAFKA_LOG4J_ROOT_LOGLEVEL",
  "KAFKA_LOG4J_LOGGERS",
  "KAFKA_TOOLS_LOG4J_LOGLEVEL",
]);

/**
 * The broker property an apache/kafka variable sets, or undefined for a variable that is not one. The image builds a
 * variable from a property by `.` -> `_`, `_` -> `__`, `-` -> `___`, upper case, prefix `KAFKA_`; this reverses it
 * (longest run of underscores first).
 */
export function envToProperty(variable: string): string | undefined {
  if (!variable.startsWith("KAFKA_") || LAUNCH_VARIABLES.has(variable)) return undefined;
  return variable
    .slice("KAFKA_".length)
    .toLowerCase()
    .replace(/_+/g, (run) => "-".repeat(Math.floor(run.length / 3)) + "_".repeat(Math.floor((run.length % 3) / 2)) + ".".repeat(run.length % 3 % 2));
}

export interface ImageConfiguration {
  /** server.properties the image renders. */
  properties: Record<string, string>;
  /** Every other variable (CLUSTER_ID, KAFKA_HEAP_OPTS, LOG_DIR, ...). */
  other: Record<string, string>;
}

/** A container's `NAME=value` list split the way the apache/kafka image reads it. */
export function dockerEnvToServerProperties(envs: string[]): ImageConfiguration {
  const properties: Record<string, string> = {};
  const other: Record<string, string> = {};
  for (const entry of envs) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new Error(`not a NAME=value variable: ${entry.split("=")[0]}`);
    const [name, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
    const property = envToProperty(name);
    if (property) properties[property] = value;
    else other[name] = value;
  }
  return { properties, other };
}

const ADDRESS_KEYS = ["listeners", "advertised.listeners", "controller.quorum.voters"];

/**
 * The same broker on this machine: every `host:port` of the listeners, advertised listeners and quorum voters
 * becomes 127.0.0.1 and the port given for it in `ports` (a port without a mapping is an error, so nothing listens
 * on a fixed or public address), and the log directory moves to `logDir`.
 */
export function onLoopback(properties: Record<string, string>, ports: Record<number, number>, logDir: string): Record<string, string> {
  const out: Record<string, string> = { ...properties, "log.dirs": logDir };
  for (const key of ADDRESS_KEYS) {
    if (out[key] === undefined) continue;
    out[key] = out[key].replace(/(\/\/|@)([^,:/@]*):(\d+)/g, (_m, sep: string, _host: string, port: string) => {
      const mapped = ports[Number(port)];
      if (mapped === undefined) throw new Error(`${key}: no loopback port for ${port} (${out[key]})`);
      return `${sep}127.0.0.1:${mapped}`;
    });
  }
  return out;
}

/** server.properties text (values are written as is: the image does the same). */
export function propertiesText(properties: Record<string, string>): string {
  return Object.entries(properties)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}

/** A client config for the SASL/PLAIN listener, 0600 in `dir` (the password never goes on a command line). */
export function writePlainClientConfig(dir: string, name: string, username: string, password: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    `security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}";\n`,
    { mode: 0o600 },
  );
  return file;
}

export interface RealKafka {
  home: string;
  /** Working directory (server.properties, data, server log); removed by stop(). */
  dir: string;
  properties: Record<string, string>;
  /** Loopback port per port of the container configuration. */
  ports: Record<number, number>;
  /** Path of a launcher under bin/. */
  tool: (name: string) => string;
  /** The broker's stdout and stderr (WARN and up, and its start/stop lines). */
  serverLog: string;
  pid: number;
  /** Waits until the broker answers (after a start with `wait: false`). */
  ready: () => Promise<void>;
  stop: () => Promise<void>;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits (2 minutes at most) until the broker answers ApiVersions on the loopback `port` (a listener without SASL). */
async function waitReady(tool: (name: string) => string, port: number, child: ChildProcess, serverLog: string): Promise<void> {
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`Kafka exited with ${child.exitCode}:\n${fs.readFileSync(serverLog, "utf8")}`);
    if (await tcpOpen(port)) {
      const r = await runAsync(tool("kafka-broker-api-versions.sh"), ["--bootstrap-server", `127.0.0.1:${port}`], { KAFKA_HEAP_OPTS: "-Xmx64m" });
      if (r.code === 0) return;
    }
    if (i > 120) throw new Error(`Kafka did not start within 2 minutes:\n${fs.readFileSync(serverLog, "utf8")}`);
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** Ports of the `host:port` addresses in the listener and quorum properties. */
export function configuredPorts(properties: Record<string, string>): number[] {
  const ports = new Set<number>();
  for (const key of ADDRESS_KEYS) for (const m of (properties[key] ?? "").matchAll(/:(\d+)(?=,|$)/g)) ports.add(Number(m[1]));
  return [...ports];
}

/** The port of the inter-broker listener (PLAINTEXT on the container's loopback: readiness probes need no SASL). */
export function interBrokerPort(envs: string[]): number {
  const props = dockerEnvToServerProperties(envs).properties;
  const name = props["inter.broker.listener.name"];
  const port = new RegExp(`${name}://[^,]*:(\\d+)`).exec(props.listeners ?? "")?.[1];
  if (!port) throw new Error(`no ${name} listener in ${props.listeners}`);
  return Number(port);
}

/** Free loopback ports for every port of an image configuration (see onLoopback). */
export async function loopbackPorts(envs: string[]): Promise<Record<number, number>> {
  const ports: Record<number, number> = {};
  for (const p of configuredPorts(dockerEnvToServerProperties(envs).properties)) ports[p] = await freePort();
  return ports;
}

export interface StartKafkaOptions {
  /** Loopback ports to use (default: fresh free ports); a multi-node cluster allocates them up front. */
  ports?: Record<number, number>;
  /** Properties set after the loopback move (a multi-node cluster: `node.id`, `controller.quorum.voters`). */
  overrides?: Record<string, string>;
}

/**
 * Formats and starts a broker with the image configuration `envs` (the Docker target's container env) on loopback
 * ports. Resolves once the loopback `probePort` (a listener that needs no credentials) answers an ApiVersions request;
 * with `wait: false` it resolves once the process runs (nodes of a cluster only answer once a quorum is up).
 */
export async function startKafka(envs: string[], probePort: number, options: StartKafkaOptions & { wait?: boolean } = {}): Promise<RealKafka> {
  const home = requireKafka();
  const image = dockerEnvToServerProperties(envs);
  const clusterId = image.other.CLUSTER_ID;
  if (!clusterId) throw new Error("the container configuration has no CLUSTER_ID: KRaft cannot format its storage");
  const ports = options.ports ?? (await loopbackPorts(envs));
  const work = tempDir("kafka-broker");
  const properties = { ...onLoopback(image.properties, ports, path.join(work.dir, "data")), ...options.overrides };
  const config = path.join(work.dir, "server.properties");
  fs.writeFileSync(config, propertiesText(properties), { mode: 0o600 });
  const tool = (name: string) => path.join(home, "bin", name);
  const serverLog = path.join(work.dir, "server.log");
  let child: ChildProcess | undefined;
  const stop = async () => {
    try {
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        process.kill(child.pid, "SIGTERM");
        const timer = setTimeout(() => child?.pid && child.exitCode === null && process.kill(child.pid, "SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
    } finally {
      work.cleanup();
    }
  };
  try {
    const launch = { KAFKA_HEAP_OPTS: image.other.KAFKA_HEAP_OPTS ?? "-Xmx512m", LOG_DIR: work.dir };
    await okAsync(tool("kafka-storage.sh"), ["format", "--ignore-formatted", "--cluster-id", clusterId, "--config", config], launch);
    const log = fs.openSync(serverLog, "a");
    child = spawn(tool("kafka-server-start.sh"), [config], { env: { ...process.env, ...launch }, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    const probe = ports[probePort];
    if (probe === undefined) throw new Error(`port ${probePort} is not a listener of the configuration`);
    if (options.wait !== false) await waitReady(tool, probe, child, serverLog);
  } catch (e) {
    await stop();
    throw e;
  }
  return { home, dir: work.dir, properties, ports, tool, serverLog, pid: child.pid!, stop, ready: () => waitReady(tool, ports[probePort], child!, serverLog) };
}
