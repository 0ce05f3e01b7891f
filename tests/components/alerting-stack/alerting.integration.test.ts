import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { validateAlertingStackArgs } from "../../../components/alerting-stack";
import { wechatSecretPlaceholder } from "../../../components/alerting-stack/receivers";
import type { PrometheusRuleFile } from "../../../components/lib/alerts";
import {
  promtoolCheckRules,
  promtoolTestRules,
  requireTool,
  run,
  tempDir,
  writeYaml,
  type PromtoolTestGroup,
} from "../../helpers/tools";
import { ctxFor, fullArgs } from "./fixtures";
import { builtInAlertTests, withoutAnnotations } from "./promtool-cases";

const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
const TARGETS = ["docker", "kubernetes"] as const;

function renderFor(env: (typeof ENVIRONMENTS)[number], target: (typeof TARGETS)[number]) {
  return validateAlertingStackArgs("alerting", fullArgs(), ctxFor(env, target));
}

describe("generated rule files pass promtool check rules", () => {
  for (const env of ENVIRONMENTS) {
    for (const target of TARGETS) {
      test(`${env} on ${target}: every rule file`, () => {
        const rendered = renderFor(env, target);
        expect(Object.keys(rendered.ruleFiles)).toEqual(expect.arrayContaining(["builtin", "custom", "slo", "databases"]));
        for (const [source, file] of Object.entries(rendered.ruleFiles)) {
          const out = promtoolCheckRules(file);
          expect(`${source}: ${out}`).toMatch(/SUCCESS: \d+ rules found/);
        }
      });
    }
  }

  test("a custom rule with invalid PromQL is rejected by promtool", () => {
    const rendered = validateAlertingStackArgs(
      "alerting",
      fullArgs({
        customRules: [{ alert: "Broken", expr: "sum(rate(x[5m]) >", for: "5m", severity: "warning", summary: "s", description: "d" }],
      }),
      ctxFor("prod", "kubernetes"),
    );
    expect(() => promtoolCheckRules(rendered.ruleFiles.custom)).toThrow(/parse error|unexpected/i);
  });
});

describe("promtool test rules: every built-in alert fires and stays silent", () => {
  const rendered = renderFor("prod", "kubernetes");
  const allRules: PrometheusRuleFile = withoutAnnotations({
    groups: [...rendered.ruleFiles.builtin.groups, ...rendered.ruleFiles.slo.groups],
  });
  const cases = builtInAlertTests();

  test("the cases cover every built-in alert with a firing and a silent case", () => {
    const alerts = allRules.groups.flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.alert as string));
    for (const alert of new Set(alerts)) {
      if (alert === "Watchdog") continue; // always firing by design; covered by its firing case below
      const tests = cases.flatMap((c) => c.alert_rule_test ?? []).filter((t) => t.alertname === alert);
      expect({ alert, firing: tests.some((t) => t.exp_alerts.length > 0) }).toEqual({ alert, firing: true });
      expect({ alert, silent: tests.some((t) => t.exp_alerts.length === 0) }).toEqual({ alert, silent: true });
    }
  });

  test("promtool accepts every case", () => {
    const out = promtoolTestRules(allRules, cases);
    expect(out).toMatch(/SUCCESS/);
  });

  test("a broken expectation makes promtool fail (the harness can fail)", () => {
    const wrong: PromtoolTestGroup[] = [
      {
        interval: "1m",
        input_series: [{ series: "up{job=\"api\",instance=\"a:1\"}", values: "1x10" }],
        alert_rule_test: [{ eval_time: "10m", alertname: "TargetDown", exp_alerts: [{ exp_labels: { job: "api" } }] }],
      },
    ];
    expect(() => promtoolTestRules(allRules, wrong)).toThrow(/FAILED/);
  });
});

/** Writes the config with secret files pointing into `dir`, as Alertmanager would find them. */
function materialise(config: Record<string, unknown>, dir: string, secretDir: string): string {
  let json = JSON.stringify(config).split(secretDir).join(path.join(dir, "secrets"));
  json = json.split(wechatSecretPlaceholder("wecom")).join("dummy-wechat-secret");
  fs.mkdirSync(path.join(dir, "secrets"), { recursive: true });
  for (const name of ["pager", "critical-chat", "monitoring-chat", "oncall-email", "ops-digest", "wecom", "deadman"]) {
    fs.writeFileSync(path.join(dir, "secrets", name), name === "critical-chat" || name === "monitoring-chat" ? "https://hooks.slack.test/x" : "dummy");
  }
  return writeYaml(path.join(dir, "alertmanager.yml"), JSON.parse(json));
}

