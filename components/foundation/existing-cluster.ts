import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ValidationError } from "../lib/validation";

export const EXISTING_CLUSTER_TYPE = "platform:foundation:ExistingCluster";

export interface ExistingClusterArgs {
  /** Kubeconfig of the cluster, as a secret Output (e.g. `SecretConfig.get("kubeconfig")`). Never plaintext. */
  kubeconfig: pulumi.Input<string>;
  /** Kubeconfig context to use. @default the kubeconfig's current context */
  context?: string;
}

/** Attaches to a cluster a team already runs: only a `k8s.Provider`, nothing is created in the cloud. */
export class ExistingCluster extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: ExistingClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    if (args.kubeconfig === undefined || args.kubeconfig === "") {
      throw new ValidationError(`ExistingCluster "${name}" args`, ["kubeconfig: is required (a secret kubeconfig) (got undefined)"]);
    }
    super(EXISTING_CLUSTER_TYPE, name, {}, opts);
    this.kubeconfig = pulumi.secret(pulumi.output(args.kubeconfig));
    this.provider = new k8s.Provider(`${name}-provider`, { kubeconfig: this.kubeconfig, context: args.context }, { parent: this });
    this.registerOutputs({});
  }
}
