/**
 * Response headers an Ingress may set through ingress-nginx's `custom-headers` annotation. Since ingress-nginx
 * 1.12 the controller refuses (503) any location whose custom headers are not listed in its
 * `global-allowed-response-headers`; the edge installs the controller with exactly this list and AppService
 * refuses any other header up front, so the two cannot drift apart.
 */
export const ALLOWED_RESPONSE_HEADERS: readonly string[] = [
  "Strict-Transport-Security",
  "X-Frame-Options",
  "X-Content-Type-Options",
  "Referrer-Policy",
  "X-XSS-Protection",
  "Content-Security-Policy",
  "Permissions-Policy",
  "Cross-Origin-Opener-Policy",
  "Cross-Origin-Resource-Policy",
];

export function isAllowedResponseHeader(name: string): boolean {
  return ALLOWED_RESPONSE_HEADERS.some((h) => h.toLowerCase() === name.toLowerCase());
}
