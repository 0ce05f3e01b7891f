/**
 * A stand-in for Alibaba Cloud STS on 127.0.0.1 that answers AssumeRoleWithOIDC the way the real service does: session
 * credentials for the expected OIDC token (sent in the POST body), `InvalidParameter.OIDCToken` otherwise. Every call
 * is recorded (query string, form body, Authorization header) so tests can check where the token travelled. Shared by
 * the RRSA tests of backup.sh (OSS) and of redis-snapshot-alicloud.py (R-kvstore).
 */
import * as http from "http";

export interface StsCall { query: URLSearchParams; form: URLSearchParams; authorization?: string }
export interface StsSession { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string }

export function alibabaStsStandIn(expectedToken: string, session: StsSession, calls: StsCall[]): http.Server {
  return http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const query = new URL(req.url ?? "/", "http://sts").searchParams;
      const form = new URLSearchParams(body);
      calls.push({ query, form, authorization: req.headers.authorization });
      res.setHeader("Content-Type", "application/json;charset=utf-8");
      if (req.method !== "POST" || query.get("Action") !== "AssumeRoleWithOIDC" || form.get("OIDCToken") !== expectedToken) {
        res.statusCode = 400;
        res.end(JSON.stringify({ RequestId: "itest", Code: "InvalidParameter.OIDCToken", Message: "The parameter OIDCToken is invalid." }));
        return;
      }
      res.end(JSON.stringify({
        RequestId: "itest",
        OIDCTokenInfo: { Subject: "system:serviceaccount:apps:cache-backup" },
        AssumedRoleUser: { Arn: `${form.get("RoleArn")}/${form.get("RoleSessionName")}`, AssumedRoleId: "3000:backup" },
        Credentials: { ...session, Expiration: new Date(Date.now() + Number(form.get("DurationSeconds")) * 1000).toISOString().replace(/\.\d+Z$/, "Z") },
      }));
    });
  });
}
