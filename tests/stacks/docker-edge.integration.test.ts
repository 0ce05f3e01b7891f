import * as fs from "fs";
import * as path from "path";
import { unwrapSecrets } from "../helpers/mocks";
import { buildStack } from "../helpers/stack";
import { requireTool, run, tempDir } from "../helpers/tools";
import { DEV_SECRETS } from "./fixtures";

/**
 * A prod Docker stack with an ingress host (the bundled dev stack file run with the prod profile) records an
 * edge container; the nginx.conf it uploads passes the real `nginx -t` (Debian nginx-light), with a
 * self-signed certificate made at test time in place of the secret one.
 */
test("the prod Docker stack's edge nginx.conf passes nginx -t", async () => {
  requireTool("nginx", "nginx-light");
  requireTool("openssl", "openssl");
  const { recorder } = await buildStack("dev", { environment: "prod" }, { secrets: DEV_SECRETS });
  const edge = unwrapSecrets(recorder.one("docker:index/container:Container", "edge-container").inputs);
  const files: Record<string, string> = Object.fromEntries(edge.uploads.map((u: any) => [u.file, u.content]));
  const conf = files["/etc/nginx/platform/nginx.conf"];
  expect(Object.keys(files)).toEqual(expect.arrayContaining(["/etc/nginx/platform/tls/0.crt", "/etc/nginx/platform/tls/0.key"]));

  const { dir, cleanup } = tempDir("edge-stack");
  try {
    // The container paths, moved under a scratch directory: the config volume and the tmpfs.
    // (and the access log, which in the container is Docker's log pipe but under jest is a socket nginx cannot open).
    const local = conf
      .replaceAll(" /tmp/", ` ${dir}/tmp/`)
      .replaceAll("/etc/nginx/platform/", `${dir}/`)
      .replace("access_log /dev/stdout edge;", `access_log ${dir}/access.log edge;`);
    expect(local).not.toContain("/etc/nginx/platform");
    fs.mkdirSync(path.join(dir, "tls"));
    fs.mkdirSync(path.join(dir, "tmp"));
    run("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=app.dev.example.com",
      "-keyout", path.join(dir, "tls/0.key"), "-out", path.join(dir, "tls/0.crt"),
    ]);
    fs.writeFileSync(path.join(dir, "nginx.conf"), local);
    const result = run("nginx", ["-t", "-c", path.join(dir, "nginx.conf"), "-p", dir, "-e", path.join(dir, "error.log")]);
    expect(result).toBe("");
    // And the check is real: the same file with a certificate nginx cannot load fails.
    fs.writeFileSync(path.join(dir, "tls/0.crt"), "not a certificate\n");
    expect(() => run("nginx", ["-t", "-c", path.join(dir, "nginx.conf"), "-p", dir, "-e", path.join(dir, "error.log")])).toThrow(/PEM|certificate/);
  } finally {
    cleanup();
  }
}, 120_000);
