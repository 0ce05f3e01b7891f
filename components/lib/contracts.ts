import type * as pulumi from "@pulumi/pulumi";

/**
 * Types that cross component boundaries. Keeping them here (rather than importing one component's
 * module from another) lets each component be built and tested alone.
 */

/** Where a managed data store is placed and who may reach it. Produced by the foundation's network. */
export interface DataPlacement {
  vpcId: pulumi.Input<string>;
  /** Private subnets (AWS) or VSwitches (Alibaba Cloud), at least two zones for HA. */
  subnetIds: pulumi.Input<string>[];
  /** AWS: security groups whose members may connect (the application tier). */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /** CIDR blocks that may connect (Alibaba Cloud whitelists; the VPC CIDR). Never 0.0.0.0/0. */
  allowedCidrBlocks: pulumi.Input<string>[];
  /** Zones of the subnets, in the same order, where a provider needs them (Alibaba Cloud). */
  zoneIds?: pulumi.Input<string>[];
}

/** OIDC trust for Kubernetes service accounts (IRSA on EKS, RRSA on ACK). */
export interface WorkloadIdentity {
  cloud: "aws" | "alicloud";
  /** ARN of the OIDC provider registered in the cloud IAM. */
  providerArn: pulumi.Input<string>;
  /** Issuer URL of the cluster's service-account tokens (with https://). */
  issuerUrl: pulumi.Input<string>;
}

/** Customer-managed encryption keys (rotation on), by purpose. Absent on clouds/targets without KMS. */
export interface EncryptionKeys {
  database?: pulumi.Input<string>;
  backups?: pulumi.Input<string>;
  clusterSecrets?: pulumi.Input<string>;
}

/** Reference to a key of an existing Kubernetes Secret. */
export interface SecretKeyRef {
  name: pulumi.Input<string>;
  key: string;
}

/** How an application reaches a data store. Passwords are Pulumi secrets only. */
export interface DatabaseConnection {
  engine: "postgres" | "redis";
  host: pulumi.Output<string>;
  port: pulumi.Output<number>;
  /** PostgreSQL only. */
  user?: pulumi.Output<string>;
  /** PostgreSQL only. */
  database?: pulumi.Output<string>;
  /** Secret output. */
  password: pulumi.Output<string>;
  /** Whether clients must use TLS. */
  tls: boolean;
  /** Kubernetes target: the Secret holding `password` (and `url`), for AppService secret references. */
  secretRef?: { name: pulumi.Output<string>; passwordKey: string; urlKey: string };
}
