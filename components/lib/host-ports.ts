/**
 * Host ports published on the Docker target. Docker refuses to start a second container on a host port that is
 * already taken ("port is already allocated") only at `pulumi up`, after other containers were created; the
 * stack checks every claim at plan time instead, naming both claimants.
 */

/** One published host port and the setting that decides it. */
export interface HostPortClaim {
  /** Key path of the setting that decides the port, e.g. `platform:services[0].port`. */
  claimant: string;
  /** What publishes it, for the message, e.g. `service web` or `Grafana UI`. */
  what: string;
  /** Host address the port binds to (`0.0.0.0` binds every address). */
  ip: string;
  port: number;
}

const ANY = "0.0.0.0";

function overlaps(a: HostPortClaim, b: HostPortClaim): boolean {
  return a.port === b.port && (a.ip === b.ip || a.ip === ANY || b.ip === ANY);
}

export interface HostPortCollision {
  /** The later claim, which the problem is reported against. */
  claim: HostPortClaim;
  /** The earlier claim it collides with. */
  taken: HostPortClaim;
  /** What is wrong and how to fix it, naming both claimants. */
  allowed: string;
}

/** Every claim that collides with an earlier claim (same port on the same or an overlapping address). Pure. */
export function hostPortCollisions(claims: ReadonlyArray<HostPortClaim>): HostPortCollision[] {
  const out: HostPortCollision[] = [];
  claims.forEach((claim, i) => {
    const taken = claims.slice(0, i).find((earlier) => overlaps(earlier, claim));
    if (!taken) return;
    out.push({
      claim,
      taken,
      allowed:
        `host port ${claim.port} on ${claim.ip} (${claim.what}) is already published by ${taken.claimant} ` +
        `(${taken.what} on ${taken.ip}); give one of them another host port`,
    });
  });
  return out;
}

/** The collisions as problem lines (`<key path>: <what is wrong> (got <port>)`), for stack-level claims. */
export function hostPortProblems(claims: ReadonlyArray<HostPortClaim>): string[] {
  return hostPortCollisions(claims).map((c) => `${c.claim.claimant}: ${c.allowed} (got ${c.claim.port})`);
}
