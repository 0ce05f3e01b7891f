import * as fs from "fs";
import * as https from "https";
import { parse } from "yaml";

/**
 * Reads objects back from the local control plane's API server (what the cluster really holds after
 * `pulumi up`), with the bearer token of the engine cluster's kubeconfig. The local API server's certificate
 * is self-signed, so TLS verification is off for this loopback connection only.
 */
export class KubeApi {
  private readonly server: string;
  private readonly token: string;
  private readonly agent = new https.Agent({ rejectUnauthorized: false });

  constructor(kubeconfigPath: string) {
    const doc = parse(fs.readFileSync(kubeconfigPath, "utf8"));
    this.server = doc.clusters[0].cluster.server;
    this.token = doc.users[0].user.token;
    if (!/^https:\/\/127\.0\.0\.1:\d+$/.test(this.server)) throw new Error(`engine cluster must be on 127.0.0.1, got ${this.server}`);
  }

  /** GET a path; undefined on 404. */
  get<T = any>(apiPath: string): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      const req = https.request(`${this.server}${apiPath}`, {
        agent: this.agent,
        headers: { Authorization: `Bearer ${this.token}`, Accept: "application/json" },
      }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          if (res.statusCode === 404) return resolve(undefined);
          if (res.statusCode !== 200) return reject(new Error(`GET ${apiPath}: ${res.statusCode} ${body.slice(0, 300)}`));
          resolve(JSON.parse(body) as T);
        });
      });
      req.on("error", reject);
      req.setTimeout(15000, () => req.destroy(new Error(`GET ${apiPath}: timeout`)));
      req.end();
    });
  }

  /** POST a JSON body; returns the status and raw body (no throw), for admission checks. */
  post(apiPath: string, body: unknown): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = https.request(`${this.server}${apiPath}`, {
        method: "POST",
        agent: this.agent,
        headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) },
      }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end(data);
    });
  }

  /** Items of a list path (`/apis/apps/v1/namespaces/x/deployments`); [] when the kind or namespace is absent. */
  async list(apiPath: string): Promise<any[]> {
    return ((await this.get<{ items: any[] }>(apiPath))?.items) ?? [];
  }
}

/** API list paths of the kinds the library creates, namespaced by `{ns}`. */
export const KIND_PATHS = {
  Deployment: "/apis/apps/v1/namespaces/{ns}/deployments",
  Service: "/api/v1/namespaces/{ns}/services",
  Secret: "/api/v1/namespaces/{ns}/secrets",
  ConfigMap: "/api/v1/namespaces/{ns}/configmaps",
  ServiceAccount: "/api/v1/namespaces/{ns}/serviceaccounts",
  Pod: "/api/v1/namespaces/{ns}/pods",
  NetworkPolicy: "/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies",
  Ingress: "/apis/networking.k8s.io/v1/namespaces/{ns}/ingresses",
  HorizontalPodAutoscaler: "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers",
  PodDisruptionBudget: "/apis/policy/v1/namespaces/{ns}/poddisruptionbudgets",
  CronJob: "/apis/batch/v1/namespaces/{ns}/cronjobs",
  Job: "/apis/batch/v1/namespaces/{ns}/jobs",
  ServiceMonitor: "/apis/monitoring.coreos.com/v1/namespaces/{ns}/servicemonitors",
  PodMonitor: "/apis/monitoring.coreos.com/v1/namespaces/{ns}/podmonitors",
  PrometheusRule: "/apis/monitoring.coreos.com/v1/namespaces/{ns}/prometheusrules",
} as const;

export function kindPath(kind: keyof typeof KIND_PATHS, namespace: string): string {
  return KIND_PATHS[kind].replace("{ns}", namespace);
}
