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

/** Staging does not page (profile alerting.paging: false), so it has no PagerDuty key. */
export const STAGING_SECRETS = Object.fromEntries(Object.entries(CLOUD_SECRETS).filter(([k]) => k !== "pagerdutyRoutingKey"));

export const SECRETS_BY_STACK: Record<string, Record<string, string>> = {
  dev: DEV_SECRETS,
  staging: STAGING_SECRETS,
  prod: CLOUD_SECRETS,
};
