/**
 * The Grafana Foundation SDK publishes only subpath `exports` (no root entry). The project compiles with
 * `moduleResolution: node`, which ignores `exports`, so types come from the dist paths and values are
 * loaded through the public subpaths at runtime (the only paths Node allows).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import type * as DashboardSdk from "@grafana/grafana-foundation-sdk/dist/dashboard";
import type * as PrometheusSdk from "@grafana/grafana-foundation-sdk/dist/prometheus";
import type * as TimeseriesSdk from "@grafana/grafana-foundation-sdk/dist/timeseries";

export const dashboard = require("@grafana/grafana-foundation-sdk/dashboard") as typeof DashboardSdk;
export const prometheus = require("@grafana/grafana-foundation-sdk/prometheus") as typeof PrometheusSdk;
export const timeseries = require("@grafana/grafana-foundation-sdk/timeseries") as typeof TimeseriesSdk;
export type DataSourceRef = DashboardSdk.DataSourceRef;
export type TimeseriesPanelBuilder = TimeseriesSdk.PanelBuilder;
