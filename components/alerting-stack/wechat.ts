import * as pulumi from "@pulumi/pulumi";
import { wechatSecretPlaceholder } from "./receivers";
import type { ReceiverWithSecret } from "./index";

/**
 * Alertmanager 0.25 cannot read the WeChat secret from a file, so the rendered config carries a
 * placeholder. This substitutes the secret inside a Pulumi secret output: the plaintext never leaves
 * secret-wrapped values. Configs without WeChat receivers are returned unchanged (plain).
 */
export function withWechatSecrets(
  config: Record<string, unknown>,
  receivers: ReadonlyArray<ReceiverWithSecret>,
): pulumi.Input<Record<string, unknown>> {
  const wechat = receivers.filter((r) => r.type === "wechat");
  if (wechat.length === 0) return config;
  return pulumi.secret(
    pulumi.all(wechat.map((r) => pulumi.output(r.secret))).apply((values) => {
      let json = JSON.stringify(config);
      wechat.forEach((r, i) => {
        json = json.split(wechatSecretPlaceholder(r.name)).join(JSON.stringify(values[i]).slice(1, -1));
      });
      return JSON.parse(json) as Record<string, unknown>;
    }),
  );
}
