/** Test values for the secrets each bundled stack references (the stack files carry none). */
export const DEV_SECRETS = {
  apiJwtSecret: "dev-jwt-secret-value",
  slackWebhookUrl: "https://hooks.slack.test/dev-webhook-value",
  edgeTlsCertificate: "-----BEGIN CERTIFICATE-----\ndev-edge-certificate-value\n-----END CERTIFICATE-----\n",
  edgeTlsKey: "-----BEGIN PRIVATE KEY-----\ndev-edge-key-value\n-----END PRIVATE KEY-----\n",
};

export const CLOUD_SECRETS = {
  apiJwtSecret: "cloud-jwt-secret-value",
  slackWebhookUrl: "https://hooks.slack.test/cloud-webhook-value",
  pagerdutyRoutingKey: "pagerduty-routing-key-value",
  smtpPassword: "smtp-password-value",
  deadmanToken: "deadman-token-value",
};

export const SECRETS_BY_STACK: Record<string, Record<string, string>> = {
  dev: DEV_SECRETS,
  staging: CLOUD_SECRETS,
  prod: CLOUD_SECRETS,
};
