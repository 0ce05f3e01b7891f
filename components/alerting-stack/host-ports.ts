/** Host ports the Docker target publishes the UIs on (127.0.0.1 only). */
export interface DockerHostPorts {
  prometheus: number;
  alertmanager: number;
  grafana: number;
}

/** Prometheus, Alertmanager and Grafana's own ports, unless a stack moves them (e.g. a web app on 3000). */
export const DEFAULT_HOST_PORTS: DockerHostPorts = { prometheus: 9090, alertmanager: 9093, grafana: 3000 };
