/**
 * Secret masking for shipped logs (pure). Fluent Bit has no regex replace of its own, so the masking is a Lua
 * filter (`filter_lua`, LuaJIT inside Fluent Bit) that this module generates: it walks every record after the
 * Kubernetes filter merged the JSON log line into fields, and
 *   1. replaces the whole value of any field whose name looks secret (password, token, authorization, ...),
 *      at any depth;
 *   2. inside every string value, masks `Bearer`/`Basic` credentials, `key=value` / `"key":"value"` pairs whose
 *      key looks secret (query strings, headers and JSON embedded in a message), card numbers (13-19 digits that
 *      pass the Luhn check, kept as `****` plus the last four digits, as the payment playbook's maskCard does),
 *      and every match of the configured extra Lua patterns.
 * tests/components/log-pipeline/masking.integration.test.ts runs the generated script with a real LuaJIT on
 * sample log lines.
 */

/** Field-name fragments masked by default (compared lower-case, with `_`, `-` and `.` removed). */
export const DEFAULT_MASKED_KEYS: readonly string[] = [
  "password",
  "passwd",
  "pwd",
  "secret",
  "token",
  "apikey",
  "authorization",
  "cookie",
  "privatekey",
  "credential",
  "cardnumber",
  "cardno",
  "cvv",
  "cvc",
  "sessionid",
];

/** What replaces a masked value. */
export const MASK = "***";

export interface MaskingSpec {
  /** Field-name fragments whose values are masked (the defaults plus the stack's own). */
  keys: readonly string[];
  /** Extra Lua patterns; every match inside a string value becomes `***`. */
  patterns: readonly string[];
  /** Mask card numbers (Luhn-valid 13-19 digit runs), keeping the last four digits. */
  cardNumbers: boolean;
}

/** Name of the Lua function the Fluent Bit filter calls. */
export const MASK_FUNCTION = "mask_secrets";

/** The form a key fragment is compared in (lower case, separators removed). */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.]/g, "");
}

/**
 * Why `pattern` is not a usable Lua pattern for masking, or undefined. Checks what Lua would reject (a trailing
 * `%`, an unclosed set, `%b` without two characters, `%f` without a set, unbalanced captures) and refuses patterns
 * that can match the empty string: Lua's gsub would insert the mask between every two characters of every line.
 */
export function luaPatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0 || pattern.length > 200) return "must be a Lua pattern of 1 to 200 characters";
  if (!/^[\x20-\x7e]+$/.test(pattern)) return "must be printable ASCII (Lua patterns match bytes)";
  let i = pattern.startsWith("^") ? 1 : 0;
  let depth = 0;
  let consuming = false; // some item must match at least one character
  const end = pattern.endsWith("$") && !pattern.endsWith("%$") ? pattern.length - 1 : pattern.length;
  while (i < end) {
    const c = pattern[i];
    let single = true; // the item matches exactly one character (can take a quantifier)
    if (c === "(") {
      depth++;
      i++;
      continue;
    }
    if (c === ")") {
      if (--depth < 0) return "has a ')' without its '('";
      i++;
      continue;
    }
    if (c === "%") {
      const next = pattern[i + 1];
      if (next === undefined) return "ends with '%' (escape a literal percent sign as '%%')";
      if (next === "b") {
        if (pattern.length < i + 4) return "has '%b' without the two delimiter characters (e.g. %b())";
        i += 4;
        consuming = true;
        continue;
      }
      if (next === "f") {
        if (pattern[i + 2] !== "[") return "has '%f' without a set (e.g. %f[%w])";
        const close = setEnd(pattern, i + 2);
        if (close < 0) return "has a '[' set without its closing ']'";
        i = close + 1;
        continue;
      }
      if (/[1-9]/.test(next)) single = false;
      i += 2;
    } else if (c === "[") {
      const close = setEnd(pattern, i);
      if (close < 0) return "has a '[' set without its closing ']'";
      i = close + 1;
    } else {
      i++;
    }
    const q = pattern[i];
    if (single && (q === "*" || q === "-" || q === "?")) {
      i++;
    } else {
      if (single && q === "+") i++;
      consuming = true;
    }
  }
  if (depth !== 0) return "has a '(' without its ')'";
  if (!consuming) return "can match the empty string (every item is optional); it would mask between every character";
  return undefined;
}

