import type { RuleGroup } from "../../lib/alerts";

/** Name of the always-firing alert that proves the pipeline works end to end (dead-man's switch). */
export const WATCHDOG_ALERT = "Watchdog";

export function watchdogRules(): RuleGroup[] {
  return [
    {
      name: "platform-watchdog",
      rules: [
        {
          alert: WATCHDOG_ALERT,
          expr: "vector(1)",
          for: "0m",
          severity: "info",
          summary: "Alerting pipeline heartbeat",
          description:
            "Always firing. Routed to the dead-man's-switch receiver, which raises an incident when the heartbeat stops.",
        },
      ],
    },
  ];
}
