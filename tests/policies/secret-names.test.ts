import { keyWords, literalSecretProblem } from "../../policies/rules/secret-names";

describe("literal credentials in env and ConfigMaps", () => {
  it.each([
    ["ACCESS_TOKEN_EXPIRE_MINUTES", "30"],
    ["REFRESH_TOKEN_TTL", "86400"],
    ["NEXTAUTH_URL", "https://app.example.com"],
    ["nextAuthUrl", "https://app.example.com/api/auth"],
    ["AUTH_ENABLED", "true"],
    ["OAUTH_PROVIDER", "github"],
    ["PASSWORD_MIN_LENGTH", "12"],
    ["JWT_SECRET_NAME", "api-jwt"],
    ["DB_PASSWORD_FILE", "/run/secrets/db-password"],
    ["TOKEN_LIFETIME_DAYS", "7"],
    ["OAUTH_ISSUER", "https://login.example.com/"],
    ["TOKEN_REFRESH", "false"],
    ["AUTH", "1"],
    ["AUTHOR", "jane"],
    ["DATABASE_HOST", "db.internal"],
    ["STORAGE_IDENTITY", "rrsa"],
  ])("%s=%s is a setting, not a credential", (key, value) => {
    expect(literalSecretProblem(key, value)).toBeUndefined();
  });

  it.each([
    ["AUTH_TOKEN", "tok_9f8e7d6c"],
    ["NEXTAUTH_SECRET", "Zm9vYmFy"],
    ["DB_PASSWORD", "hunter2"],
    // A password may be all digits or look like a flag: strong names are judged by name alone.
    ["DB_PASSWORD", "123456"],
    ["REDIS_PASSWORD", "true"],
    ["GITHUB_TOKEN", "ghp_abc"],
    ["BASIC_AUTH", "admin:hunter2"],
    ["AUTHORIZATION", "Bearer eyJhbGciOi"],
    ["stripeApiKey", "sk_live_123"],
    ["AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"],
    ["clientCredentials", "id:secret"],
  ])("%s=%s is a credential", (key, value) => {
    expect(literalSecretProblem(key, value)).toBe(`"${key}" holds a literal value`);
  });

  it("catches a URL with a password under any key, setting suffix or not", () => {
    expect(literalSecretProblem("NEXTAUTH_URL", "https://admin:hunter2@app.example.com")).toBe('"NEXTAUTH_URL" holds a URL with an embedded password');
    expect(literalSecretProblem("CACHE", "redis://:pw@cache:6379/0")).toBe('"CACHE" holds a URL with an embedded password');
    expect(literalSecretProblem("SENTRY_DSN", "https://public@sentry.example.com/1")).toBeUndefined();
  });

  it("ignores empty and non-string values and splits names into words", () => {
    expect(literalSecretProblem("DB_PASSWORD", "")).toBeUndefined();
    expect(literalSecretProblem("DB_PASSWORD", undefined)).toBeUndefined();
    expect(keyWords("nextAuth.url-v2")).toEqual(["NEXT", "AUTH", "URL", "V2"]);
  });
});
