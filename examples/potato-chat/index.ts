// Potato Chat runs the library's program unchanged: everything system-specific is in Pulumi.<env>.yaml.
export * from "../../index";
