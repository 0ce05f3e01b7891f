import * as fs from "fs";
import * as path from "path";
import { requireTool, run, tempDir } from "./tools";

/**
 * Runs a Fluent Bit Lua filter script with the real LuaJIT (the interpreter Fluent Bit embeds) over `records`,
 * calling `fn(tag, timestamp, record)` exactly as filter_lua does, and returns each call's return code and record
 * (as JSON, encoded in Lua). Fluent Bit itself has no Debian package on this machine; .ci/run installs luajit.
 */
export function runLuaFilter(script: string, fn: string, records: unknown[]): Array<{ code: number; record: unknown }> {
  requireTool("luajit", "luajit");
  const { dir, cleanup } = tempDir("lua-filter");
  try {
    fs.writeFileSync(path.join(dir, "filter.lua"), script);
    fs.writeFileSync(path.join(dir, "harness.lua"), harness(fn, records));
    const out = run("luajit", ["harness.lua"], { cwd: dir });
    return out
      .trim()
      .split("\n")
      .map((line) => {
        const tab = line.indexOf("\t");
        return { code: Number(line.slice(0, tab)), record: JSON.parse(line.slice(tab + 1)) };
      });
  } finally {
    cleanup();
  }
}

/** A JS value as a Lua literal (records are maps of strings, numbers, booleans, arrays and maps). */
function toLua(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value).replace(/\\u([0-9a-f]{4})/gi, (_, h) => `\\${parseInt(h, 16)}`);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{ ${value.map(toLua).join(", ")} }`;
  return `{ ${Object.entries(value as Record<string, unknown>).map(([k, v]) => `[${toLua(k)}] = ${toLua(v)}`).join(", ")} }`;
}

function harness(fn: string, records: unknown[]): string {
  return `dofile("filter.lua")
local function encode(v)
  local t = type(v)
  if t == "string" then
    return '"' .. string.gsub(v, '[%c"\\\\]', function(c) return string.format("\\\\u%04x", string.byte(c)) end) .. '"'
  elseif t == "number" or t == "boolean" then
    return tostring(v)
  elseif t == "table" then
    local parts = {}
    if #v > 0 then
      for _, x in ipairs(v) do parts[#parts + 1] = encode(x) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do parts[#parts + 1] = encode(k) .. ":" .. encode(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end
local records = { ${records.map(toLua).join(",\n  ")} }
for _, record in ipairs(records) do
  local code, _, out = ${fn}("kube.var.log.containers.test", 1700000000.5, record)
  io.write(code, "\\t", encode(out), "\\n")
end
`;
}
