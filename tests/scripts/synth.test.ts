import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MOCK_SECRET_PREFIX } from "../helpers/mocks";
import { resolveStackRef } from "../../scripts/synth/stack-ref";
import { Redactor, SECRET_MARKER } from "../../scripts/synth/redact";
import { specialSigKey, specialSecretSig } from "@pulumi/pulumi/runtime/rpc";

const wrapped = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("synth Redactor", () => {
  const redactor = new Redactor({ apiJwtSecret: "placeholder-jwt", slackWebhookUrl: "placeholder-hook" });

  it("replaces placeholders, their base64 and generated passwords by markers, inside secret wrappers too", () => {
    const out = redactor.redact({
      envs: ["JWT=placeholder-jwt", wrapped(`PASSWORD=${MOCK_SECRET_PREFIX}db-password`)],
      data: { hook: Buffer.from("placeholder-hook").toString("base64") },
      plain: "nothing secret",
      n: 3,
    });
    expect(out).toEqual({
      envs: ["JWT=<secret:apiJwtSecret>", "PASSWORD=<secret:generated>"],
      data: { hook: "<secret:slackWebhookUrl:base64>" },
      plain: "nothing secret",
      n: 3,
    });
    expect(redactor.leaks(JSON.stringify(out))).toEqual([]);
  });

  it("reports every secret left in a text, and nothing in a clean one", () => {
    const text = `a placeholder-jwt b ${Buffer.from("placeholder-hook").toString("base64")} c ${MOCK_SECRET_PREFIX}x`;
    expect(redactor.leaks(text)).toEqual([
      "<secret:apiJwtSecret>",
      "<secret:slackWebhookUrl:base64>",
      `a generated password (${MOCK_SECRET_PREFIX}...)`,
    ]);
    expect(redactor.leaks(`clean ${SECRET_MARKER}`)).toEqual([]);
  });
});

describe("synth stack references", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "synth-ref-"));
    fs.mkdirSync(path.join(dir, "shop"));
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.writeFileSync(path.join(dir, "shop", f), "name: shop\n");
    fs.mkdirSync(path.join(dir, "single"));
    for (const f of ["Pulumi.yaml", "Pulumi.qa.yaml"]) fs.writeFileSync(path.join(dir, "single", f), "name: single\n");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("resolves bundled stacks, <project dir>/<stack> and a project with one stack", () => {
    expect(resolveStackRef("prod")).toMatchObject({ stack: "prod", label: "prod" });
    expect(resolveStackRef("shop/prod", dir)).toMatchObject({ stack: "prod", projectDir: path.join(dir, "shop") });
    expect(resolveStackRef("single", dir)).toMatchObject({ stack: "qa", projectDir: path.join(dir, "single") });
  });

  it("rejects an unknown stack or an ambiguous project, naming what exists", () => {
    expect(() => resolveStackRef("nope")).toThrow(/no stack "nope": expected one of the bundled stacks \(dev, prod, staging\)/);
    expect(() => resolveStackRef("shop", dir)).toThrow(/shop holds several stacks \(dev, prod\); name one, e.g. shop\/dev/);
  });
});