describe("generated Alertmanager configs pass amtool", () => {
  beforeAll(() => requireTool("amtool", "prometheus-alertmanager"));

  for (const env of ENVIRONMENTS) {
    for (const target of TARGETS) {
      test(`${env} on ${target}: amtool check-config and routing`, () => {
        const rendered = renderFor(env, target);
        const secretDir = target === "docker" ? "/etc/alertmanager/secrets" : "/etc/alertmanager/secrets/alerting-receivers";
        const raw = JSON.stringify(rendered.alertmanagerConfig);
        expect(raw).toContain(`${secretDir}/pager`);
        const { dir, cleanup } = tempDir("amtool");
        try {
          const file = materialise(rendered.alertmanagerConfig, dir, secretDir);
          const check = run("amtool", ["check-config", file]);
          expect(check).toMatch(/SUCCESS/);
          expect(check).toMatch(/2 inhibit rules/);
          expect(check).toMatch(/8 receivers/);

          const routeTest = (labels: string[], expected: string) =>
            run("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${expected}`, ...labels]).trim();
          expect(routeTest(["severity=critical", `environment=${env}`, "alertname=HttpErrorRateCritical"], "pager,critical-chat,oncall-email")).toBe(
            "pager,critical-chat,oncall-email",
          );
          expect(routeTest(["severity=warning", `environment=${env}`, "alertname=HttpErrorRateHigh"], "monitoring-chat,wecom")).toBe(
            "monitoring-chat,wecom",
          );
          expect(routeTest(["severity=info", `environment=${env}`, "alertname=Something"], "ops-digest")).toBe("ops-digest");
          expect(routeTest(["severity=info", `environment=${env}`, "alertname=Watchdog"], "deadman")).toBe("deadman");
          // An alert from another environment does not page this stack's pager.
          expect(routeTest(["severity=critical", "environment=elsewhere", "alertname=X"], "monitoring-chat")).toBe("monitoring-chat");
          // --verify.receivers makes amtool fail on a mismatch: the check itself can fail.
          expect(() => routeTest(["severity=warning", `environment=${env}`, "alertname=X"], "pager")).toThrow(/exited/);
        } finally {
          cleanup();
        }
      });
    }
  }

  test("inhibition: critical mutes warning and info with the same alertname and namespace", () => {
    const config = renderFor("prod", "kubernetes").alertmanagerConfig as { inhibit_rules: unknown[]; route: { routes: Array<Record<string, unknown>> } };
    expect(config.inhibit_rules).toContainEqual({
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity=~"warning|info"'],
      equal: ["alertname", "namespace"],
    });
    const critical = config.route.routes.find((r) => (r.matchers as string[]).includes('severity="critical"'))!;
    expect(critical).toMatchObject({ group_wait: "0s", repeat_interval: "15m" });
    const warning = config.route.routes.find((r) => (r.matchers as string[]).includes('severity="warning"'))!;
    expect(warning).toMatchObject({ repeat_interval: "1h" });
  });

  test("the rendered config references secret files and contains no secret value", () => {
    const rendered = renderFor("prod", "kubernetes");
    const { dir, cleanup } = tempDir("amtool-missing");
    try {
      const json = JSON.stringify(rendered.alertmanagerConfig).split(wechatSecretPlaceholder("wecom")).join("x");
      const file = writeYaml(path.join(dir, "alertmanager.yml"), parse(JSON.stringify(JSON.parse(json))));
      const fileText = fs.readFileSync(file, "utf8");
      expect(fileText).toContain("api_url_file: /etc/alertmanager/secrets/alerting-receivers/critical-chat");
      expect(fileText).not.toMatch(/hooks\.slack\.test|pd-routing-key|smtp-password|dms-token|wechat-app-secret/);
    } finally {
      cleanup();
    }
  });
});
