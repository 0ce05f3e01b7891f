/**
 * Pure IPv4 CIDR arithmetic and validation for the foundation network. No Pulumi imports: everything here
 * decides structure (how many subnets, which blocks) and must be checkable before anything is registered.
 */

/** A parsed IPv4 block: network address as an unsigned 32-bit number and prefix length. */
export interface Cidr {
  network: number;
  prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Smallest and largest VPC the foundation accepts (AWS allows /16 to /28; a cluster needs room). */
export const VPC_PREFIX_RANGE = { min: 16, max: 24 } as const;
/** Smallest subnet AWS and Alibaba Cloud both accept. */
export const MAX_SUBNET_PREFIX = 28;

/** Private (RFC 1918) and shared (RFC 6598) ranges a VPC may use. */
export const PRIVATE_RANGES: readonly string[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** Parses `a.b.c.d/n`; returns a reason string when the text is not a valid, normalised block. */
export function parseCidr(text: string): Cidr | string {
  const m = CIDR_PATTERN.exec(text);
  if (!m) return "must be an IPv4 CIDR block like 10.0.0.0/16";
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return "must be an IPv4 CIDR block with octets 0-255";
  const prefix = Number(m[5]);
  if (prefix > 32) return "must have a prefix length between 0 and 32";
  const address = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const network = (address & mask(prefix)) >>> 0;
  if (network !== address) {
    return `has host bits set; the block starting there is ${formatCidr({ network, prefix })}`;
  }
  return { network, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses a block that is known to be valid (throws on programmer error, never on user input). */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") throw new Error(`${text}: ${parsed}`);
  return parsed;
}

export function formatCidr(c: Cidr): string {
  const n = c.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${c.prefix}`;
}

/** Number of addresses in the block. */
export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.network + size(a) - 1;
  const bEnd = b.network + size(b) - 1;
  return a.network <= bEnd && b.network <= aEnd;
}

/** True when `inner` lies entirely within `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.network >= outer.network && inner.network + size(inner) <= outer.network + size(outer);
}

/** The `index`-th block of `newPrefix` inside `parent` (like Terraform's cidrsubnet). */
export function subnetAt(parent: Cidr, newPrefix: number, index: number): Cidr {
  if (newPrefix < parent.prefix || newPrefix > 32) throw new Error(`cannot carve /${newPrefix} out of ${formatCidr(parent)}`);
  const count = 2 ** (newPrefix - parent.prefix);
  if (index < 0 || index >= count) throw new Error(`${formatCidr(parent)} holds only ${count} /${newPrefix} blocks`);
  return { network: (parent.network + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}

/** Subnet layout of a VPC: one public and one private block per zone, in zone order. */
export interface SubnetLayout {
  public: string[];
  private: string[];
}

/**
 * Splits the VPC evenly into `2 * zones` blocks (rounded up to a power of two): public subnets first, then
 * private ones. A /16 over two zones gives four /18s; over three zones, six of eight /19s.
 * Returns a reason string when the blocks would be smaller than the providers accept.
 */
export function deriveSubnets(vpc: Cidr, zones: number): SubnetLayout | string {
  const bits = Math.ceil(Math.log2(2 * zones));
  const prefix = vpc.prefix + bits;
  if (prefix > MAX_SUBNET_PREFIX) {
    return `is too small for ${zones} zones: each of the ${2 * zones} subnets would be a /${prefix}, smaller than /${MAX_SUBNET_PREFIX}`;
  }
  const blocks = Array.from({ length: 2 * zones }, (_, i) => formatCidr(subnetAt(vpc, prefix, i)));
  return { public: blocks.slice(0, zones), private: blocks.slice(zones) };
}

/**
 * Problems of a VPC block: not a normalised CIDR, outside private ranges, or outside the accepted size range.
 * Each problem is a phrase suitable after the key path.
 */
export function vpcCidrProblems(text: string): string[] {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") return [parsed];
  const problems: string[] = [];
  if (parsed.prefix < VPC_PREFIX_RANGE.min || parsed.prefix > VPC_PREFIX_RANGE.max) {
    problems.push(`must be a /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max} block`);
  }
  if (!PRIVATE_RANGES.some((r) => contains(cidr(r), parsed))) {
    problems.push(`must lie in a private range (${PRIVATE_RANGES.join(", ")})`);
  }
  return problems;
}

/**
 * Problems of an explicit subnet list: each block valid, inside the VPC, no larger than the VPC allows and no
 * smaller than /28, and no two blocks (across `others` too) overlapping.
 * @returns `[index, problem]` pairs so the caller can name the key path.
 */
export function subnetListProblems(vpcText: string, blocks: readonly string[], others: readonly string[] = []): Array<[number, string]> {
  const vpc = parseCidr(vpcText);
  const out: Array<[number, string]> = [];
  const parsed: Array<Cidr | undefined> = blocks.map((b, i) => {
    const p = parseCidr(b);
    if (typeof p === "string") {
      out.push([i, p]);
      return undefined;
    }
    if (p.prefix > MAX_SUBNET_PREFIX) out.push([i, `must be /${MAX_SUBNET_PREFIX} or larger`]);
    if (typeof vpc !== "string" && !contains(vpc, p)) out.push([i, `must lie inside the VPC block ${vpcText}`]);
    return p;
  });
  const otherBlocks = others.map(parseCidr).filter((o): o is Cidr => typeof o !== "string");
  parsed.forEach((p, i) => {
    if (!p) return;
    for (let j = 0; j < i; j++) {
      const q = parsed[j];
      if (q && overlaps(p, q)) out.push([i, `overlaps ${blocks[j]}`]);
    }
    for (const o of otherBlocks) if (overlaps(p, o)) out.push([i, `overlaps ${formatCidr(o)}`]);
  });
  return out;
}
