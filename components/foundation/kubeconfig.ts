/**
 * Pure kubeconfig builders. The caller wraps the result in `pulumi.secret`, because a kubeconfig grants
 * cluster access even when it holds no static credential.
 */

export interface EksKubeconfigInput {
  clusterName: string;
  endpoint: string;
  /** Base64 certificate authority data, as EKS reports it. */
  certificateAuthorityData: string;
  region: string;
}

/** Kubeconfig that authenticates with short-lived tokens from `aws eks get-token` (no static secret). */
export function eksKubeconfig(input: EksKubeconfigInput): string {
  const ctx = `aws-${input.clusterName}`;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: input.clusterName, cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData } }],
    users: [{
      name: ctx,
      user: {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1beta1",
          command: "aws",
          args: ["eks", "get-token", "--cluster-name", input.clusterName, "--region", input.region, "--output", "json"],
          interactiveMode: "Never",
        },
      },
    }],
    contexts: [{ name: ctx, context: { cluster: input.clusterName, user: ctx } }],
    "current-context": ctx,
  });
}
