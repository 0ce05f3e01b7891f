import { hostPortCollisions, hostPortProblems, type HostPortClaim } from "../../../components/lib/host-ports";

const claim = (claimant: string, port: number, ip = "127.0.0.1"): HostPortClaim => ({ claimant, what: claimant.split(".").pop()!, ip, port });

describe("host port collisions", () => {
  it("accepts distinct ports and the same port on two distinct addresses", () => {
    expect(hostPortCollisions([claim("a", 3000), claim("b", 3300), claim("c", 3000, "10.0.0.5")])).toEqual([]);
  });

  it("reports the later claim, naming both claimants and the port", () => {
    const problems = hostPortProblems([claim("platform:services[0].port", 3000), claim("platform:alerting.hostPorts.grafana", 3000)]);
    expect(problems).toEqual([
      "platform:alerting.hostPorts.grafana: host port 3000 on 127.0.0.1 (grafana) is already published by platform:services[0].port " +
        "(port on 127.0.0.1); give one of them another host port (got 3000)",
    ]);
  });

  it("treats 0.0.0.0 as overlapping every address", () => {
    expect(hostPortCollisions([claim("edge", 443, "0.0.0.0"), claim("svc", 443, "127.0.0.1")])).toHaveLength(1);
    expect(hostPortCollisions([claim("svc", 443, "127.0.0.1"), claim("edge", 443, "0.0.0.0")])).toHaveLength(1);
  });

  it("reports every collision in one run", () => {
    expect(hostPortCollisions([claim("a", 80), claim("b", 80), claim("c", 80), claim("d", 443), claim("e", 443)]).map((c) => c.claim.claimant)).toEqual(["b", "c", "e"]);
  });
});
