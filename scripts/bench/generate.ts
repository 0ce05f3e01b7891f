/**
 * Config overrides for a prod stack with `count` services: the bundled prod services repeated with unique
 * names, so every kind (web behind the ingress, api with SLOs, worker, singleton) scales together, and a node
 * autoscaler maximum that fits them.
 */
export function generatedServices(base: Array<Record<string, any>>, count: number): Record<string, unknown> {
  const services = Array.from({ length: count }, (_, i) => {
    const template = base[i % base.length];
    const name = `${template.name}-${i}`.slice(0, 40);
    const s: Record<string, any> = { ...template, name };
    if (s.ingress) s.ingress = { ...s.ingress, host: `${name}.${s.ingress.host}` };
    // Callers refer to the instance of the same round, so NetworkPolicies stay meaningful.
    if (s.allowedCallers) s.allowedCallers = s.allowedCallers.map((c: string) => `${c}-${i - (i % base.length) + base.findIndex((b) => b.name === c)}`.slice(0, 40)).filter((c: string) => c !== name);
    return s;
  });
  // The capacity check refuses a node autoscaler maximum the services' minimum replicas cannot fit into (the
  // bundled prod's 10 nodes hold about 60 services); allow a node per 4 services, as an operator would.
  const max = Math.max(10, Math.ceil(count / 4));
  return { services, cluster: { nodes: { min: 3, max, desired: 3 } } };
}
