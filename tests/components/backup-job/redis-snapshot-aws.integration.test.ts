/**
 * Runs the REAL redis-snapshot-aws.sh with the REAL aws cli (v2, /usr/bin/aws) against a fake ElastiCache Query API on
 * 127.0.0.1 (tests/helpers/elasticache-fake.ts), reached through the standard AWS_ENDPOINT_URL variable with dummy
 * credentials. The fake records every call; each case asserts the exit code, the calls and the log.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort, runAsync } from "../../helpers/servers";
import { startFakeElastiCache, FakeElastiCache, FakeSnapshot } from "../../helpers/elasticache-fake";
import { requireTool, run, tempDir } from "../../helpers/tools";

const SCRIPT = path.join(__dirname, "../../../components/backup-job/scripts/redis-snapshot-aws.sh");
const GROUP = "orders";
const SET = "orders-redis";
const SCRATCH = "orders-verify";
const DAY = 86_400_000;
/** Deletion requests the EXIT trap makes for a scratch group that refuses them (the script's bound). */
const CLEANUP_ATTEMPTS = 10;

/** YYYYMMDD-HHMMSS (UTC) of a time, as in snapshot names. */
const stamp = (t: number) => new Date(t).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ redis-snapshot-aws\.sh\[(snapshot|verify)\]: /;

const TEMPLATE = {
  CacheNodeType: "cache.r7g.large",
  Engine: "redis",
  EngineVersion: "7.1",
  CacheSubnetGroupName: "orders-private",
  SecurityGroupIds: ["sg-0a1", "sg-0b2"],
  TransitEncryptionEnabled: true,
  AtRestEncryptionEnabled: true,
  KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1111-2222",
  NumNodeGroups: 3,
  ReplicasPerNodeGroup: 0,
  Tags: [{ Key: "purpose", Value: "restore-test" }],
};

