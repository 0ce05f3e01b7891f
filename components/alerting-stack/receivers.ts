/**
 * Notification receivers. Every credential is a Pulumi secret delivered to Alertmanager as a FILE
 * (`*_file` settings), so no rendered configuration, Helm value or log line ever contains it.
 *
 * Validated against Alertmanager 0.25 (Debian's amtool): it accepts slack `api_url_file`, pagerduty
 * `routing_key_file`, email `auth_password_file` and `http_config.authorization.credentials_file`, but not
 * webhook `url_file` nor wechat `api_secret_file`. Hence:
 *  - webhook: the URL is plain config; the secret is a bearer token read from a file;
 *  - wechat: Alertmanager can only take `api_secret` inline, so the rendered config carries a placeholder
 *    and the component substitutes the secret inside a Pulumi secret output (see `WECHAT_SECRET_PLACEHOLDER`).
 */
export type ReceiverType = "slack" | "email" | "pagerduty" | "wechat" | "webhook";
export const RECEIVER_TYPES: readonly ReceiverType[] = ["slack", "email", "pagerduty", "wechat", "webhook"];

interface ReceiverBase {
  /** Receiver name, referenced by `routes`. Lowercase letters, digits and '-'. @example "pager" */
  name: string;
  /** Whether resolved notifications are sent too. @default true (false for the dead-man's switch) */
  sendResolved?: boolean;
}

/** Slack incoming webhook. Secret = the webhook URL. */
export interface SlackReceiver extends ReceiverBase {
  type: "slack";
  /** @example "#critical-alerts" */
  channel: string;
}

/** Email through an authenticated smarthost (TLS required). Secret = the SMTP password. */
export interface EmailReceiver extends ReceiverBase {
  type: "email";
  /** Comma-separated recipients. @example "oncall@example.com" */
  to: string;
  /** @example "alerts@example.com" */
  from: string;
  /** host:port. @example "smtp.sendgrid.net:587" */
  smarthost: string;
  /** @example "apikey" */
  authUsername: string;
}

/** PagerDuty Events API v2. Secret = the integration (routing) key. */
export interface PagerDutyReceiver extends ReceiverBase {
  type: "pagerduty";
}

/** WeChat Work (企业微信) application message. Secret = the application secret. */
export interface WeChatReceiver extends ReceiverBase {
  type: "wechat";
  corpId: string;
  agentId: string;
  /** Department id(s), `|`-separated. One of toParty/toUser is required. */
  toParty?: string;
  /** User id(s), `|`-separated. */
  toUser?: string;
}

/** Generic webhook (e.g. a dead-man's-switch service). Secret = bearer token. */
export interface WebhookReceiver extends ReceiverBase {
  type: "webhook";
  /** https URL (plain config; put credentials in the secret, not the URL). */
  url: string;
}

export type Receiver = SlackReceiver | EmailReceiver | PagerDutyReceiver | WeChatReceiver | WebhookReceiver;

/** Placeholder the WeChat secret is substituted for, inside a secret output, at registration. */
export function wechatSecretPlaceholder(receiver: string): string {
  return `__WECHAT_API_SECRET_${receiver.replace(/-/g, "_").toUpperCase()}__`;
}

/** Renders one receiver's Alertmanager integrations. `secretFile` is the path its secret is mounted at. */
export function renderReceiver(r: Receiver, secretFile: string): Record<string, unknown> {
  const sendResolved = r.sendResolved ?? true;
  switch (r.type) {
    case "slack":
      return {
        name: r.name,
        slack_configs: [
          {
            api_url_file: secretFile,
            channel: r.channel,
            send_resolved: sendResolved,
            title: '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.priority }} {{ .GroupLabels.alertname }}',
            text: "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}",
          },
        ],
      };
    case "email":
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            auth_username: r.authUsername,
            auth_password_file: secretFile,
            require_tls: true,
            send_resolved: sendResolved,
          },
        ],
      };
    case "pagerduty":
      return {
        name: r.name,
        pagerduty_configs: [
          {
            routing_key_file: secretFile,
            send_resolved: sendResolved,
            severity: '{{ if eq .CommonLabels.severity "critical" }}critical{{ else }}warning{{ end }}',
            description: "{{ .CommonLabels.priority }} {{ .CommonAnnotations.summary }}",
            links: [{ href: "{{ .CommonAnnotations.runbook_url }}", text: "Runbook" }],
          },
        ],
      };
    case "wechat":
      return {
        name: r.name,
        wechat_configs: [
          {
            corp_id: r.corpId,
            agent_id: r.agentId,
            api_secret: wechatSecretPlaceholder(r.name),
            ...(r.toParty ? { to_party: r.toParty } : {}),
            ...(r.toUser ? { to_user: r.toUser } : {}),
            send_resolved: sendResolved,
          },
        ],
      };
    case "webhook":
      return {
        name: r.name,
        webhook_configs: [
          {
            url: r.url,
            send_resolved: sendResolved,
            http_config: { authorization: { type: "Bearer", credentials_file: secretFile } },
          },
        ],
      };
  }
}
