import { ALERT_FAMILY_LABEL, ALERT_IDENTITY_LABELS, SEVERITIES } from "../lib/alerts";
import { renderTiming, resolveGrouping, type AlertGrouping } from "./grouping";
import { renderReceiver, type Receiver } from "./receivers";
import { WATCHDOG_ALERT } from "./rules/watchdog";

/** Which receivers each severity notifies, plus the dead-man's switch for the Watchdog heartbeat. */
export interface AlertRoutes {
  /** Paged immediately (P0/P1): e.g. ["pager", "critical-chat", "oncall-email"]. */
  critical: string[];
  /** Chat (P2): e.g. ["monitoring-chat"]. */
  warning: string[];
  /** Email digest (P3): e.g. ["ops-digest"]. */
  info: string[];
  /** Receiver for the always-firing Watchdog alert. Without it the Watchdog is dropped. */
  watchdog?: string;
}

/** Receiver that discards; the root falls back to it only when nothing else is configured. */
export const NULL_RECEIVER = "null";

/**
 * kube-prometheus-stack's meta-alert: it fires whenever an info alert fires without a warning/critical in
 * its namespace, and exists only to feed the chart's own inhibit rule. Our Watchdog is `info` and always
 * firing, so the meta-alert would fire forever and reach the default receiver. The chart rule is disabled
 * (kubernetes.ts) and this route drops it should anyone turn it back on.
 */
export const INFO_INHIBITOR_ALERT = "InfoInhibitor";

/**
 * Inhibition: a more severe alert mutes a less severe one of the same family (`alert_family`, so a
 * critical mutes its differently named warning twin) about the same thing (every identity label equal,
 * so a critical on one Redis does not mute a warning on another).
 */
export const INHIBIT_EQUAL: readonly string[] = [ALERT_FAMILY_LABEL, ...ALERT_IDENTITY_LABELS];

export interface AlertmanagerConfigInput {
  environment: string;
  receivers: ReadonlyArray<Receiver>;
  routes: AlertRoutes;
  /** Where secret files live: receiver `r`'s secret is `${secretDir}/${r}`. */
  secretDir: string;
  /** group_by and timings of the root, severity and watchdog routes. @default DEFAULT_GROUPING */
  grouping?: AlertGrouping;
}

/**
 * Builds alertmanager.yml (as an object). Each severity route matches `severity` AND `environment` (the
 * external label Prometheus adds), then fans out to every named receiver through `continue: true`
 * children, so `amtool config routes test` lists all of them. Warning/info are inhibited while a
 * critical alert of the same family about the same thing fires (INHIBIT_EQUAL). Every route states its
 * grouping in full (resolveGrouping), so what a route does is readable without walking up the tree.
 */
export function buildAlertmanagerConfig(input: AlertmanagerConfigInput): Record<string, unknown> {
  const { environment, routes } = input;
  const grouping = resolveGrouping(input.grouping);
  const env = `environment="${environment}"`;
  const fanOut = (names: ReadonlyArray<string>) =>
    names.map((receiver, i) => ({ receiver, ...(i < names.length - 1 ? { continue: true } : {}) }));

  const severityRoutes = SEVERITIES.filter((s) => routes[s].length > 0).map((s) => ({
    receiver: routes[s][0],
    matchers: [`severity="${s}"`, env],
    ...renderTiming(grouping[s]),
    routes: fanOut(routes[s]),
  }));

  const watchdogRoute = routes.watchdog
    ? [
        {
          receiver: routes.watchdog,
          matchers: [`alertname="${WATCHDOG_ALERT}"`],
          // The heartbeat must reach the switch continuously (default: no grouping delay, repeats every minute).
          ...renderTiming(grouping.watchdog),
        },
      ]
    : [];
  // Watchdog without a switch is dropped rather than sent to a human channel every hour.
  const dropWatchdog = routes.watchdog ? [] : [{ receiver: NULL_RECEIVER, matchers: [`alertname="${WATCHDOG_ALERT}"`] }];
  const dropInfoInhibitor = [{ receiver: NULL_RECEIVER, matchers: [`alertname="${INFO_INHIBITOR_ALERT}"`] }];

  const root = routes.warning[0] ?? routes.critical[0] ?? routes.info[0] ?? NULL_RECEIVER;

  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: root,
      ...renderTiming(grouping),
      routes: [...watchdogRoute, ...dropWatchdog, ...dropInfoInhibitor, ...severityRoutes],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: [...INHIBIT_EQUAL],
      },
      {
        source_matchers: ['severity="warning"'],
        target_matchers: ['severity="info"'],
        equal: [...INHIBIT_EQUAL],
      },
    ],
    receivers: [
      { name: NULL_RECEIVER },
      ...input.receivers.map((r) => {
        const rendered = renderReceiver(r, `${input.secretDir}/${r.name}`);
        if (r.name === routes.watchdog && r.sendResolved === undefined) {
          // A resolved heartbeat would tell the switch everything is fine exactly when it is not.
          return setSendResolved(rendered, false);
        }
        return rendered;
      }),
    ],
  };
}

function setSendResolved(receiver: Record<string, unknown>, value: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...receiver };
  for (const [k, v] of Object.entries(receiver)) {
    if (k.endsWith("_configs") && Array.isArray(v)) out[k] = v.map((c) => ({ ...c, send_resolved: value }));
  }
  return out;
}
