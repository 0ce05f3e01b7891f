import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { specialSigKey, specialSecretSig } from "@pulumi/pulumi/runtime/rpc";

/** One resource registration as the engine would have seen it. */
export interface RecordedResource {
  type: string;
  name: string;
  urn: string;
  id: string;
  /** Inputs after serialisation; secret values are wrapped (see `isSecretValue`). */
  inputs: Record<string, any>;
  /** URN of the parent resource ("" for roots). */
  parent: string;
  /** URNs this resource depends on (explicit dependsOn plus input dependencies). */
  dependencies: string[];
  /** Input dependencies only: input name -> URNs whose outputs flow into it (what dependsOn does not add). */
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  retainOnDelete: boolean;
  ignoreChanges: string[];
  provider: string;
  custom: boolean;
}

/** Hook to add outputs a real provider would compute (endpoints, ARNs). */
export type OutputHook = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;

/**
 * Autonamed physical names a real provider computes (mocks echo inputs only), so that what references them is
 * recorded as it would be after an update: a read replica's `replicateSourceDb` names its source's identifier,
 * an instance its parameter group's name. The policy pack reads them (a replica is recognised by its source).
 * `installMocks` applies it to every program, so the builds of a test file can be shared whichever test needs them.
 */
export const providerComputedNames: OutputHook = (args) => {
  const autonamed = ["aws:rds/parameterGroup:ParameterGroup", "aws:docdb/clusterParameterGroup:ClusterParameterGroup", "aws:docdb/subnetGroup:SubnetGroup"];
  if (autonamed.includes(args.type) && args.inputs.name === undefined) return { name: `${args.name}-0123456` };
  if (args.type === "aws:rds/instance:Instance" && args.inputs.identifier === undefined) return { identifier: `${args.name}-0123456` };
  return undefined;
};

/** Records every registration and invoke made by a program run under `pulumi.runtime.setMocks`. */
export class Recorder {
  readonly resources: RecordedResource[] = [];
  readonly calls: pulumi.runtime.MockCallArgs[] = [];

