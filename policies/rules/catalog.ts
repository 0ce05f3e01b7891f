/** Every policy of the pack, in report order. The entry file (index.ts) serves exactly this list. */
import { alicloudPolicies } from "./alicloud";
import { alicloudDataStorePolicies } from "./alicloud-data-stores";
import { awsPolicies } from "./aws";
import { awsDataStorePolicies } from "./aws-data-stores";
import { dataProtectionPolicies } from "./data-protection";
import type { PlatformPolicy } from "./framework";
import { availabilityPolicies } from "./k8s-availability";
import { networkPolicies } from "./k8s-network";
import { workloadPolicies } from "./k8s-workloads";
import { monitoringPolicies } from "./monitoring";

export const allPolicies: PlatformPolicy[] = [
  ...workloadPolicies,
  ...availabilityPolicies,
  ...networkPolicies,
  ...awsPolicies,
  ...awsDataStorePolicies,
  ...alicloudPolicies,
  ...alicloudDataStorePolicies,
  ...dataProtectionPolicies,
  ...monitoringPolicies,
];

export const policyNames: string[] = allPolicies.map((p) => p.name);
