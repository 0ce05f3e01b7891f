import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configReference, generatedDocs, stackFileSchema, STACK_SCHEMA_PATH } from "../../stacks/config-reference";
import { REPO_ROOT } from "../helpers/stack";

/** Every bundled stack file: the root stacks and any under examples/. */
function stackFiles(): string[] {
  const files = fs.readdirSync(REPO_ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => path.join(REPO_ROOT, f));
  const examples = path.join(REPO_ROOT, "examples");
  if (fs.existsSync(examples)) {
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : /^Pulumi\.[^.]+\.yaml$/.test(e.name) ? [path.join(dir, e.name)] : [],
      );
    files.push(...walk(examples));
  }
  return files;
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
// zod's z.cidrv4() emits this format; ajv-formats has no CIDR format.
ajv.addFormat("cidrv4", /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/);
const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, STACK_SCHEMA_PATH), "utf8")));

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

const devDoc = () => parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"));

describe("generated config documentation", () => {
  it("README config reference and the editor JSON Schema match the schemas (run `npm run docs` when this fails)", () => {
    for (const [file, expected] of Object.entries(generatedDocs(REPO_ROOT))) {
      const actual = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
      if (actual !== expected) throw new Error(`${file} is out of date with the config schemas: run \`npm run docs\` and commit the result`);
    }
  });

  it("documents every key: no row of the reference has an empty meaning", () => {
    const undocumented = configReference()
      .split("\n")
      .filter((l) => l.startsWith("| `") && /\|\s*\|$/.test(l))
      .map((l) => l.split("|")[1].trim());
    expect(undocumented).toEqual([]);
  });
});

describe("editor JSON Schema of Pulumi.<stack>.yaml", () => {
  const files = stackFiles();

  it("finds the bundled stacks", () => {
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(["Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"]));
  });

  it.each(files.map((f) => [path.relative(REPO_ROOT, f), f]))("accepts %s", (_name, file) => {
    expect(errorsOf(parse(fs.readFileSync(file, "utf8")))).toEqual([]);
  });

  it("accepts secrets as `secure:` values and other namespaces' settings", () => {
    const doc = devDoc();
    doc.config["platform:apiJwtSecret"] = { secure: "v1:abc" };
    doc.config["aws:region"] = "eu-west-1";
    doc.config["aws:defaultTags"] = { tags: { Team: "ops" } };
    expect(errorsOf(doc)).toEqual([]);
  });

  it("rejects a typo'd top-level key", () => {
    const doc = devDoc();
    doc.config["platform:servics"] = doc.config["platform:services"];
    delete doc.config["platform:services"];
    const errors = errorsOf(doc);
    expect(errors.join("\n")).toContain("/config/platform:servics");
  });

  it("rejects a typo'd nested key, a wrong type and a bad enum value", () => {
    const doc = devDoc();
    doc.config["platform:services"][0].imagee = "x:1";
    doc.config["platform:services"][1].port = "8000";
    doc.config["platform:environment"] = "qa";
    const errors = errorsOf(doc).join("\n");
    expect(errors).toContain("/config/platform:services/0 must NOT have additional properties");
    expect(errors).toContain('"additionalProperty":"imagee"');
    expect(errors).toContain("/config/platform:services/1/port must be integer");
    expect(errors).toContain("/config/platform:environment must be equal to one of the allowed values");
  });

  it("rejects a plaintext value for a key that is only allowed as a secret, and a missing required key", () => {
    const doc = devDoc();
    doc.config["platform:apiJwtSecret"] = "plaintext";
    delete doc.config["platform:target"];
    const errors = errorsOf(doc).join("\n");
    expect(errors).toContain("/config/platform:apiJwtSecret must be object");
    expect(errors).toContain("must have required property 'platform:target'");
  });

  it("is the schema the generator produces (draft-07, one property per platform key)", () => {
    const schema = stackFileSchema();
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(Object.keys(schema.properties.config.properties)).toEqual(expect.arrayContaining(["platform:services", "platform:alerting", "platform:edge"]));
  });
});