  byType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of `type` (optionally with `name`); throws with the inventory otherwise. */
  one(type: string, name?: string): RecordedResource {
    const found = this.byType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
      throw new Error(
        `expected exactly one ${type}${name ? ` named ${name}` : ""}, found ${found.length}. Inventory:\n${this.inventory().join("\n")}`,
      );
    }
    return found[0];
  }

  byName(name: string): RecordedResource {
    const found = this.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}`);
    return found[0];
  }

  /** Children whose parent is the resource with this URN. */
  childrenOf(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }

  /** `type name` lines, sorted: handy in failure messages and snapshot-free inventory assertions. */
  inventory(): string[] {
    return this.resources.map((r) => `${r.type} ${r.name}`).sort();
  }

  /** Throws if two registrations share a URN (the engine would reject the program). */
  assertUniqueUrns(): void {
    const seen = new Set<string>();
    const dupes = this.resources.filter((r) => (seen.has(r.urn) ? true : (seen.add(r.urn), false)));
    if (dupes.length > 0) throw new Error(`duplicate URNs: ${dupes.map((d) => d.urn).join(", ")}`);
  }

  /** All URNs `resource` depends on, transitively. */
  transitiveDependencies(resource: RecordedResource): Set<string> {
    const byUrn = new Map(this.resources.map((r) => [r.urn, r]));
    const out = new Set<string>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
      const urn = stack.pop()!;
      if (out.has(urn)) continue;
      out.add(urn);
      const dep = byUrn.get(urn);
      if (dep) stack.push(...dep.dependencies, ...(dep.parent ? [dep.parent] : []));
    }
    return out;
  }

  clear(): void {
    this.resources.length = 0;
    this.calls.length = 0;
  }
}

/** True for a value the SDK serialised as a secret. */
export function isSecretValue(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as any)[specialSigKey] === specialSecretSig;
}

/** Removes secret wrappers, e.g. to assert on a value regardless of its secretness. */
export function unwrapSecrets(value: any): any {
  if (isSecretValue(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

/** Every string found in `value` outside secret wrappers, with its path. */
export function plaintextStrings(value: any, path = ""): Array<{ path: string; value: string }> {
  if (isSecretValue(value)) return [];
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextStrings(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => plaintextStrings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** Prefix of every value the mocks generate for secret outputs, so tests can scan for leaks. */
export const MOCK_SECRET_PREFIX = "mock-secret-";

/**
 * The mock monitor does not apply a provider's additionalSecretOutputs, so outputs a real provider marks
 * secret (RandomPassword.result) are returned wrapped as secrets here.
 */
function secret(value: unknown): unknown {
  return { [specialSigKey]: specialSecretSig, value };
}

/** Plausible computed outputs per resource type, so components can chain on them under mocks. */
function computedOutputs(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const { type, name, inputs } = args;
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
      return { result: secret(`${MOCK_SECRET_PREFIX}${name}`), bcryptHash: secret(`${MOCK_SECRET_PREFIX}hash-${name}`) };
    case "random:index/randomId:RandomId":
      return { hex: "a1b2c3d4", b64Url: "obLD1A", dec: "2712847316" };
    case "random:index/randomString:RandomString":
      return { result: `rnd${name.length}` };
    case "aws:rds/instance:Instance":
      return { address: `${name}.rds.local`, endpoint: `${name}.rds.local:5432`, port: inputs.port ?? 5432, arn: `arn:aws:rds:::db:${name}` };
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return {
        primaryEndpointAddress: `${name}.cache.local`,
        // Cluster mode: clients and the per-node scrape start from the configuration endpoint.
        configurationEndpointAddress: `clustercfg.${name}.abc123.use1.cache.amazonaws.com`,
        replicationGroupId: inputs.replicationGroupId ?? name,
        port: inputs.port ?? 6379,
        arn: `arn:aws:elasticache:::${name}`,
      };
    case "aws:docdb/cluster:Cluster":
      return { endpoint: `${name}.docdb.local`, port: inputs.port ?? 27017, arn: `arn:aws:rds:::cluster:${name}` };
    case "alicloud:mongodb/instance:Instance":
      return {
        replicaSetName: `mgset-${name}`,
        replicaSets: [
          { replicaSetRole: "Secondary", connectionDomain: `${name}-2.mongodb.local`, connectionPort: "3717" },
          { replicaSetRole: "Primary", connectionDomain: `${name}-1.mongodb.local`, connectionPort: "3717" },
        ],
      };
    case "aws:eks/cluster:Cluster":
      return {
        endpoint: `https://${name}.eks.local`,
        certificateAuthority: { data: "Y2VydA==" },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.local/id/${name}` }] }],
        arn: `arn:aws:eks:::cluster/${name}`,
      };
    case "aws:rds/parameterGroup:ParameterGroup":
      // Autonamed by the provider (mocks echo inputs only), so an instance's parameterGroupName resolves.
      return { name: inputs.name ?? `${name}-0123456` };
    case "alicloud:ram/role:Role":
      // Autonamed by the engine (mocks see no autonames), so ServiceAccount annotations carry a role name.
      return { roleName: inputs.roleName ?? `${name}-0123456`, arn: `acs:ram::1234567890:role/${inputs.roleName ?? `${name}-0123456`}` };
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2":
      return { bucket: inputs.bucket ?? `${name}-bucket`, arn: `arn:aws:s3:::${inputs.bucket ?? name}` };
    default:
      return type.startsWith("aws:") ? { arn: `arn:aws:mock:::${name}` } : {};
  }
}

function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az3"] };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "test" };
    case "aws:index/getRegion:getRegion":
      return { name: "us-east-1", region: "us-east-1" };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    case "alicloud:index/getZones:getZones":
      return { ids: ["cn-hangzhou-h", "cn-hangzhou-i", "cn-hangzhou-j"], zones: [{ id: "cn-hangzhou-h" }, { id: "cn-hangzhou-i" }, { id: "cn-hangzhou-j" }] };
    default:
      return args.inputs;
  }
}

export interface MockOptions {
  project?: string;
  stack?: string;
  /** Run as a preview (outputs of unknown values stay unknown). */
  preview?: boolean;
  outputs?: OutputHook;
}

/**
 * Installs Pulumi mocks that record every registration, including parent, dependencies and options
 * that the public mock API does not expose (read from the register request itself).
 */
export function installMocks(options: MockOptions = {}): Recorder {
  const recorder = new Recorder();

  pulumi.runtime.setMocks(
    {
      newResource(args) {
        const extra = { ...computedOutputs(args), ...(providerComputedNames(args) ?? {}), ...(options.outputs?.(args) ?? {}) };
        const id = args.id || `${args.name}-id`;
        return { id, state: { ...args.inputs, ...extra } };
      },
      call(args) {
        recorder.calls.push(args);
        return mockCall(args);
      },
    },
    options.project ?? "platform",
    options.stack ?? "test",
    options.preview ?? false,
  );

  // Wrap the mock monitor so parent/dependencies/protect (absent from MockResourceArgs) are recorded too.
  const monitor: any = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
    register(req, (err: any, resp: any) => {
      if (!err && resp) {
        recorder.resources.push({
          type: req.getType(),
          name: req.getName(),
          urn: resp.getUrn(),
          id: resp.getId(),
          inputs: req.getObject()?.toJavaScript() ?? {},
          parent: req.getParent(),
          dependencies: req.getDependenciesList(),
          propertyDependencies: Object.fromEntries(
            (req.getPropertydependenciesMap?.()?.toArray?.() ?? []).map(([k, v]: [string, any]) => [k, Array.isArray(v) ? (v[0] ?? []) : (v?.getUrnsList?.() ?? [])]),
          ),
          protect: req.getProtect?.() ?? false,
          retainOnDelete: req.getRetainondelete?.() ?? false,
          ignoreChanges: req.getIgnorechangesList?.() ?? [],
          provider: req.getProvider(),
          custom: req.getCustom(),
        });
      }
      callback(err, resp);
    });
  };
  return recorder;
}

/** Waits until every outstanding registration and invoke of the program has completed. */
export async function settle(): Promise<void> {
  // waitForRPCs is exported at runtime but marked internal in the SDK typings.
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Resolves a Pulumi Output (or plain value) under mocks. */
export function outputOf<T>(value: pulumi.Input<T> | pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve) => pulumi.output(value).apply((v) => resolve(v as T)));
}
