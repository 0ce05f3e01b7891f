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
    ["0 3 * JAN,JUL *", 1440, (31 + 30 + 31 + 30 + 31 + 1) * 1440] // Jul 31 -> Jan 1,
  ])("%s fires at least every %d and at most every %d minutes", (expr, min, max) => {
    expect(cronProblem(expr)).toBeUndefined();
    expect(cronMinPeriodMinutes(expr)).toBe(min);
    expect(cronMaxPeriodMinutes(expr)).toBe(max);
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
