import { isSecretValue, MOCK_SECRET_PREFIX } from "../../tests/helpers/mocks";

/** Marker written wherever the program handled a secret. */
export const SECRET_MARKER = "<secret>";

/**
 * Keeps secrets out of the synth output. The program runs with placeholder secret values (never real ones),
 * and every placeholder, its base64 form and every mock-generated password is replaced by a marker naming
 * the secret; `leaks` is the final check over every byte written.
 */
export class Redactor {
  private readonly replacements: Array<[string, string]>;

  constructor(secrets: Record<string, string>) {
    this.replacements = Object.entries(secrets).flatMap(([key, value]) => [
      [value, `<secret:${key}>`] as [string, string],
      [Buffer.from(value).toString("base64"), `<secret:${key}:base64>`] as [string, string],
    ]);
  }

  /** Every placeholder or generated secret still present in `text`, as `<what> (<marker>)`. */
  leaks(text: string): string[] {
    const found = this.replacements.filter(([value]) => text.includes(value)).map(([, marker]) => marker);
    if (text.includes(MOCK_SECRET_PREFIX)) found.push(`a generated password (${MOCK_SECRET_PREFIX}...)`);
    return found;
  }

  private redactString(text: string): string {
    let out = text;
    for (const [value, marker] of this.replacements) out = out.split(value).join(marker);
    return out.replace(new RegExp(`${MOCK_SECRET_PREFIX}[A-Za-z0-9._-]*`, "g"), "<secret:generated>");
  }

  /** A copy of `value` with secret wrappers removed and every secret replaced by its marker. */
  redact(value: unknown): any {
    if (isSecretValue(value)) return this.redact((value as { value: unknown }).value);
    if (typeof value === "string") return this.redactString(value);
    if (Array.isArray(value)) return value.map((v) => this.redact(v));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redact(v)]));
    }
    return value;
  }
}
