/**
 * Typed access to @grafana/grafana-foundation-sdk, shared by every component that builds dashboards.
 *
 * The package publishes its modules only through `exports` subpaths (no root entry). The project compiles
 * with `moduleResolution: node`, which ignores `exports`, so the types come from the dist paths and the
 * values are loaded through the public subpaths at runtime (the only paths Node allows).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as DashboardSdk from "@grafana/grafana-foundation-sdk/dist/dashboard";
import type * as PrometheusSdk from "@grafana/grafana-foundation-sdk/dist/prometheus";
import type * as StatSdk from "@grafana/grafana-foundation-sdk/dist/stat";
import type * as TimeseriesSdk from "@grafana/grafana-foundation-sdk/dist/timeseries";

export const dashboard = require("@grafana/grafana-foundation-sdk/dashboard") as typeof DashboardSdk;
export const prometheus = require("@grafana/grafana-foundation-sdk/prometheus") as typeof PrometheusSdk;
export const stat = require("@grafana/grafana-foundation-sdk/stat") as typeof StatSdk;
export const timeseries = require("@grafana/grafana-foundation-sdk/timeseries") as typeof TimeseriesSdk;
export type DataSourceRef = DashboardSdk.DataSourceRef;
export type TimeseriesPanelBuilder = TimeseriesSdk.PanelBuilder;
