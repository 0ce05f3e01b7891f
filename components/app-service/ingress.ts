/**
 * ingress-nginx specifics: annotations and the response security headers. Kept apart from the manifests
 * because they change with the controller, not with the workload.
 *
 * Response headers are set without snippet annotations (disabled by default since ingress-nginx 1.9): the
 * `custom-headers` annotation names a ConfigMap in the Ingress's namespace whose entries are sent to the client.
 * The controller accepts a header only when its name is listed in its ConfigMap key
 * `global-allowed-response-headers`: components/lib/http-headers.ts holds that list and the edge installs the
 * controller with it.
 */

import { ALLOWED_RESPONSE_HEADERS, isAllowedResponseHeader } from "../lib/http-headers";

/** The ingress class the platform installs. */
export const INGRESS_CLASS = "nginx";

const PREFIX = "nginx.ingress.kubernetes.io";

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

/** Header names the controller's `global-allowed-response-headers` must list for the defaults to apply. */
export const SECURITY_HEADER_NAMES = Object.keys(DEFAULT_SECURITY_HEADERS);

// The same character classes ingress-nginx's custom-headers parser accepts; anything else makes the controller
// deny the whole location (HTTP 503), so it is refused here instead.
const HEADER_NAME = /^[a-zA-Z\d\-_]+$/;
const HEADER_VALUE = /^[a-zA-Z\d_ :;.,\\/"'?!(){}\[\]@<>=\-+*#$&`|~^%]+$/;

export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "must be a header name of letters, digits, '-' and '_'";
  if (!isAllowedResponseHeader(name)) {
    return `must be a header the ingress controller allows (${ALLOWED_RESPONSE_HEADERS.join(", ")}); add it to components/lib/http-headers.ts to allow more`;
  }
  return undefined;
}

export function headerValueProblem(value: string): string | undefined {
  return HEADER_VALUE.test(value)
    ? undefined
    : "must be a non-empty header value of printable ASCII characters accepted by ingress-nginx";
}

/** Security headers merged with the user's extra headers (user values win). */
export function responseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { ...DEFAULT_SECURITY_HEADERS, ...extra };
}

export interface IngressAnnotationOptions {
  namespace: string;
  headersConfigMapName: string;
  clusterIssuer: string;
  rateLimit?: { rps: number; burst: number };
}

/** Annotations for one service's Ingress. Values are strings because Kubernetes annotations are. */
export function ingressAnnotations(options: IngressAnnotationOptions): Record<string, string> {
  const out: Record<string, string> = {
    "cert-manager.io/cluster-issuer": options.clusterIssuer,
    [`${PREFIX}/ssl-redirect`]: "true",
    [`${PREFIX}/force-ssl-redirect`]: "true",
    [`${PREFIX}/custom-headers`]: `${options.namespace}/${options.headersConfigMapName}`,
  };
  if (options.rateLimit) {
    out[`${PREFIX}/limit-rps`] = String(options.rateLimit.rps);
    out[`${PREFIX}/limit-burst-multiplier`] = String(options.rateLimit.burst / options.rateLimit.rps);
  }
  return out;
}
