import type { RecordedResource } from "../../tests/helpers/mocks";
import { createSeconds } from "./create-times";

const NODE_GROUP_TYPES = new Set(["aws:eks/nodeGroup:NodeGroup", "alicloud:cs/nodePool:NodePool"]);

export interface PathResult {
  seconds: number;
  /** The resources on the path, first created first, as `type name (seconds)`. */
  chain: string[];
}

/** Provider URN of a resource (`urn::id` reference) or undefined for the default provider. */
function providerUrn(r: RecordedResource): string | undefined {
  return r.provider ? r.provider.split("::").slice(0, -1).join("::") : undefined;
}

/**
 * Longest path through the registration graph, each resource weighted by its typical create time (component
 * resources take no time), as the engine would schedule a first `pulumi up` with unlimited parallelism.
 * `dataOnly` gives the irreducible chain: only input (property) dependencies, providers, and pods needing nodes
 * (every object deployed through a Kubernetes provider waits for the cluster's node groups) — the edges no
 * ordering choice can remove.
 */
export function criticalPath(resources: RecordedResource[], dataOnly = false): PathResult {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const nodeGroups = resources.filter((r) => NODE_GROUP_TYPES.has(r.type)).map((r) => r.urn);
  const onCluster = (r: RecordedResource) => r.type.startsWith("kubernetes:") || (providerUrn(r) ?? "").includes("pulumi:providers:kubernetes");
  const memo = new Map<string, PathResult>();
  const weight = (r: RecordedResource) => (r.custom ? createSeconds(r.type) : 0);
  const depsOf = (r: RecordedResource): string[] => {
    const edges = dataOnly ? Object.values(r.propertyDependencies ?? {}).flat() : r.dependencies;
    // The SDK already expands a dependency on a component into its children's URNs.
    const provider = providerUrn(r);
    const nodes = dataOnly && r.custom && onCluster(r) && !r.type.startsWith("pulumi:providers:") ? nodeGroups : [];
    return [...new Set([...edges, ...nodes, ...(provider ? [provider] : [])])].filter((u) => u !== r.urn && byUrn.has(u));
  };
  const visit = (r: RecordedResource, stack: Set<string>): PathResult => {
    const cached = memo.get(r.urn);
    if (cached) return cached;
    if (stack.has(r.urn)) throw new Error(`dependency cycle through ${r.urn}`);
    stack.add(r.urn);
    let best: PathResult = { seconds: 0, chain: [] };
    for (const dep of depsOf(r)) {
      const p = visit(byUrn.get(dep)!, stack);
      if (p.seconds > best.seconds) best = p;
    }
    stack.delete(r.urn);
    const w = weight(r);
    const result = { seconds: best.seconds + w, chain: w > 0 ? [...best.chain, `${r.type} ${r.name} (${w} s)`] : best.chain };
    memo.set(r.urn, result);
    return result;
  };
  let longest: PathResult = { seconds: 0, chain: [] };
  for (const r of resources) {
    const p = visit(r, new Set());
    if (p.seconds > longest.seconds) longest = p;
  }
  return longest;
}

/** Sum of all create times: what a strictly sequential deploy would take. */
export function sequentialSeconds(resources: RecordedResource[]): number {
  return resources.filter((r) => r.custom).reduce((n, r) => n + createSeconds(r.type), 0);
}
