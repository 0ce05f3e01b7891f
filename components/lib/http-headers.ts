/**
 * Response headers a route may set. They travel in the Gateway API's standard ResponseHeaderModifier filter
 * (and, on Docker, in the nginx edge's `add_header`), so names follow the Gateway API grammar (RFC 7230 tokens)
 * and values its limits. Headers that frame the message or belong to one hop are refused: rewriting them breaks
 * responses instead of hardening them.
 */

/** Gateway API HTTPHeaderName: an RFC 7230 token, at most 256 characters. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;
/** Printable ASCII and spaces, 1 to 4096 characters (the HTTPHeader value limit), no leading/trailing space. */
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e]{0,4094}[\x21-\x7e])?$/;

/** Hop-by-hop and framing headers a route must not set. */
export const FORBIDDEN_RESPONSE_HEADERS: readonly string[] = [
  "Connection", "Content-Length", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
];

/** At most this many headers per route: the ResponseHeaderModifier `set` list holds 16. */
export const MAX_RESPONSE_HEADERS = 16;

export function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "must be an HTTP header name (RFC 7230 token: letters, digits and !#$%&'*+-.^_`|~, at most 256 characters)";
  if (FORBIDDEN_RESPONSE_HEADERS.some((h) => h.toLowerCase() === name.toLowerCase())) {
    return `must not be a hop-by-hop or framing header (${FORBIDDEN_RESPONSE_HEADERS.join(", ")})`;
  }
  return undefined;
}

export function headerValueProblem(value: string): string | undefined {
  return HEADER_VALUE.test(value)
    ? undefined
    : "must be 1 to 4096 printable ASCII characters without leading or trailing spaces";
}