/** Index of the `]` closing the set opened at `open`, or -1. */
function setEnd(pattern: string, open: number): number {
  let j = open + 1;
  if (pattern[j] === "^") j++;
  if (pattern[j] === "]") j++; // a leading ']' is literal
  while (j < pattern.length) {
    if (pattern[j] === "%") j += 2;
    else if (pattern[j] === "]") return j;
    else j++;
  }
  return -1;
}

/** A Lua string literal (the inputs are printable ASCII; JSON's escapes for them are Lua's too). */
function luaString(s: string): string {
  return JSON.stringify(s);
}

/** The Lua script of the masking filter (pure). */
export function maskingScript(spec: MaskingSpec): string {
  const keys = [...new Set(spec.keys.map(normaliseKey))].filter((k) => k !== "");
  return `-- Generated by platform-stacks (components/log-pipeline/masking.ts); change platform:logging.masking instead.
-- Fluent Bit filter_lua: ${MASK_FUNCTION}(tag, timestamp, record) masks secret-looking values in place.
local MASK = ${luaString(MASK)}
local KEYS = { ${keys.map(luaString).join(", ")} }
local PATTERNS = { ${spec.patterns.map(luaString).join(", ")} }
local MASK_CARDS = ${spec.cardNumbers ? "true" : "false"}

local function sensitive_key(key)
  local k = string.gsub(string.lower(key), "[_%-%.]", "")
  for _, fragment in ipairs(KEYS) do
    if string.find(k, fragment, 1, true) then return true end
  end
  return false
end

local function luhn(digits)
  local sum, double = 0, false
  for i = #digits, 1, -1 do
    local d = string.byte(digits, i) - 48
    if double then
      d = d * 2
      if d > 9 then d = d - 9 end
    end
    sum = sum + d
    double = not double
  end
  return sum % 10 == 0
end

local function mask_card(run)
  local digits = string.gsub(run, "[ %-]", "")
  if #digits >= 13 and #digits <= 19 and luhn(digits) then
    return "****" .. string.sub(digits, -4)
  end
  return run
end

local function mask_pair(key, sep, value)
  local scheme = string.lower(value)
  if scheme == "bearer" or scheme == "basic" then return nil end -- the credential after it is masked already
  if sensitive_key(key) then return key .. sep .. MASK end
  return nil
end

local function mask_string(s)
  local out = string.gsub(s, "([Bb][Ee][Aa][Rr][Ee][Rr])%s+[%w%-%._~%+/]+=*", "%1 " .. MASK)
  out = string.gsub(out, "([Bb][Aa][Ss][Ii][Cc])%s+[%w%+/]+=*", "%1 " .. MASK)
  -- key=value, key: value, "key":"value" (query strings, headers, JSON embedded in a message)
  out = string.gsub(out, "([%w_%.%-]+)(\\"?%s*[=:]%s*\\"?)([^&%s,;\\"'}]+)", mask_pair)
  if MASK_CARDS then
    out = string.gsub(out, "%f[%d]%d%d%d%d[ %-]%d%d%d%d[ %-]%d%d%d%d[ %-]%d+%f[%D]", mask_card)
    out = string.gsub(out, "%f[%d]%d+%f[%D]", mask_card)
  end
  for _, pattern in ipairs(PATTERNS) do
    out = string.gsub(out, pattern, MASK)
  end
  return out
end

-- Masks in place; returns the (possibly new) value and whether anything changed.
local function walk(value)
  local kind = type(value)
  if kind == "string" then
    local masked = mask_string(value)
    return masked, masked ~= value
  end
  if kind ~= "table" then return value, false end
  local changed = false
  for k, v in pairs(value) do
    local vk = type(v)
    if type(k) == "string" and sensitive_key(k) and (vk == "string" or vk == "number" or vk == "table") then
      if v ~= MASK then
        value[k] = MASK
        changed = true
      end
    else
      local masked, c = walk(v)
      if c then
        value[k] = masked
        changed = true
      end
    end
  end
  return value, changed
end

function ${MASK_FUNCTION}(tag, timestamp, record)
  local _, changed = walk(record)
  if changed then return 2, timestamp, record end
  return 0, timestamp, record
end
`;
}
