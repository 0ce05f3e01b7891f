/**
 * Escape hatch: a per-child function that adjusts the args a component computed before the child is
 * registered, for settings the component does not model. Keys are child roles (e.g. `deployment`).
 */
export type ChildTransform<T> = (args: T) => T;

export type Transforms<Roles extends string> = Partial<Record<Roles, ChildTransform<any>>>;

/** Applies the transform registered for `role`, if any. */
export function applyTransform<T>(transforms: Transforms<string> | undefined, role: string, args: T): T {
  const transform = transforms?.[role];
  return transform ? (transform(args) as T) : args;
}
