import { DEFAULT_MASKED_KEYS, luaPatternProblem, maskingScript, normaliseKey } from "../../../components/log-pipeline/masking";

describe("luaPatternProblem", () => {
  test.each(["sk_live_%w+", "%d%d%d%-%d%d%d%d", "[Ss]ession=%x+", "^token", "AKIA[%u%d]+", "%b()", "x%f[%w]y", "%%secret%%"])("accepts %s", (p) => {
    expect(luaPatternProblem(p)).toBeUndefined();
  });

  test.each([
    ["abc%", "ends with '%'"],
    ["[abc", "without its closing ']'"],
    ["(abc", "'(' without its ')'"],
    ["abc)", "')' without its '('"],
    ["%bx", "'%b' without the two delimiter characters"],
    ["%fx", "'%f' without a set"],
    [".*", "can match the empty string"],
    ["%d*%s?", "can match the empty string"],
    ["", "1 to 200 characters"],
    ["pässword", "printable ASCII"],
  ])("refuses %s", (p, message) => {
    expect(luaPatternProblem(p)).toContain(message);
  });
});

describe("maskingScript", () => {
  const script = maskingScript({ keys: [...DEFAULT_MASKED_KEYS, "ID_Card"], patterns: ['quote"d%d+'], cardNumbers: false });

  test("holds the keys normalised, the patterns as Lua strings and the card switch", () => {
    expect(script).toContain('"idcard"');
    expect(script).toContain('"password"');
    expect(script).toContain('"authorization"');
    expect(script).toContain('{ "quote\\"d%d+" }');
    expect(script).toContain("local MASK_CARDS = false");
    expect(script).toMatch(/^function mask_secrets\(tag, timestamp, record\)$/m);
  });

  test("normalises keys the way the script compares them", () => {
    expect(normaliseKey("X-Api-Key")).toBe("xapikey");
    expect(normaliseKey("card.number")).toBe("cardnumber");
  });
});
