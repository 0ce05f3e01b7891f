/**
 * Config overrides for a prod stack with `count` services: the bundled prod services repeated with unique
 * names, so every kind (web behind the ingress, api with SLOs, worker, singleton) scales together.
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
  return { services };
}
