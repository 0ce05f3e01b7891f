/**
 * What a service's `ingress` settings become at the edge, independent of the target: the security headers every
 * exposed service sends, and the per-client rate limit translated to Envoy Gateway's token buckets. The Kubernetes
 * manifests (HTTPRoute, BackendTrafficPolicy) are built in ./kubernetes.ts; the Docker nginx edge reads the same
 * resolved settings.
 */

import { headerNameProblem, headerValueProblem } from "../lib/http-headers";

export { headerNameProblem, headerValueProblem };

/**
 * Security headers from the GreenLink nginx playbook (X-Frame-Options, X-Content-Type-Options, HSTS one year
 * with subdomains) plus Referrer-Policy. X-XSS-Protection is sent as "0": the playbook's "1; mode=block" drives the
 * browsers' removed XSS auditor, which could itself be abused; "0" is the current OWASP recommendation.
 */
export const DEFAULT_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-XSS-Protection": "0",
};

export const SECURITY_HEADER_NAMES = Object.keys(DEFAULT_SECURITY_HEADERS);

/** Security headers merged with the user's extra headers (user values win, names compared case-insensitively). */
export function responseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(DEFAULT_SECURITY_HEADERS)) {
    if (!Object.keys(extra).some((k) => k.toLowerCase() === name.toLowerCase())) out[name] = value;
  }
  return { ...out, ...extra };
}

/** The seeds' request body ceiling: nginx's default client_max_body_size (1m), which the playbooks keep. */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = "1Mi";

/** One Envoy token bucket: `requests` tokens, refilled in full every `unit`. */
export interface TokenBucket {
  requests: number;
  unit: "Second" | "Minute";
}

/**
 * nginx's `limit_req rate=<rps>r/s burst=<burst> nodelay` as Envoy local rate-limit buckets per client address.
 * Envoy refills a bucket in full once per unit and has no separate burst, so two buckets bound the client together:
 * at most rps + burst requests in any second (the burst nginx serves at once) and rps x 60 per minute (the
 * sustained rate). A request passes only if every matching bucket has a token.
 */
export function rateLimitBuckets(limit: { rps: number; burst: number }): TokenBucket[] {
  return [
    { requests: limit.rps + limit.burst, unit: "Second" },
    { requests: limit.rps * 60, unit: "Minute" },
  ];
}
