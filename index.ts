// Pulumi entry point: load typed config -> plan (validate everything) -> build -> export outputs.
import { runEntry } from "./stacks/program";

const outputs = runEntry();

export const environment = outputs.environment;
export const target = outputs.target;
export const cloud = outputs.cloud;
export const serviceUrls = outputs.serviceUrls;
export const publicHosts = outputs.publicHosts;
export const databaseEndpoints = outputs.databaseEndpoints;
export const backupDestinations = outputs.backupDestinations;
export const grafanaUrl = outputs.grafanaUrl;
export const ingressEndpoint = outputs.ingressEndpoint;
export const clusterName = outputs.clusterName;
export const vpcId = outputs.vpcId;
export const kubeconfig = outputs.kubeconfig;
