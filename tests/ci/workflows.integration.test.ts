import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../helpers/stack";
import { tempDir } from "../helpers/tools";

/** Where .ci/run installs actionlint (built from the Go module proxy; no Debian package exists). */
const TOOLS_BIN = process.env.PLATFORM_TOOLS_BIN ?? path.join(os.homedir(), ".cache", "platform-tools", "bin");

function actionlint(): string {
  const cached = path.join(TOOLS_BIN, "actionlint");
  if (fs.existsSync(cached)) return cached;
  const onPath = spawnSync("bash", ["-c", "command -v actionlint"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  throw new Error(`actionlint is not installed; bash .ci/run installs it into ${TOOLS_BIN} (GOBIN=${TOOLS_BIN} go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12)`);
}

function lint(files: string[]): { status: number | null; output: string } {
  const r = spawnSync(actionlint(), ["-no-color", ...files], { cwd: REPO_ROOT, encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("GitHub workflows", () => {
  it("every workflow passes actionlint (with shellcheck on its run: scripts)", () => {
    const dir = path.join(REPO_ROOT, ".github", "workflows");
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(dir, f));
    expect(files.length).toBeGreaterThan(0);
    const { status, output } = lint(files);
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("actionlint does report a broken workflow", () => {
    const { dir, cleanup } = tempDir("actionlint");
    try {
      const file = path.join(dir, "broken.yml");
      fs.writeFileSync(file, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.name }}\n");
      const { status, output } = lint([file]);
      expect(status).not.toBe(0);
      expect(output).toMatch(/evnt/);
    } finally {
      cleanup();
    }
  });
});
