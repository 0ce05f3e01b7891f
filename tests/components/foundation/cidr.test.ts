import {
  contains, deriveSubnets, formatCidr, overlaps, parseCidr, subnetAt, subnetListProblems, vpcCidrProblems, cidr,
} from "../../../components/foundation/cidr";
import { eksKubeconfig } from "../../../components/foundation/kubeconfig";
import { eksEndpointConfig } from "../../../components/foundation/aws/cluster";

describe("cidr", () => {
  test("parses, normalises and rejects host bits", () => {
    expect(parseCidr("10.0.0.0/16")).toEqual({ network: 0x0a000000, prefix: 16 });
    expect(parseCidr("10.0.1.0/16")).toBe("has host bits set; the block starting there is 10.0.0.0/16");
    expect(parseCidr("10.0.300.0/24")).toMatch(/octets 0-255/);
    expect(parseCidr("10.0.0.0")).toMatch(/IPv4 CIDR/);
    expect(formatCidr(cidr("192.168.4.0/22"))).toBe("192.168.4.0/22");
  });

  test("overlap and containment", () => {
    expect(overlaps(cidr("10.0.0.0/24"), cidr("10.0.0.128/25"))).toBe(true);
    expect(overlaps(cidr("10.0.0.0/24"), cidr("10.0.1.0/24"))).toBe(false);
    expect(contains(cidr("10.0.0.0/16"), cidr("10.0.255.0/24"))).toBe(true);
    expect(contains(cidr("10.0.0.0/16"), cidr("10.1.0.0/24"))).toBe(false);
    expect(formatCidr(subnetAt(cidr("10.0.0.0/16"), 18, 3))).toBe("10.0.192.0/18");
  });

  test("derives one public and one private block per zone, non-overlapping and inside the VPC", () => {
    expect(deriveSubnets(cidr("10.0.0.0/16"), 2)).toEqual({
      public: ["10.0.0.0/18", "10.0.64.0/18"],
      private: ["10.0.128.0/18", "10.0.192.0/18"],
    });
    const three = deriveSubnets(cidr("10.0.0.0/16"), 3);
    if (typeof three === "string") throw new Error(three);
    const all = [...three.public, ...three.private];
    expect(all).toHaveLength(6);
    expect(subnetListProblems("10.0.0.0/16", all)).toEqual([]);
    expect(deriveSubnets(cidr("10.0.0.0/26"), 2)).toEqual({ public: ["10.0.0.0/28", "10.0.0.16/28"], private: ["10.0.0.32/28", "10.0.0.48/28"] });
    expect(deriveSubnets(cidr("10.0.0.0/27"), 2)).toBe("is too small for 2 zones: each of the 4 subnets would be a /29, smaller than /28");
  });

  test("VPC blocks: private ranges, /16 to /24", () => {
    expect(vpcCidrProblems("10.0.0.0/16")).toEqual([]);
    expect(vpcCidrProblems("10.0.0.0/12")).toEqual(["must be a /16 to /24 block"]);
    expect(vpcCidrProblems("52.0.0.0/16")[0]).toMatch(/private range/);
  });

  test("explicit subnet lists: overlap, outside the VPC, too small", () => {
    expect(subnetListProblems("10.0.0.0/16", ["10.0.0.0/24", "10.0.0.0/25", "10.1.0.0/24", "10.0.9.0/29"])).toEqual([
      [2, "must lie inside the VPC block 10.0.0.0/16"],
      [3, "must be /28 or larger"],
      [1, "overlaps 10.0.0.0/24"],
    ]);
    expect(subnetListProblems("10.0.0.0/16", ["10.0.4.0/24"], ["10.0.4.0/22"])).toEqual([[0, "overlaps 10.0.4.0/22"]]);
  });
});

describe("pure cluster builders", () => {
  test("EKS kubeconfig uses exec auth; endpoint private unless CIDRs are listed", () => {
    const kc = JSON.parse(eksKubeconfig({ clusterName: "c", endpoint: "https://x", certificateAuthorityData: "Y2E=", region: "eu-west-1" }));
    expect(kc.users[0].user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "c", "--region", "eu-west-1", "--output", "json"]);
    expect(kc.users[0].user.token).toBeUndefined();
    expect(eksEndpointConfig([])).toEqual({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(eksEndpointConfig(["203.0.113.0/24"]).publicAccessCidrs).toEqual(["203.0.113.0/24"]);
  });
});
