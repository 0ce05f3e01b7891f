import { PROFILES } from "../../stacks/profiles";

describe("environment profiles (figures from the seed playbooks)", () => {
  it("staging runs one replica with 7-day backups; prod autoscales 3-10 at CPU 70 % / memory 80 % with 30-day backups", () => {
    expect(PROFILES.staging.app).toMatchObject({ replicas: 1, podDisruptionBudget: false });
    expect(PROFILES.staging.app.autoscaling).toBeUndefined();
    expect(PROFILES.staging.database.backupRetentionDays).toBe(7);
    expect(PROFILES.prod.app.autoscaling).toEqual({ min: 3, max: 10, cpuPercent: 70, memoryPercent: 80 });
    expect(PROFILES.prod.app).toMatchObject({ podDisruptionBudget: true, zoneSpread: true });
    expect(PROFILES.prod.database).toMatchObject({ backupRetentionDays: 30, highAvailability: true, deletionProtection: true, pointInTimeRecovery: true });
  });

  it("prod targets RPO < 1 h and RTO < 4 h; every environment dumps daily at 02:00 and tests a restore monthly", () => {
    expect(PROFILES.prod.backup).toMatchObject({ rpoMinutes: 60, rtoMinutes: 240 });
    for (const p of Object.values(PROFILES)) {
      expect(p.backup).toMatchObject({ schedule: "0 2 * * *", verifySchedule: "0 4 1 * *", redisSchedule: "0 * * * *", redisRetentionDays: 7 });
    }
  });

  it("prod gets a NAT gateway per zone; dev keeps Prometheus data 200 h", () => {
    expect(PROFILES.prod.network.natPerZone).toBe(true);
    expect(PROFILES.staging.network.natPerZone).toBe(false);
    expect(PROFILES.dev.alerting.retention).toBe("200h");
  });
});
