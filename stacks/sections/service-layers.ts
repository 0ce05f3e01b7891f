/**
 * How `platform:serviceDefaults`, `platform:serviceTemplates` and a service entry combine into one service:
 * later layers win; plain objects (env, secretEnv, secretRefs, resources, health, ingress, ...) merge key by key;
 * lists (connections, allowedCallers, command, args) and scalars are replaced as a whole, and `false`
 * (autoscaling, startup probe, rate limit) replaces an object. Pure.
 */
export function mergeServiceLayers(...layers: ReadonlyArray<Record<string, unknown> | undefined>): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const layer of layers) if (layer) out = mergeObjects(out, layer);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeObjects(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeObjects(prev, value) : structuredClone(value);
  }
  return out;
}
