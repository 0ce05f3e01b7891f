/**
 * Engine parameters the library can reason about, checked against the memory the database gets: the Docker memory
 * limit of its size class, or the memory of a known managed instance class. Values are parsed with the engines' own
 * units (PostgreSQL: kB/MB/GB/TB, bare numbers in the parameter's base unit; Redis: b/kb/mb/gb and k/m/g).
 */

/** Memory of the default managed instance classes, in MiB (RDS db.t4g.medium 4 GiB, m7g.large 8 GiB, r7g.xlarge 32 GiB). */
export const INSTANCE_MEMORY_MIB: Record<string, number> = {
  "db.t4g.medium": 4096,
  "db.m7g.large": 8192,
  "db.r7g.xlarge": 32768,
};

const PG_UNITS: Record<string, number> = { kB: 1024, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };

/** Bytes of a PostgreSQL memory setting; a bare number is in `baseBytes` (8 kB pages for shared_buffers, kB for work_mem). */
export function postgresBytes(value: string, baseBytes: number): number | undefined {
  const m = /^(\d+)\s*(kB|MB|GB|TB)?$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] ? PG_UNITS[m[2]] : baseBytes);
}

const REDIS_UNITS: Record<string, number> = { "": 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 2 ** 20, g: 1e9, gb: 2 ** 30 };

/** Bytes of a Redis memory setting (`maxmemory 256mb`). */
export function redisBytes(value: string): number | undefined {
  const m = /^(\d+)([a-zA-Z]*)$/.exec(value);
  if (!m || !(m[2].toLowerCase() in REDIS_UNITS)) return undefined;
  return Number(m[1]) * REDIS_UNITS[m[2].toLowerCase()];
}

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)}MiB`;

/**
 * Problems of the parameters against `memoryMiB` as [parameter, message]. Limits and why:
 *  - shared_buffers at most 40% of memory (PostgreSQL's guidance is 25%; beyond 40% the OS cache, sorts and
 *    connections starve and the container is OOM-killed);
 *  - work_mem x max_connections at most the memory (each connection may use work_mem at least once at a time);
 *  - Redis maxmemory at most 75% of memory (an RDB snapshot forks the process and copy-on-write needs headroom).
 */
export function parameterProblems(engine: string, parameters: Record<string, string>, memoryMiB: number | undefined, where: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const memory = memoryMiB === undefined ? undefined : memoryMiB * 2 ** 20;
  if (engine === "postgres") {
    const sb = parameters.shared_buffers;
    const sbBytes = sb === undefined ? undefined : postgresBytes(sb, 8192);
    if (sb !== undefined && sbBytes === undefined) out.push(["shared_buffers", "must be a size like 128MB or 1GB (or a number of 8kB pages)"]);
    const wm = parameters.work_mem;
    const wmBytes = wm === undefined ? undefined : postgresBytes(wm, 1024);
    if (wm !== undefined && wmBytes === undefined) out.push(["work_mem", "must be a size like 4MB or 64MB (or a number of kB)"]);
    const mc = parameters.max_connections;
    if (mc !== undefined && !/^\d+$/.test(mc)) out.push(["max_connections", "must be a whole number"]);
    if (memory !== undefined) {
      if (sbBytes !== undefined && sbBytes > 0.4 * memory) {
        out.push(["shared_buffers", `must be at most 40% of the ${mib(memory)} ${where} (${mib(0.4 * memory)}); PostgreSQL recommends about 25%, the rest is needed for connections, sorts and the OS cache`]);
      }
      const connections = mc !== undefined && /^\d+$/.test(mc) ? Number(mc) : 100;
      const perConnection = wmBytes ?? 4 * 2 ** 20;
      if ((wm !== undefined || mc !== undefined) && perConnection * connections > memory) {
        out.push([wm !== undefined ? "work_mem" : "max_connections", `work_mem x max_connections (${mib(perConnection)} x ${connections} = ${mib(perConnection * connections)}) must fit in the ${mib(memory)} ${where}; lower one of them or choose a larger size`]);
      }
    }
  }
  if (engine === "redis") {
    const mm = parameters.maxmemory;
    const bytes = mm === undefined ? undefined : redisBytes(mm);
    if (mm !== undefined && bytes === undefined) out.push(["maxmemory", "must be a size like 256mb or 1gb"]);
    if (memory !== undefined && bytes !== undefined && bytes > 0.75 * memory) {
      out.push(["maxmemory", `must be at most 75% of the ${mib(memory)} ${where} (${mib(0.75 * memory)}); an RDB snapshot forks Redis and copy-on-write needs the rest`]);
    }
  }
  return out;
}
