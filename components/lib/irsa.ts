/**
 * IAM Roles for Service Accounts (EKS): the trust policy that lets exactly one Kubernetes ServiceAccount assume
 * a role through the cluster's OIDC provider. Used by every workload that talks to AWS APIs (backup jobs, the
 * load balancer controller, the cluster autoscaler), so none of them holds static keys.
 */

const issuerHost = (url: string) => url.replace(/^https:\/\//, "");

/** IRSA trust: only this namespace/ServiceAccount, only for the STS audience. */
export function irsaTrustPolicy(providerArn: string, issuerUrl: string, namespace: string, serviceAccount: string): string {
  const host = issuerHost(issuerUrl);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${host}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
            [`${host}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

/** ServiceAccount annotation naming the role EKS's pod identity webhook injects credentials for. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