describe("redis-snapshot-aws.sh against a fake ElastiCache API through the real aws cli", () => {
  let fake: FakeElastiCache;
  let work: { dir: string; cleanup: () => void };
  let tmp: string;

  beforeAll(() => {
    requireTool("/usr/bin/aws", "awscli");
    requireTool("shellcheck", "shellcheck");
  });

  beforeEach(async () => {
    work = tempDir("redis-snapshot-aws");
    tmp = path.join(work.dir, "tmp");
    fs.mkdirSync(tmp);
    fake = await startFakeElastiCache(await freePort());
    fake.groups.set(GROUP, { id: GROUP, states: ["available"], nodeGroups: 1 });
  });

  afterEach(async () => {
    await fake.close();
    work.cleanup();
  });

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    AWS_CLI: "/usr/bin/aws",
    AWS_ENDPOINT_URL: fake.endpoint,
    AWS_ACCESS_KEY_ID: "AKIDFAKEELASTICACHE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-for-the-local-fake",
    AWS_DEFAULT_REGION: "eu-west-1",
    AWS_REGION: "eu-west-1",
    AWS_CONFIG_FILE: path.join(work.dir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(work.dir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    TMPDIR: tmp,
    REPLICATION_GROUP_ID: GROUP,
    BACKUP_NAME: SET,
    RETENTION_DAYS: "7",
    EXPECTED_SHARDS: "1",
    POLL_SECONDS: "0",
    ...extra,
  });
  const script = (command: string, extra: NodeJS.ProcessEnv = {}) => runAsync("bash", [SCRIPT, command], env(extra));
  const actions = () => fake.calls.map((c) => c.action);
  const callsOf = (action: string) => fake.calls.filter((c) => c.action === action);
  const seed = (name: string, over: Partial<FakeSnapshot> = {}) =>
    fake.snapshots.set(name, { name, groupId: GROUP, source: "manual", states: ["available"], nodeGroups: ["0001"], ...over });
  /** Every stderr line is a timestamped log line of the script (the aws cli's own messages are folded into them). */
  const expectLogLines = (stderr: string) => {
    const lines = stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(LOG_LINE);
  };

  describe("snapshot", () => {
    it("takes a snapshot named <BACKUP_NAME>-YYYYMMDD-HHMMSS, waits until it is available and checks it (1 shard)", async () => {
      fake.newSnapshot = { states: ["creating", "creating", "creating", "available"], nodeGroups: 1 };
      const before = stamp(Date.now());
      const r = await script("snapshot");
      const after = stamp(Date.now());
      expect(r.stderr).not.toContain("ERROR");
      expect(r.code).toBe(0);
      const [create] = callsOf("CreateSnapshot");
      expect(callsOf("CreateSnapshot")).toHaveLength(1);
      expect(create.params.ReplicationGroupId).toBe(GROUP);
      const name = create.params.SnapshotName;
      expect(name).toMatch(/^orders-redis-\d{8}-\d{6}$/);
      const taken = name.slice(SET.length + 1);
      expect(taken >= before && taken <= after).toBe(true);
      // Polled until available: three "creating" answers, then "available", then once more for the node snapshots.
      expect(callsOf("DescribeSnapshots").filter((c) => c.params.SnapshotName === name).length).toBe(5);
      expect(fake.snapshots.get(name)?.states).toEqual(["available"]);
      // The prune listing asks for this group's manual snapshots (SnapshotSource=user in the API).
      const listing = callsOf("DescribeSnapshots").filter((c) => !c.params.SnapshotName);
      expect(listing.length).toBeGreaterThan(0);
      expect(listing[0].params).toMatchObject({ ReplicationGroupId: GROUP, SnapshotSource: "user" });
      expect(callsOf("DeleteSnapshot")).toHaveLength(0);
      expect(r.stderr).toContain(`creating snapshot ${name} of ${GROUP}`);
      expect(r.stderr).toMatch(new RegExp(`snapshot ${name} available after \\d+s`));
      expect(r.stderr).toContain(`snapshot ${name} holds 1 node group(s) (expected 1)`);
      expect(r.stderr).toContain("prune: deleted 0 snapshot(s) older than 7d");
      expect(r.stderr).toContain(`done: ${name}`);
      expectLogLines(r.stderr);
    });

    it("accepts a one-shard snapshot whose node snapshot carries no NodeGroupId (cluster mode off), but not an empty one", async () => {
      fake.newSnapshot = { states: ["creating", "available"], nodeGroups: 1, withoutNodeGroupId: true };
      const r = await script("snapshot");
      expect(r.stderr).not.toContain("ERROR");
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/snapshot orders-redis-\d{8}-\d{6} holds 1 node group\(s\) \(expected 1\)/);
      fake.newSnapshot = { states: ["creating", "available"], nodeGroups: 0 };
      const empty = await script("snapshot");
      expect(empty.code).not.toBe(0);
      expect(empty.stderr).toMatch(/holds 0 node group\(s\), EXPECTED_SHARDS is 1: it does not cover every shard/);
    });

    it("checks that a cluster-mode snapshot has one node snapshot per shard (3 shards)", async () => {
      fake.groups.set(GROUP, { id: GROUP, states: ["available"], nodeGroups: 3 });
      fake.newSnapshot = { states: ["creating", "available"], nodeGroups: 3 };
      const r = await script("snapshot", { EXPECTED_SHARDS: "3" });
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/snapshot orders-redis-\d{8}-\d{6} holds 3 node group\(s\) \(expected 3\)/);
      expectLogLines(r.stderr);
    });

    it("fails naming both numbers when the snapshot misses a shard, and prunes nothing", async () => {
      fake.groups.set(GROUP, { id: GROUP, states: ["available"], nodeGroups: 3 });
      fake.newSnapshot = { states: ["creating", "available"], nodeGroups: 2 };
      seed(`${SET}-20200101-000000`);
      const r = await script("snapshot", { EXPECTED_SHARDS: "3" });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: snapshot orders-redis-\d{8}-\d{6} holds 2 node group\(s\), EXPECTED_SHARDS is 3/);
      expect(callsOf("DeleteSnapshot")).toHaveLength(0);
      expect(fake.snapshots.has(`${SET}-20200101-000000`)).toBe(true);
    });

    it("prunes only this set's expired manual snapshots of this group, across result pages", async () => {
      await fake.close();
      fake = await startFakeElastiCache(await freePort(), { pageSize: 2 });
      fake.groups.set(GROUP, { id: GROUP, states: ["available"], nodeGroups: 1 });
      const now = Date.now();
      const expired = [`${SET}-20200101-000000`, `${SET}-${stamp(now - 8 * DAY)}`];
      const kept = [
        `${SET}-${stamp(now - 6 * DAY)}`, // this set, inside retention
        `${SET}-eu-20200101-000000`, // another set whose name starts with this one's
        `${SET}-2020-01-01`, // this prefix, but not this set's name format
        `${SET}-20201301-000000`, // not a real stamp (month 13)
        "nightly-orders-20200101-000000", // a manual snapshot of another naming scheme
      ];
      for (const name of [...expired, ...kept]) seed(name);
      seed(`${SET}-20200102-000000`, { source: "automated" }); // never touched: not a manual snapshot
      seed(`${SET}-20200103-000000`, { groupId: "billing" }); // another group's snapshot
      const r = await script("snapshot");
      expect(r.stderr).not.toContain("ERROR");
      expect(r.code).toBe(0);
      const taken = callsOf("CreateSnapshot")[0].params.SnapshotName;
      expect(callsOf("DeleteSnapshot").map((c) => c.params.SnapshotName).sort()).toEqual([...expired].sort());
      for (const name of [...kept, taken, `${SET}-20200102-000000`, `${SET}-20200103-000000`]) expect(fake.snapshots.has(name)).toBe(true);
      for (const name of expired) expect(fake.snapshots.has(name)).toBe(false);
      // The listing spans pages (two per page here): the aws cli followed the Marker.
      expect(callsOf("DescribeSnapshots").some((c) => c.params.Marker !== undefined)).toBe(true);
      for (const name of expired) expect(r.stderr).toContain(`deleted expired snapshot ${name} (older than 7d)`);
      expect(r.stderr).toContain(`prune: deleted 2 snapshot(s) older than 7d`);
      expectLogLines(r.stderr);
    });

    it("retries while the group is busy (InvalidReplicationGroupState), then succeeds", async () => {
      fake.groups.set(GROUP, { id: GROUP, states: ["snapshotting", "snapshotting", "available"], nodeGroups: 1 });
      const r = await script("snapshot");
      expect(r.code).toBe(0);
      expect(callsOf("CreateSnapshot")).toHaveLength(3);
      const names = new Set(callsOf("CreateSnapshot").map((c) => c.params.SnapshotName));
      expect(names.size).toBe(1);
      expect(r.stderr).toContain(`${GROUP} is busy (InvalidReplicationGroupState, attempt 1); retrying in 0s`);
      expect(r.stderr).toContain(`${GROUP} is busy (InvalidReplicationGroupState, attempt 2); retrying in 1s`);
      expect(r.stderr).toContain(`done: ${[...names][0]}`);
      expectLogLines(r.stderr);
    });

    it("gives up on a group that stays busy when the timeout is reached", async () => {
      fake.groups.set(GROUP, { id: GROUP, states: ["modifying"], nodeGroups: 1 });
      const r = await script("snapshot", { SNAPSHOT_TIMEOUT_SECONDS: "2", POLL_SECONDS: "1" });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: create-snapshot orders-redis-\d{8}-\d{6}: orders stayed busy \(InvalidReplicationGroupState\) through \d+ attempts within 2s/);
      expect(callsOf("DescribeSnapshots")).toHaveLength(0);
    });

    it("fails at once with the CLI's message on any other error (ReplicationGroupNotFoundFault)", async () => {
      const r = await script("snapshot", { REPLICATION_GROUP_ID: "missing-group" });
      expect(r.code).not.toBe(0);
      expect(actions()).toEqual(["CreateSnapshot"]);
      expect(r.stderr).toMatch(/ERROR: create-snapshot orders-redis-\d{8}-\d{6} of missing-group failed: .*\(ReplicationGroupNotFoundFault\).*ReplicationGroup missing-group not found\./);
      expectLogLines(r.stderr);
    });

    it("fails when the snapshot fails, and prunes nothing", async () => {
      fake.newSnapshot = { states: ["creating", "failed"], nodeGroups: 1 };
      seed(`${SET}-20200101-000000`);
      const r = await script("snapshot");
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: snapshot orders-redis-\d{8}-\d{6} is 'failed' after \d+s instead of becoming available/);
      expect(callsOf("DeleteSnapshot")).toHaveLength(0);
    });

    it("fails when the snapshot vanishes while it is being created", async () => {
      fake.newSnapshot = { states: ["creating"], nodeGroups: 1 };
      const run = script("snapshot", { POLL_SECONDS: "1" });
      for (let i = 0; i < 600 && callsOf("DescribeSnapshots").length < 1; i++) await sleep(50);
      fake.snapshots.clear();
      const r = await run;
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: snapshot orders-redis-\d{8}-\d{6} vanished while it was being created/);
    });

    it("fails naming the elapsed time when the snapshot is not available within the timeout", async () => {
      fake.newSnapshot = { states: ["creating"], nodeGroups: 1 };
      const r = await script("snapshot", { SNAPSHOT_TIMEOUT_SECONDS: "2", POLL_SECONDS: "1" });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: snapshot orders-redis-\d{8}-\d{6} still 'creating' after ([2-9]|\d\d+)s \(SNAPSHOT_TIMEOUT_SECONDS=2\)/);
      expect(callsOf("DeleteSnapshot")).toHaveLength(0);
    });

    it("refuses bad configuration before any API call, naming the variable and the value", async () => {
      const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
        [{ RETENTION_DAYS: "0" }, /RETENTION_DAYS must be an integer >= 1, got '0'/],
        [{ RETENTION_DAYS: "" }, /RETENTION_DAYS must be an integer >= 1, got ''/],
        [{ EXPECTED_SHARDS: "three" }, /EXPECTED_SHARDS must be an integer >= 1, got 'three'/],
        [{ POLL_SECONDS: "-1" }, /POLL_SECONDS must be an integer >= 0, got '-1'/],
        [{ BACKUP_NAME: "orders redis" }, /BACKUP_NAME must be a letter followed by letters, digits or hyphens .*got 'orders redis'/],
        [{ BACKUP_NAME: "" }, /BACKUP_NAME must be .*got ''/],
        [{ REPLICATION_GROUP_ID: "orders--x" }, /REPLICATION_GROUP_ID must be an ElastiCache replication group id .*got 'orders--x'/],
      ];
      for (const [extra, message] of cases) {
        const r = await script("snapshot", extra);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(message);
      }
      const usage = await script("backup");
      expect(usage.code).not.toBe(0);
      expect(usage.stderr).toContain("usage: redis-snapshot-aws.sh snapshot|verify");
      expect(fake.calls).toHaveLength(0);
    });
  });

  describe("verify", () => {
    const verifyEnv = (extra: NodeJS.ProcessEnv = {}) => ({
      VERIFY_GROUP_ID: SCRATCH,
      RESTORE_TEMPLATE: JSON.stringify(TEMPLATE),
      EXPECTED_SHARDS: "3",
      ...extra,
    });
    /** What the API receives for TEMPLATE plus the script's three parameters (Query API list serialisation). */
    const expectedCreateParams = (snapshot: string) => ({
      Action: "CreateReplicationGroup",
      Version: "2015-02-02",
      CacheNodeType: "cache.r7g.large",
      Engine: "redis",
      EngineVersion: "7.1",
      CacheSubnetGroupName: "orders-private",
      "SecurityGroupIds.SecurityGroupId.1": "sg-0a1",
      "SecurityGroupIds.SecurityGroupId.2": "sg-0b2",
      TransitEncryptionEnabled: "true",
      AtRestEncryptionEnabled: "true",
      KmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1111-2222",
      NumNodeGroups: "3",
      ReplicasPerNodeGroup: "0",
      "Tags.Tag.1.Key": "purpose",
      "Tags.Tag.1.Value": "restore-test",
      ReplicationGroupId: SCRATCH,
      ReplicationGroupDescription: `restore test of ${snapshot} (redis-snapshot-aws.sh verify)`,
      SnapshotName: snapshot,
    });
    /** Files under TMPDIR with their modes, relative paths. */
    const listTmp = () => {
      const out: Record<string, { mode: number; content?: string }> = {};
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          const rel = path.relative(tmp, full);
          out[rel] = { mode: fs.statSync(full).mode & 0o777 };
          if (entry.isDirectory()) walk(full);
          else out[rel].content = fs.readFileSync(full, "utf8");
        }
      };
      walk(tmp);
      return out;
    };
    const seedSet = () => {
      seed(`${SET}-20261101-000000`, { nodeGroups: ["0001", "0002", "0003"] });
      seed(`${SET}-20261102-000000`, { nodeGroups: ["0001", "0002", "0003"] }); // newest available one
      seed(`${SET}-20261103-000000`, { states: ["creating"] }); // newer, but not available yet
      seed(`${SET}-eu-20261104-000000`); // another set
      seed(`${SET}-20261105-000000`, { source: "automated" });
      return `${SET}-20261102-000000`;
    };

    it("deletes a leftover scratch group, restores the newest available snapshot with the template, logs the duration, deletes the scratch group", async () => {
      const newest = seedSet();
      fake.groups.set(SCRATCH, { id: SCRATCH, states: ["available"], nodeGroups: 3 });
      fake.deletion = ["deleting", "deleting", "gone"];
      fake.newGroup = { states: ["creating", "creating", "available"], nodeGroups: 3 };
      let seen: ReturnType<typeof listTmp> = {};
      fake.onCreateReplicationGroup = () => (seen = listTmp());
      const r = await script("verify", verifyEnv());
      expect(r.stderr).not.toContain("ERROR");
      expect(r.code).toBe(0);

      // Leftover first: deleted and waited for until it is gone, before anything is created.
      const createAt = actions().indexOf("CreateReplicationGroup");
      const firstDelete = actions().indexOf("DeleteReplicationGroup");
      expect(firstDelete).toBeGreaterThan(-1);
      expect(firstDelete).toBeLessThan(createAt);
      expect(actions().slice(firstDelete + 1, createAt)).toEqual(["DescribeReplicationGroups", "DescribeReplicationGroups", "DescribeReplicationGroups"]);
      expect(r.stderr).toContain(`leftover scratch group ${SCRATCH} (available) from an earlier run: deleting it first`);
      expect(r.stderr).toMatch(new RegExp(`leftover scratch group ${SCRATCH} deleted after \\d+s`));

      // The create parameters are exactly the template plus the script's three.
      expect(callsOf("CreateReplicationGroup")).toHaveLength(1);
      expect(callsOf("CreateReplicationGroup")[0].params).toEqual(expectedCreateParams(newest));

      // Waited for "available", checked the shards, logged the duration, then deleted the scratch group.
      const deletes = callsOf("DeleteReplicationGroup");
      expect(deletes).toHaveLength(2);
      expect(deletes[1].params).toEqual({ Action: "DeleteReplicationGroup", Version: "2015-02-02", ReplicationGroupId: SCRATCH, RetainPrimaryCluster: "false" });
      expect(actions()[actions().length - 1]).toBe("DeleteReplicationGroup");
      expect(r.stderr).toContain(`newest snapshot of set ${SET}: ${newest}`);
      expect(r.stderr).toMatch(new RegExp(`restore duration: \\d+s \\(${newest} into ${SCRATCH}, until available\\)`));
      expect(r.stderr).toContain(`restored group ${SCRATCH} has 3 node group(s) (expected 3): ${newest} verified`);
      expect(r.stderr).toContain(`scratch group ${SCRATCH}: deletion requested`);
      expectLogLines(r.stderr);

      // The cli-input-json file: private while the cli reads it, gone afterwards, like the whole scratch directory.
      const files = Object.entries(seen).filter(([, v]) => v.content !== undefined);
      const input = files.find(([name]) => name.endsWith("create-replication-group.json"));
      expect(input).toBeDefined();
      expect(input![1].mode).toBe(0o600);
      expect(seen[path.dirname(input![0])].mode).toBe(0o700);
      expect(JSON.parse(input![1].content!)).toEqual({ ...TEMPLATE, ReplicationGroupId: SCRATCH, ReplicationGroupDescription: expect.any(String), SnapshotName: newest });
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    it("fails when the restore ends create-failed, and still deletes the scratch group", async () => {
      seedSet();
      fake.newGroup = { states: ["creating", "create-failed"], nodeGroups: 3 };
      const r = await script("verify", verifyEnv());
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: restore of orders-redis-20261102-000000 into orders-verify ended 'create-failed' after \d+s/);
      expect(actions()[actions().length - 1]).toBe("DeleteReplicationGroup");
      expect(callsOf("DeleteReplicationGroup")[0].params.ReplicationGroupId).toBe(SCRATCH);
      expect(r.stderr).toContain(`scratch group ${SCRATCH}: deletion requested`);
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    it("fails when the restored group has fewer node groups than expected, and deletes it", async () => {
      seedSet();
      fake.newGroup = { states: ["creating", "available"], nodeGroups: 2 };
      const r = await script("verify", verifyEnv());
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`ERROR: restored group ${SCRATCH} has 2 node group(s), EXPECTED_SHARDS is 3`);
      expect(actions()[actions().length - 1]).toBe("DeleteReplicationGroup");
    });

    it("deletes the scratch group when it is terminated (SIGTERM) while waiting for the restore", async () => {
      seedSet();
      fake.newGroup = { states: ["creating"], nodeGroups: 3 };
      const child = spawn("bash", [SCRIPT, "verify"], { env: { ...process.env, ...env(verifyEnv({ POLL_SECONDS: "1" })) } });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      const waits = () => fake.calls.slice(actions().indexOf("CreateReplicationGroup") + 1).filter((c) => c.action === "DescribeReplicationGroups").length;
      for (let i = 0; i < 600 && !(actions().includes("CreateReplicationGroup") && waits() >= 2); i++) await sleep(50);
      expect(waits()).toBeGreaterThanOrEqual(2);
      child.kill("SIGTERM");
      const code = await exited;
      expect(code).toBe(143);
      expect(actions()[actions().length - 1]).toBe("DeleteReplicationGroup");
      expect(callsOf("DeleteReplicationGroup")[0].params).toMatchObject({ ReplicationGroupId: SCRATCH, RetainPrimaryCluster: "false" });
      expect(stderr).toContain(`scratch group ${SCRATCH}: deletion requested`);
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    it("waits until a leftover scratch group that is still being created can be deleted", async () => {
      const newest = seedSet();
      fake.groups.set(SCRATCH, { id: SCRATCH, states: ["creating", "creating", "creating", "creating", "available"], nodeGroups: 3 });
      fake.refuseDeleteWhile = new Set(["creating"]);
      fake.newGroup = { states: ["creating", "available"], nodeGroups: 3 };
      const r = await script("verify", verifyEnv());
      expect(r.stderr).not.toContain("ERROR");
      expect(r.code).toBe(0);
      const createAt = actions().indexOf("CreateReplicationGroup");
      // Found creating; the first deletion request is refused (still creating), the next one (available) is accepted,
      // then the script waits through "deleting" until the group is gone before it creates the new one.
      const DRG = "DescribeReplicationGroups";
      const DEL = "DeleteReplicationGroup";
      expect(actions().slice(0, createAt)).toEqual(["DescribeSnapshots", DRG, DRG, DEL, DRG, DEL, DRG, DRG]);
      expect(callsOf("CreateReplicationGroup")[0].params.SnapshotName).toBe(newest);
      expect(r.stderr).toContain(`leftover scratch group ${SCRATCH} (creating) from an earlier run: deleting it first`);
      expect(actions()[actions().length - 1]).toBe("DeleteReplicationGroup");
    });

    it("keeps asking for the deletion while the scratch group refuses it (still creating) after a SIGTERM", async () => {
      seedSet();
      fake.newGroup = { states: ["creating", "creating", "creating", "creating", "available"], nodeGroups: 3 };
      fake.refuseDeleteWhile = new Set(["creating"]);
      const child = spawn("bash", [SCRIPT, "verify"], { env: { ...process.env, ...env(verifyEnv({ POLL_SECONDS: "1" })) } });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      const waiting = () => {
        const created = actions().indexOf("CreateReplicationGroup");
        return created >= 0 && actions().includes("DescribeReplicationGroups", created + 1);
      };
      for (let i = 0; i < 600 && !waiting(); i++) await sleep(50);
      expect(waiting()).toBe(true);
      child.kill("SIGTERM");
      expect(await exited).toBe(143);
      const deletes = callsOf("DeleteReplicationGroup");
      expect(deletes.length).toBeGreaterThanOrEqual(2);
      expect(fake.groups.get(SCRATCH)?.states[0]).toBe("deleting");
      expect(stderr).toContain(`scratch group ${SCRATCH}: deletion requested`);
    });

    it("says so when the scratch group still refuses deletion after the cleanup's bounded retries", async () => {
      seedSet();
      fake.newGroup = { states: ["creating"], nodeGroups: 3 };
      fake.refuseDeleteWhile = new Set(["creating"]);
      const r = await script("verify", verifyEnv({ RESTORE_TIMEOUT_SECONDS: "1" }));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: restore of orders-redis-20261102-000000 into orders-verify still 'creating' after \d+s/);
      expect(r.stderr).toContain(`ERROR: could not delete scratch group ${SCRATCH}: `);
      expect(r.stderr).toContain("(InvalidReplicationGroupState)");
      expect(r.stderr).toContain("(the next verify run deletes it first)");
      expect(callsOf("DeleteReplicationGroup").length).toBe(CLEANUP_ATTEMPTS);
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    it("fails with a clear message when the set has no available snapshot, creating nothing", async () => {
      seed(`${SET}-eu-20261104-000000`);
      seed(`${SET}-20261103-000000`, { states: ["creating"] });
      const r = await script("verify", verifyEnv());
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`ERROR: no available snapshot of set ${SET} (${SET}-YYYYMMDD-HHMMSS) of ${GROUP} to verify; has the snapshot job run?`);
      expect(actions()).toEqual(["DescribeSnapshots"]);
      expect(fs.readdirSync(tmp)).toEqual([]);
    });

    it("refuses a scratch id equal to the backed-up group, a bad template and template keys the script owns", async () => {
      seedSet();
      const cases: Array<[NodeJS.ProcessEnv, string]> = [
        [{ VERIFY_GROUP_ID: "ORDERS" }, `VERIFY_GROUP_ID must not be REPLICATION_GROUP_ID (${GROUP})`],
        [{ VERIFY_GROUP_ID: "" }, "VERIFY_GROUP_ID must be an ElastiCache replication group id, got ''"],
        [{ RESTORE_TEMPLATE: "" }, "RESTORE_TEMPLATE must be a JSON object of CreateReplicationGroup parameters"],
        [{ RESTORE_TEMPLATE: "[1]" }, "RESTORE_TEMPLATE must be a JSON object of CreateReplicationGroup parameters"],
        [{ RESTORE_TEMPLATE: JSON.stringify({ ...TEMPLATE, SnapshotName: "other" }) }, "RESTORE_TEMPLATE must not set SnapshotName"],
        [{ RESTORE_TEMPLATE: JSON.stringify({ ...TEMPLATE, ReplicationGroupId: GROUP }) }, "RESTORE_TEMPLATE must not set ReplicationGroupId"],
      ];
      for (const [extra, message] of cases) {
        const r = await script("verify", verifyEnv(extra));
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain(`ERROR: ${message}`);
      }
      expect(actions().filter((a) => a !== "DescribeSnapshots")).toEqual([]);
    });

    it("restores from an empty template object too (only the script's parameters)", async () => {
      const newest = seedSet();
      fake.newGroup = { states: ["available"], nodeGroups: 1 };
      const r = await script("verify", verifyEnv({ RESTORE_TEMPLATE: " {\n} ", EXPECTED_SHARDS: "1" }));
      expect(r.code).toBe(0);
      expect(callsOf("CreateReplicationGroup")[0].params).toEqual({
        Action: "CreateReplicationGroup", Version: "2015-02-02", ReplicationGroupId: SCRATCH,
        ReplicationGroupDescription: `restore test of ${newest} (redis-snapshot-aws.sh verify)`, SnapshotName: newest,
      });
    });
  });

  it("passes shellcheck --severity=style", () => {
    expect(run("shellcheck", ["--severity=style", "--shell=bash", SCRIPT])).toBe("");
  });
});
