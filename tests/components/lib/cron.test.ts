import { cronMaxPeriodMinutes, cronMinPeriodMinutes, cronProblem, parseCron } from "../../../components/lib/cron";

describe("cron expressions", () => {
  test.each([
    ["0 2 * * *", 1440, 1440],
    ["*/15 * * * *", 15, 15],
    ["0 * * * *", 60, 60],
    ["0 4 1 * *", 28 * 1440, 31 * 1440],
    ["30 1,13 * * MON-FRI", 12 * 60, 12 * 60 + 2 * 1440],
    ["0 0 * * 0", 7 * 1440, 7 * 1440],
    ["0 0 * * 7", 7 * 1440, 7 * 1440],
    ["5-20/5 3 * * *", 5, 1440 - 15],
    ["@daily", 1440, 1440],
    ["@hourly", 60, 60],
    ["0 3 * JAN,JUL *", 1440, (31 + 30 + 31 + 30 + 31 + 1) * 1440], // Jul 31 -> Jan 1
    ["*/2 * * * *", 2, 2],
    ["* * * * *", 1, 1],
    ["30 */6 * * *", 6 * 60, 6 * 60],
    ["0 9 * * 1-5", 1440, 3 * 1440], // Friday -> Monday
    ["59 23 31 12 *", 365 * 1440, 366 * 1440],
    ["0 0 31 * *", 31 * 1440, (30 + 31) * 1440], // Jul 31 -> Aug 31; Mar 31 -> May 31
    // Every fourth year inside the scanned 28-year window (2024-2051; 2100 is outside the 1901-2099 cycle).
    ["0 0 29 2 *", (4 * 365 + 1) * 1440, (4 * 365 + 1) * 1440],
    ["* * 29 2 *", 1, (4 * 365 + 1) * 1440 - 1439], // 23:59 on Feb 29 -> 00:00 four years later
    ["50 0,23 * * *", 60, 23 * 60], // the short gap crosses midnight: 23:50 -> 00:50
    ["0,59 0,23 * * *", 1, 23 * 60 - 59], // 23:59 -> 00:00; 00:59 -> 23:00
  ])("%s fires at least every %d and at most every %d minutes", (expr, min, max) => {
    expect(cronProblem(expr)).toBeUndefined();
    expect(cronMinPeriodMinutes(expr)).toBe(min);
    expect(cronMaxPeriodMinutes(expr)).toBe(max);
  });

  // Speed of these scans is measured by `npm run bench`, never by a timed test.
  test("minute-level schedules with day restrictions get exact gaps across day boundaries", () => {
    const fresh = ["*/3 * * * *", "* * * * 1-5", "*/2 * 1-15 * *", "0-58/2 * * JAN-JUN *", "* */2 * * SAT,SUN"];
    expect(fresh.map((e) => [cronMinPeriodMinutes(e), cronMaxPeriodMinutes(e)])).toEqual([
      [3, 3],
      [1, 2 * 1440 + 1], // Friday 23:59 -> Monday 00:00
      [2, 17 * 1440 - (23 * 60 + 58)], // 15th 23:58 -> the 1st after a 31-day month
      [2, 185 * 1440 - (23 * 60 + 58)], // Jun 30 23:58 -> Jan 1
      [1, 6 * 1440 - (22 * 60 + 59)], // Sunday 22:59 -> Saturday 00:00
    ]);
  });

  test("day-of-month and day-of-week restricted together match either (cron's OR rule)", () => {
    const s = parseCron("0 0 1 * MON");
    expect(s.domRestricted && s.dowRestricted).toBe(true);
    expect(cronMinPeriodMinutes("0 0 1 * MON")).toBe(1440); // e.g. Monday the 31st, then the 1st
  });

  test.each([
    ["0 2 * *", /5 fields/],
    ["0 2 * * * *", /5 fields/],
    ["60 2 * * *", /minute value 60 is outside 0-59/],
    ["0 24 * * *", /hour value 24 is outside 0-23/],
    ["0 2 0 * *", /day-of-month value 0 is outside 1-31/],
    ["0 2 * 13 *", /month value 13 is outside 1-12/],
    ["0 2 * * 8", /day-of-week value 8 is outside 0-7/],
    ["*/0 * * * *", /step "0" must be a positive integer/],
    ["0 5-2 * * *", /runs backwards/],
    ["0 2 * * FUNDAY", /not a number or name/],
    ["0 2 1,,2 * *", /empty list item/],
    ["0 0 31 2 *", /never fires/],
    ["@often", /unknown macro/],
    ["CRON_TZ=UTC 0 2 * * *", /timeZone/],
  ])("%s is refused", (expr, message) => {
    expect(cronProblem(expr)).toMatch(message);
    expect(() => parseCron(expr)).toThrow(message);
  });

  test("names are case-insensitive and lists/steps combine", () => {
    const s = parseCron("0,30 */6 * jan-mar sun,sat");
    expect(s.minutes).toEqual([0, 30]);
    expect(s.hours).toEqual([0, 6, 12, 18]);
    expect([...s.months].sort()).toEqual([1, 2, 3]);
    expect([...s.daysOfWeek].sort()).toEqual([0, 6]);
  });
});
