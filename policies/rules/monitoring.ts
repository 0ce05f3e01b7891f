/** Monitoring: every alert rule routes by severity and links its runbook. */
import { parse } from "yaml";
import { resourceCheck } from "./framework";
import { PROMETHEUS_RULE } from "./k8s";

const DOCKER_CONTAINER = "docker:index/container:Container";

/** Alerting rules in a resource: PrometheusRule objects, or rule files uploaded into a Prometheus container. */
function alertRules(type: string, props: any): Array<{ where: string; rule: any }> {
  const groups: Array<{ where: string; group: any }> = [];
  if (type === PROMETHEUS_RULE) {
    for (const g of props.spec?.groups ?? []) groups.push({ where: `group "${g.name}"`, group: g });
  } else {
    for (const u of props.uploads ?? []) {
      if (typeof u.file !== "string" || !/\.ya?ml$/.test(u.file) || typeof u.content !== "string") continue;
      let doc: any;
      try {
        doc = parse(u.content);
      } catch {
        continue; // not YAML: not a rule file
      }
      for (const g of Array.isArray(doc?.groups) ? doc.groups : []) groups.push({ where: `${u.file} group "${g?.name}"`, group: g });
    }
  }
  return groups.flatMap(({ where, group }) => (group?.rules ?? []).filter((r: any) => r?.alert).map((rule: any) => ({ where, rule })));
}

export const alertRuleLabels = resourceCheck<{ severities: string[] }>({
  name: "alert-rule-severity-runbook",
  description: "Every alert rule carries a severity label from the routing enum and a runbook_url annotation, so it pages the right people with instructions.",
  severity: "high",
  remediation: "Add labels.severity (critical | warning | info) and annotations.runbook_url (docs/runbooks/<Alert>.md); the lib/alerts model does both.",
  enforcementLevel: "mandatory",
  category: "monitoring",
  types: [PROMETHEUS_RULE, DOCKER_CONTAINER],
  config: {
    severities: { type: "array", items: { type: "string" }, default: ["critical", "warning", "info"], description: "Allowed severity label values (the Alertmanager routes)." },
  },
  validate: (r, config) => {
    const out: string[] = [];
    for (const { where, rule } of alertRules(r.type, r.props)) {
      const severity = rule.labels?.severity;
      if (!config.severities.includes(severity)) out.push(`${where} alert ${rule.alert}: severity ${JSON.stringify(severity ?? null)} is not one of ${config.severities.join(", ")}`);
      const runbook = rule.annotations?.runbook_url;
      if (typeof runbook !== "string" || !/^https?:\/\/\S+$/.test(runbook)) out.push(`${where} alert ${rule.alert}: no runbook_url annotation`);
    }
    return out;
  },
});

export const monitoringPolicies = [alertRuleLabels];
