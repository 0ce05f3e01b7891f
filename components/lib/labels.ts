import type { PlatformContext } from "./platform";

/** Label set that selects one workload's pods. Never add changeable values here (selectors are immutable). */
export function selectorLabels(name: string, instance: string = name): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/instance": instance,
  };
}

/** Recommended `app.kubernetes.io/*` labels plus the environment, for every object a component creates. */
export function standardLabels(
  ctx: PlatformContext,
  name: string,
  component: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...selectorLabels(name),
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": ctx.project,
    "app.kubernetes.io/managed-by": "pulumi",
    environment: ctx.environment,
    ...extra,
  };
}

/** Cloud tags for taggable resources: the platform tags plus the component that owns the resource. */
export function cloudTags(ctx: PlatformContext, component: string): Record<string, string> {
  return {
    ...ctx.tags,
    Project: ctx.project,
    Environment: ctx.environment,
    Component: component,
    ManagedBy: "pulumi",
  };
}
