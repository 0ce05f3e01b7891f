import { parser } from "@prometheus-io/lezer-promql";

/**
 * Syntax check of a PromQL expression with the Prometheus project's own grammar (the one its web UI uses), so a
 * broken rule fails while planning rather than in promtool or a crash-looping Prometheus. It checks syntax only:
 * type errors (e.g. `rate()` over an instant vector) are left to `promtool check rules` in the integration tier.
 *
 * @returns undefined when the expression parses, otherwise where and what is wrong.
 */
export function promqlSyntaxProblem(expr: string): string | undefined {
  if (expr.trim() === "") return "is empty";
  const tree = parser.parse(expr);
  let errorAt: number | undefined;
  tree.iterate({
    enter(node) {
      if (errorAt === undefined && node.type.isError) errorAt = node.from;
    },
  });
  if (errorAt === undefined) return undefined;
  const near = expr.slice(Math.max(0, errorAt - 10), errorAt + 10);
  return errorAt >= expr.length
    ? "is not valid PromQL: it ends too early (unclosed bracket or missing operand?)"
    : `is not valid PromQL: syntax error at character ${errorAt + 1} (near "${near}")`;
}
