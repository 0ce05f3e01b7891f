// Entry file of the policy pack. It only assembles the rules: importing it starts the policy gRPC server,
// so tests import the modules under rules/ instead.
import { PolicyPack } from "@pulumi/policy";
import { alicloudPolicies } from "./rules/alicloud";
import { awsPolicies } from "./rules/aws";
import { kubernetesPolicies } from "./rules/kubernetes";

new PolicyPack("platform-guardrails", {
  policies: [...kubernetesPolicies, ...awsPolicies, ...alicloudPolicies],
});
