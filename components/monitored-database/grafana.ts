/**
 * Typed access to @grafana/grafana-foundation-sdk. The package publishes its modules only through
 * `exports` subpaths, which the project's `moduleResolution: node` cannot see at type level, so the types
 * come from the dist paths and the values from the public subpaths (what Node resolves at runtime).
 */
import type * as DashboardModule from "@grafana/grafana-foundation-sdk/dist/dashboard";
import type * as TimeseriesModule from "@grafana/grafana-foundation-sdk/dist/timeseries";
import type * as StatModule from "@grafana/grafana-foundation-sdk/dist/stat";
import type * as PrometheusModule from "@grafana/grafana-foundation-sdk/dist/prometheus";

/* eslint-disable @typescript-eslint/no-require-imports */
export const dashboard: typeof DashboardModule = require("@grafana/grafana-foundation-sdk/dashboard");
export const timeseries: typeof TimeseriesModule = require("@grafana/grafana-foundation-sdk/timeseries");
export const stat: typeof StatModule = require("@grafana/grafana-foundation-sdk/stat");
export const prometheus: typeof PrometheusModule = require("@grafana/grafana-foundation-sdk/prometheus");
