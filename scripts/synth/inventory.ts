import type { Recorder } from "../../tests/helpers/mocks";
import { Redactor } from "./redact";

/** One line of the resource inventory. */
export interface InventoryEntry {
  type: string;
  name: string;
  /** Name of the parent resource ("" for the stack itself). */
  parent: string;
  /** False for component resources (they group children; nothing is created for them). */
  custom: boolean;
  protect: boolean;
  /** Scalar top-level inputs (and a Kubernetes object's namespace/name): what a reviewer scans for. */
  settings: Record<string, string | number | boolean>;
}

const MAX_SETTING_LENGTH = 120;

function keySettings(inputs: Record<string, any>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (key.startsWith("__")) continue;
    if (typeof value === "number" || typeof value === "boolean") out[key] = value;
    else if (typeof value === "string" && value.length <= MAX_SETTING_LENGTH) out[key] = value;
  }
  if (inputs.metadata?.namespace) out["metadata.namespace"] = inputs.metadata.namespace;
  if (inputs.metadata?.name) out["metadata.name"] = inputs.metadata.name;
  return out;
}

/** Every registered resource with its parent and key settings, secrets replaced by markers. */
export function inventory(recorder: Recorder, redactor: Redactor): InventoryEntry[] {
  const nameByUrn = new Map(recorder.resources.map((r) => [r.urn, r.name]));
  return recorder.resources.map((r) => ({
    type: r.type,
    name: r.name,
    parent: nameByUrn.get(r.parent) ?? "",
    custom: r.custom,
    protect: r.protect,
    settings: keySettings(redactor.redact(r.inputs)),
  }));
}
