// Entry file of the policy pack. It only assembles the rules: importing it starts the policy gRPC server,
// so tests import the modules under rules/ instead.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies, policyNames } from "./rules/catalog";
import { loadExemptions, useExemptions } from "./rules/exemptions";

// A bad or expired exemption stops the pack here, naming the entry, before any resource is judged.
useExemptions(loadExemptions(policyNames, new Date()));

new PolicyPack("platform-guardrails", { policies: allPolicies });
