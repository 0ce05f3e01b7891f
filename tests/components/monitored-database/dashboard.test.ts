import { databaseDashboard } from "../../../components/monitored-database";

function panelsOf(model: Record<string, unknown>): Array<{ type: string; title: string; targets?: Array<{ expr: string }> }> {
  return model.panels as never;
}

describe("database dashboards", () => {
  test("PostgreSQL dashboard is a JSON model with the expected panels and queries", () => {
    const d = databaseDashboard({ database: "main", engine: "postgres", job: "main-postgres-exporter", storageBytes: 20 * 1024 ** 3, replicaJobPattern: "main-replica-[0-9]+-exporter" });
    expect(JSON.parse(JSON.stringify(d.model))).toEqual(d.model);
    expect(d).toMatchObject({ uid: "db-main-postgres", title: "PostgreSQL main", folder: "Databases" });
    expect(d.model.uid).toBe("db-main-postgres");
    const panels = panelsOf(d.model);
    const titles = panels.map((p) => p.title);
    expect(titles).toEqual(expect.arrayContaining(["Up", "Connections used", "Cache hit rate", "Deadlocks per hour", "Replica lag", "Database size", "Storage used"]));
    const exprs = panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(8);
    for (const e of exprs) expect(e).toMatch(/job="main-postgres-exporter"|job=~"main-replica-\[0-9\]\+-exporter"/);
    expect(exprs.filter((e) => e.includes("pg_replication_lag_seconds"))).toEqual(['max by (job) (pg_replication_lag_seconds{job=~"main-replica-[0-9]+-exporter"})']);
    expect(exprs.some((e) => e.includes("pg_settings_max_connections"))).toBe(true);
    expect((d.model.templating as { list: Array<{ name: string; query: string }> }).list[0]).toMatchObject({ name: "datasource", query: "prometheus" });
  });

  test("Redis dashboard covers memory, clients, replication and persistence", () => {
    const d = databaseDashboard({ database: "cache", engine: "redis", job: "cache-redis-exporter" });
    expect(JSON.parse(JSON.stringify(d.model))).toEqual(d.model);
    const panels = panelsOf(d.model);
    expect(panels.map((p) => p.title)).toEqual(expect.arrayContaining(["Up", "Memory used of maxmemory", "Connected clients", "Replicas", "Seconds since last RDB save"]));
    const exprs = panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.some((e) => e.includes("redis_memory_max_bytes"))).toBe(true);
    expect(exprs.every((e) => e.includes('job="cache-redis-exporter"'))).toBe(true);
  });

  test("no storage panel without a known allocation (Docker volume)", () => {
    const d = databaseDashboard({ database: "main", engine: "postgres", job: "j" });
    expect(panelsOf(d.model).map((p) => p.title)).not.toContain("Storage used");
    expect(panelsOf(d.model).map((p) => p.title)).not.toContain("Replica lag");
  });
});
