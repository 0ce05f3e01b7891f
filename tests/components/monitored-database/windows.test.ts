import { alicloudBackupTime, alicloudMaintainTime, parseBackupWindow, parseMaintenanceWindow, windowsOverlap } from "../../../components/monitored-database/windows";

describe("backup and maintenance windows", () => {
  test.each([
    ["18:00-19:00", "sun:20:00-sun:21:00", false],
    ["20:00-21:00", "sun:20:30-sun:21:30", true],
    ["21:00-21:30", "sun:20:00-sun:21:00", false], // touching is not overlapping
    ["23:30-00:30", "mon:00:00-mon:01:00", true], // backup wraps past midnight into Monday
    ["00:00-00:30", "sun:23:30-mon:00:30", true], // maintenance wraps the week
    ["02:00-03:00", "wed:02:30-wed:03:30", true],
    ["04:00-05:00", "wed:02:30-wed:03:30", false],
  ])("backup %s vs maintenance %s overlaps=%s", (backup, maintenance, expected) => {
    expect(windowsOverlap(backup, maintenance)).toBe(expected);
  });

  test("malformed windows are rejected by the parsers", () => {
    expect(parseBackupWindow("25:00-26:00")).toBeUndefined();
    expect(parseBackupWindow("18:00")).toBeUndefined();
    expect(parseMaintenanceWindow("sunday:20:00-sun:21:00")).toBeUndefined();
    expect(parseMaintenanceWindow("sun:20:00-sun:20:00")).toBeUndefined();
    expect(parseMaintenanceWindow("sun:20:00-sun:21:00")).toEqual({ start: 6 * 1440 + 1200, end: 6 * 1440 + 1260 });
  });

  test("Alibaba Cloud spellings", () => {
    expect(alicloudBackupTime("18:00-19:00")).toBe("18:00Z-19:00Z");
    expect(alicloudMaintainTime("sun:20:00-sun:21:00")).toBe("20:00Z-21:00Z");
  });
});
