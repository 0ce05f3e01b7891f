import type { RuleGroup } from "../../lib/alerts";
import type { AlertThresholds } from "../thresholds";
import { thresholdPair } from "./pair";

/** cert-manager certificate expiry: a renewal that keeps failing shows up weeks before users see it. */
export function certificateRules(t: AlertThresholds): RuleGroup[] {
  return [
    {
      name: "platform-certificates",
      rules: thresholdPair({
        base: "CertificateExpiry",
        expr: (days) => `(certmanager_certificate_expiration_timestamp_seconds - time()) < ${days} * 86400`,
        thresholds: t.certificateExpiryDays,
        for: { warning: "1h", critical: "10m" },
        summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires soon",
        description: (days) =>
          `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }} (threshold ${days} days); cert-manager has not renewed it.`,
      }),
    },
  ];
}
