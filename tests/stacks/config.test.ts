import { parseRoot, runbookBaseFromRepository } from "../../stacks/config";

describe("root config: the runbook base comes from the stack's own settings", () => {
  const base = { environment: "prod", target: "kubernetes", cloud: "aws" };

  test("derived from repository.url (and ref), per repository host", () => {
    expect(parseRoot({ ...base, repository: { url: "https://github.com/acme/platform-stacks" } }).runbookBaseUrl).toBe(
      "https://github.com/acme/platform-stacks/blob/main/docs/runbooks/",
    );
    expect(runbookBaseFromRepository("https://gitlab.example.com/ops/platform.git", "release")).toBe("https://gitlab.example.com/ops/platform/-/blob/release/docs/runbooks/");
    expect(runbookBaseFromRepository("https://bitbucket.org/acme/platform/", "main")).toBe("https://bitbucket.org/acme/platform/src/main/docs/runbooks/");
  });

  test("an explicit runbookBaseUrl wins", () => {
    const root = parseRoot({ ...base, repository: { url: "https://github.com/acme/p" }, runbookBaseUrl: "https://wiki.example.com/runbooks/" });
    expect(root.runbookBaseUrl).toBe("https://wiki.example.com/runbooks/");
  });

  test("neither is refused instead of pointing every alert at a placeholder", () => {
    expect(() => parseRoot(base)).toThrow(/platform:runbookBaseUrl: is required: every alert links its runbook there\. Set platform:repository\.url .* \(got undefined\)/);
  });

  test("a repository that is not a URL, or an unknown field in it, is refused with its key path", () => {
    expect(() => parseRoot({ ...base, repository: { url: "github.com/acme" } })).toThrow(/platform:repository\.url: .*\(got "github\.com\/acme"\)/);
    expect(() => parseRoot({ ...base, repository: { url: "https://github.com/acme/p", branch: "x" } })).toThrow(/platform:repository\.branch: unknown key \(allowed: url, ref\)/);
  });
});
