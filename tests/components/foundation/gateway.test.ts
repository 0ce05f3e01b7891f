import {
  clientTrafficPolicyManifest, clusterIssuerManifest, envoyGatewayValues, envoyProxyManifest, gatewayManifest,
  loadBalancerAnnotations, ACME_SERVERS, type EdgeGatewayInput,
} from "../../../components/foundation";
import { edgeProblems } from "../../../components/foundation/edge";
import { edgeAlertRules, ENVOY_PROXY_JOB } from "../../../components/foundation/edge-alerts";
import { envoyPodMonitorManifest } from "../../../components/foundation/gateway-manifests";
import { alertRules } from "../../../components/lib/alerts";
import { Problems } from "../../../components/lib/validation";

const input = (over: Partial<EdgeGatewayInput> = {}): EdgeGatewayInput => ({
  cloud: "aws", visibility: "public", replicas: 3, routeNamespace: "platform", clusterIssuer: "letsencrypt-prod", behindCdn: false,
  hosts: [{ host: "app.example.com", visibility: "public", tlsSecretName: "app-example-com-tls" }],
  ...over,
});

describe("pure edge builders", () => {
  test("ClusterIssuer per ACME server solves HTTP-01 through the public Gateway's HTTP listener", () => {
    const staging = clusterIssuerManifest("staging", "ops@example.com");
    expect(staging.metadata.name).toBe("letsencrypt-staging");
    expect((staging.spec.acme as { server: string }).server).toBe(ACME_SERVERS.staging);
    expect(JSON.stringify(staging.spec)).not.toContain("ingress");
    expect(clusterIssuerManifest("production", "ops@example.com").metadata.name).toBe("letsencrypt-prod");
  });

  test("load balancer annotations: AWS NLB through the Load Balancer Controller with proxy protocol; Alibaba CLB internet/intranet; none without a cloud", () => {
    const aws = loadBalancerAnnotations("aws", "public");
    expect(aws["service.beta.kubernetes.io/aws-load-balancer-type"]).toBe("external");
    expect(aws["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"]).toBe("ip");
    expect(aws["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"]).toBe("*");
    expect(loadBalancerAnnotations("aws", "internal")["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internal");
    expect(loadBalancerAnnotations("alicloud", "internal")["service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type"]).toBe("intranet");
    expect(loadBalancerAnnotations("none", "public")).toEqual({});
  });

  test("EnvoyProxy: bounded proxies spread over zones with a PDB; an internal Gateway without a cloud gets no load balancer", () => {
    const k = (envoyProxyManifest(input()).spec.provider as any).kubernetes;
    expect(k.envoyDeployment.replicas).toBe(3);
    expect(k.envoyDeployment.container.resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
    expect(k.envoyDeployment.pod.topologySpreadConstraints[0].labelSelector.matchLabels["gateway.envoyproxy.io/owning-gateway-name"]).toBe("public");
    expect(k.envoyPDB).toEqual({ minAvailable: 1 });
    const single = (envoyProxyManifest(input({ replicas: 1 })).spec.provider as any).kubernetes;
    expect(single.envoyPDB).toBeUndefined();
    const none = (envoyProxyManifest(input({ cloud: "none", visibility: "internal" })).spec.provider as any).kubernetes;
    expect(none.envoyService).toEqual({ type: "ClusterIP" });
  });

  test("Gateway: only 80 and 443 listeners, certificates per host from the annotated issuer", () => {
    const gw = gatewayManifest(input({ hosts: [
      { host: "a.example.com", visibility: "public", tlsSecretName: "a-tls" },
      { host: "b.example.com", visibility: "public", tlsSecretName: "b-tls" },
    ] }));
    const listeners = gw.spec.listeners as Array<{ port: number; protocol: string; tls?: { certificateRefs: Array<{ name: string }> } }>;
    expect(new Set(listeners.map((l) => l.port))).toEqual(new Set([80, 443]));
    expect(listeners.filter((l) => l.protocol === "HTTPS").map((l) => l.tls!.certificateRefs[0].name)).toEqual(["a-tls", "b-tls"]);
    expect(gw.metadata.annotations).toEqual({ "cert-manager.io/cluster-issuer": "letsencrypt-prod" });
  });

  test("Gateway: only the HTTPS listener of a host serving gRPC admits GRPCRoutes; the redirect listener never does", () => {
    const gw = gatewayManifest(input({ hosts: [
      { host: "a.example.com", visibility: "public", tlsSecretName: "a-tls" },
      { host: "grpc.example.com", visibility: "public", tlsSecretName: "grpc-tls", grpc: true },
    ] }));
    const kinds = Object.fromEntries((gw.spec.listeners as Array<{ name: string; allowedRoutes: { kinds: Array<{ kind: string }> } }>)
      .map((l) => [l.name, l.allowedRoutes.kinds.map((k) => k.kind)]));
    expect(kinds).toEqual({
      http: ["HTTPRoute"],
      "https-a.example.com": ["HTTPRoute"],
      "https-grpc.example.com": ["HTTPRoute", "GRPCRoute"],
    });
  });

  test("client IP: proxy protocol on AWS; behind a CDN exactly one X-Forwarded-For hop is trusted; otherwise none", () => {
    const aws = clientTrafficPolicyManifest(input()).spec as any;
    expect(aws.proxyProtocol).toEqual({});
    expect(aws.clientIPDetection).toBeUndefined();
    const cdn = clientTrafficPolicyManifest(input({ cloud: "alicloud", behindCdn: true })).spec as any;
    expect(cdn.proxyProtocol).toBeUndefined();
    expect(cdn.clientIPDetection).toEqual({ xForwardedFor: { numTrustedHops: 1 } });
    // The internal Gateway is not behind the CDN.
    expect((clientTrafficPolicyManifest(input({ visibility: "internal", behindCdn: true })).spec as any).clientIPDetection).toBeUndefined();
    expect(aws.tls).toEqual({ minVersion: "1.2" });
    expect(aws.timeout.http.requestHeadersReceivedTimeout).toBe("15s");
  });

  test("Envoy Gateway values: chart installs the CRDs; the control plane gets two replicas when the proxies have several", () => {
    expect(envoyGatewayValues({ replicas: 3 })).toMatchObject({ crds: { enabled: true }, deployment: { replicas: 2 }, podDisruptionBudget: { minAvailable: 1 } });
    expect(envoyGatewayValues({ replicas: 1 })).toMatchObject({ deployment: { replicas: 1 } });
  });

  test("edge args: duplicate hosts and bad host names are refused with their key paths", () => {
    const problems = new Problems("Edge args");
    edgeProblems({
      cloud: "aws", acmeEmail: "ops@example.com", acmeServer: "staging", ingressReplicas: 2,
      hosts: [
        { host: "app.example.com", visibility: "public", tlsSecretName: "a" },
        { host: "app.example.com", visibility: "internal", tlsSecretName: "a" },
        { host: "Bad_Host", visibility: "public", tlsSecretName: "b" },
      ],
    }, problems, "edge");
    const text = (() => { try { problems.throwIfAny(); return ""; } catch (e) { return (e as Error).message; } })();
    expect(text).toContain("edge.hosts[1].host: is listed twice");
    expect(text).toContain("edge.hosts[2].host: must be a host name");
  });

  test("edge alerts: 5xx ratio and P95 latency per Gateway on the proxies' HTTPS listeners, thresholds from the args", () => {
    const rules = alertRules(edgeAlertRules({ errorRatePercent: { warning: 2, critical: 10 }, latencyP95Seconds: { warning: 0.5, critical: 2 } }));
    expect(rules.map((r) => `${r.alert}/${r.severity}/${r.for}`)).toEqual([
      "EdgeHttpErrorRateHigh/warning/5m", "EdgeHttpErrorRateCritical/critical/2m", "EdgeLatencyP95High/warning/5m", "EdgeLatencyP95Critical/critical/2m",
    ]);
    const [high, critical, slow] = rules;
    expect(high.expr).toContain('envoy_http_downstream_rq_xx{job="envoy-gateway-proxy", envoy_http_conn_manager_prefix=~"https-[0-9]+", envoy_response_code_class="5"}');
    expect(high.expr).toContain("sum by (job, gateway)");
    expect(high.expr).toMatch(/> 2$/);
    expect(critical.expr).toMatch(/> 10$/);
    // Envoy's histogram is in milliseconds.
    expect(slow.expr).toContain("envoy_http_downstream_rq_time_bucket");
    expect(slow.expr).toMatch(/\/ 1000 > 0\.5$/);
    expect(new Set(rules.map((r) => r.runbook))).toEqual(new Set(["EdgeHttpErrorRate", "EdgeLatencyP95"]));
    // The job the alerts select is the one the PodMonitor writes.
    const relabel = (envoyPodMonitorManifest({}).spec as any).podMetricsEndpoints[0].relabelings;
    expect(relabel).toContainEqual(expect.objectContaining({ targetLabel: "job", replacement: ENVOY_PROXY_JOB }));
    expect(relabel).toContainEqual(expect.objectContaining({ targetLabel: "gateway" }));
  });

  test("edge args: alert thresholds out of order or not positive are refused with their key paths", () => {
    const problems = new Problems("Edge args");
    edgeProblems({
      cloud: "aws", acmeEmail: "ops@example.com", acmeServer: "staging", ingressReplicas: 2,
      alertThresholds: { errorRatePercent: { warning: 5, critical: 1 }, latencyP95Seconds: { warning: 0, critical: 3 } },
    }, problems, "edge");
    const text = (() => { try { problems.throwIfAny(); return ""; } catch (e) { return (e as Error).message; } })();
    expect(text).toContain("edge.alertThresholds.errorRatePercent: warning (5) must be below critical (1)");
    expect(text).toContain("edge.alertThresholds.latencyP95Seconds");
    expect(text).toContain("must be positive numbers");
    const ok = new Problems("Edge args");
    edgeProblems({ cloud: "aws", acmeEmail: "ops@example.com", acmeServer: "staging", ingressReplicas: 2, alertThresholds: { errorRatePercent: { warning: 1, critical: 5 }, latencyP95Seconds: { warning: 1, critical: 3 } } }, ok, "edge");
    expect(ok.empty).toBe(true);
  });
});
