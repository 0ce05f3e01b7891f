/**
 * A small fake of the ElastiCache Query API (version 2015-02-02) on 127.0.0.1, for driving the real aws cli.
 *
 * Wire format as the API reference and the aws cli's service model describe it: form-encoded POST with Action and
 * Version, SigV4-signed (the signature is not checked, its presence is); XML answers in the 2015-02-02 namespace
 * wrapped in <XResponse><XResult>…</XResult><ResponseMetadata/>; list members named as the model names them
 * (Snapshots/Snapshot, NodeSnapshots/NodeSnapshot, NodeGroups/NodeGroup, MemberClusters/ClusterId); errors as
 * <ErrorResponse><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse> with the model's HTTP
 * status (400, 404 for the *NotFoundFault codes); DescribeSnapshots pages with Marker (MaxRecords, default 50).
 *
 * Modelled: the six actions the snapshot job uses, their filters (SnapshotName, ReplicationGroupId,
 * SnapshotSource=user|system), name collisions, unknown ids, CreateSnapshot refused while the group is not
 * available. Time is modelled as progress per observation: every Describe of one object (and every CreateSnapshot
 * attempt on a group, every DeleteReplicationGroup) answers the object's current state and moves it to the next of its
 * `states`; the last sticks. `refuseDeleteWhile` lists group states in which DeleteReplicationGroup is refused with
 * InvalidReplicationGroupState (a group that is still being created, for one; "deleting" always is).
 * Not modelled: authentication, quotas, parameter validation beyond the filters, tags, copying/exporting, the
 * snapshot's effect on the source group's status.
 */
import * as http from "http";
import { randomUUID } from "crypto";

const NS = "http://elasticache.amazonaws.com/doc/2015-02-02/";

export interface FakeSnapshot {
  name: string;
  groupId: string;
  source: "manual" | "automated";
  /** Status progression, one step per DescribeSnapshots that names it; the last sticks. */
  states: string[];
  /** Node group ids that have a node snapshot (0001, 0002, ...). */
  nodeGroups: string[];
  /** Node snapshots without NodeGroupId (whether a cluster-mode-disabled snapshot carries "0001" is not documented). */
  withoutNodeGroupId?: boolean;
}

export interface FakeGroup {
  id: string;
  /** Status progression, one step per DescribeReplicationGroups (and CreateSnapshot attempt); "gone" removes it. */
  states: string[];
  nodeGroups: number;
}

export interface Call {
  action: string;
  params: Record<string, string>;
}

export interface FakeElastiCache {
  endpoint: string;
  calls: Call[];
  snapshots: Map<string, FakeSnapshot>;
  groups: Map<string, FakeGroup>;
  /** How a snapshot taken by CreateSnapshot progresses. */
  newSnapshot: { states: string[]; nodeGroups: number; withoutNodeGroupId?: boolean };
  /** How a group made by CreateReplicationGroup progresses. */
  newGroup: { states: string[]; nodeGroups: number };
  /** How a deleted group progresses before it disappears. */
  deletion: string[];
  /** Group states in which DeleteReplicationGroup is refused (InvalidReplicationGroupState). */
  refuseDeleteWhile: Set<string>;
  /** Runs when CreateReplicationGroup arrives, while the aws cli still waits for the answer. */
  onCreateReplicationGroup?: (params: Record<string, string>) => void;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const el = (tag: string, body: string) => `<${tag}>${body}</${tag}>`;
const txt = (tag: string, value: string | number | boolean) => el(tag, esc(String(value)));

/** One observation: the current state, after which the object moves on to its next state (the last one sticks). */
function observe(states: string[]): string {
  const current = states[0];
  if (states.length > 1) states.shift();
  return current;
}

/** Creation time of a snapshot: the stamp in its name when it is a valid one, else now. */
function createTime(name: string): string {
  const m = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(name);
  const t = m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`) : new Date();
  return (Number.isNaN(t.getTime()) ? new Date() : t).toISOString();
}

function snapshotXml(s: FakeSnapshot, status = s.states[0]): string {
  const nodes = s.nodeGroups
    .map((g) => el("NodeSnapshot", txt("CacheClusterId", `${s.groupId}-${g}-001`) + (s.withoutNodeGroupId ? "" : txt("NodeGroupId", g)) + txt("CacheNodeId", "0001") +
      txt("CacheSize", "6 MB") + txt("SnapshotCreateTime", createTime(s.name))))
    .join("");
  return el("Snapshot", txt("SnapshotName", s.name) + txt("ReplicationGroupId", s.groupId) + txt("ReplicationGroupDescription", s.groupId) +
    txt("SnapshotStatus", status) + txt("SnapshotSource", s.source) + txt("CacheNodeType", "cache.r7g.large") + txt("Engine", "redis") +
    txt("EngineVersion", "7.1.0") + txt("NumNodeGroups", s.nodeGroups.length) + txt("AutomaticFailover", "enabled") +
    el("NodeSnapshots", nodes) + txt("ARN", `arn:aws:elasticache:eu-west-1:123456789012:snapshot:${s.name}`));
}

function groupXml(g: FakeGroup, status = g.states[0]): string {
  const ids = Array.from({ length: g.nodeGroups }, (_, i) => String(i + 1).padStart(4, "0"));
  const nodeGroups = ids
    .map((id) => el("NodeGroup", txt("NodeGroupId", id) + txt("Status", status) + txt("Slots", "0-16383") +
      el("NodeGroupMembers", el("NodeGroupMember", txt("CacheClusterId", `${g.id}-${id}-001`) + txt("CacheNodeId", "0001")))))
    .join("");
  return el("ReplicationGroup", txt("ReplicationGroupId", g.id) + txt("Description", g.id) + txt("Status", status) +
    el("MemberClusters", ids.map((id) => txt("ClusterId", `${g.id}-${id}-001`)).join("")) + el("NodeGroups", nodeGroups) +
    txt("ClusterEnabled", g.nodeGroups > 1) + txt("TransitEncryptionEnabled", true) + txt("AtRestEncryptionEnabled", true) +
    txt("ARN", `arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:${g.id}`));
}

export async function startFakeElastiCache(port: number, opts: { pageSize?: number } = {}): Promise<FakeElastiCache> {
  const state: Omit<FakeElastiCache, "endpoint" | "close"> = {
    calls: [],
    snapshots: new Map(),
    groups: new Map(),
    newSnapshot: { states: ["creating", "available"], nodeGroups: 1 },
    newGroup: { states: ["creating", "available"], nodeGroups: 1 },
    deletion: ["deleting", "gone"],
    refuseDeleteWhile: new Set(),
  };
  const group = (id: string) => {
    const g = state.groups.get(id.toLowerCase());
    if (!g) throw new ApiError("ReplicationGroupNotFoundFault", `ReplicationGroup ${id} not found.`, 404);
    return g;
  };
  const snapshot = (name: string) => {
    const s = state.snapshots.get(name);
    if (!s) throw new ApiError("SnapshotNotFoundFault", `Snapshot ${name} not found.`, 404);
    return s;
  };
  const need = (p: Record<string, string>, key: string) => {
    if (!p[key]) throw new ApiError("MissingParameter", `The request must contain the parameter ${key}`);
    return p[key];
  };

  const actions: Record<string, (p: Record<string, string>) => string> = {
    CreateSnapshot: (p) => {
      const name = need(p, "SnapshotName");
      const g = group(need(p, "ReplicationGroupId"));
      const status = observe(g.states);
      if (status !== "available") throw new ApiError("InvalidReplicationGroupState", `Cluster is not in available state: ${status}.`);
      if (state.snapshots.has(name)) throw new ApiError("SnapshotAlreadyExistsFault", `Snapshot ${name} already exists.`);
      const nodeGroups = Array.from({ length: state.newSnapshot.nodeGroups }, (_, i) => String(i + 1).padStart(4, "0"));
      const s: FakeSnapshot = {
        name, groupId: g.id, source: "manual", states: [...state.newSnapshot.states], nodeGroups,
        ...(state.newSnapshot.withoutNodeGroupId ? { withoutNodeGroupId: true } : {}),
      };
      state.snapshots.set(name, s);
      return el("CreateSnapshotResult", snapshotXml(s));
    },
    DescribeSnapshots: (p) => {
      if (p.SnapshotSource && !["user", "system"].includes(p.SnapshotSource)) {
        throw new ApiError("InvalidParameterValue", `Invalid snapshot source: ${p.SnapshotSource}. Valid values are: user, system`);
      }
      let list: FakeSnapshot[];
      const seen = new Map<FakeSnapshot, string>();
      if (p.SnapshotName) {
        list = [snapshot(p.SnapshotName)];
        seen.set(list[0], observe(list[0].states));
      } else {
        list = [...state.snapshots.values()].filter((s) =>
          (!p.ReplicationGroupId || s.groupId === p.ReplicationGroupId.toLowerCase()) &&
          (!p.SnapshotSource || s.source === (p.SnapshotSource === "user" ? "manual" : "automated")));
      }
      const size = Math.min(Number(p.MaxRecords ?? 50), opts.pageSize ?? 50);
      const from = Number(p.Marker ?? 0);
      const page = list.slice(from, from + size);
      const marker = from + size < list.length ? txt("Marker", from + size) : "";
      return el("DescribeSnapshotsResult", marker + el("Snapshots", page.map((s) => snapshotXml(s, seen.get(s))).join("")));
    },
    DeleteSnapshot: (p) => {
      const s = snapshot(need(p, "SnapshotName"));
      state.snapshots.delete(s.name);
      s.states = ["deleting"];
      return el("DeleteSnapshotResult", snapshotXml(s));
    },
    CreateReplicationGroup: (p) => {
      const id = need(p, "ReplicationGroupId").toLowerCase();
      need(p, "ReplicationGroupDescription");
      if (state.groups.has(id)) throw new ApiError("ReplicationGroupAlreadyExists", `Replication group ${id} already exists.`);
      if (p.SnapshotName) snapshot(p.SnapshotName);
      state.onCreateReplicationGroup?.(p);
      const g: FakeGroup = { id, states: [...state.newGroup.states], nodeGroups: state.newGroup.nodeGroups };
      state.groups.set(id, g);
      return el("CreateReplicationGroupResult", groupXml(g));
    },
    DescribeReplicationGroups: (p) => {
      const g = group(need(p, "ReplicationGroupId"));
      const status = observe(g.states);
      if (status === "gone") {
        state.groups.delete(g.id);
        group(g.id);
      }
      return el("DescribeReplicationGroupsResult", el("ReplicationGroups", groupXml(g, status)));
    },
    DeleteReplicationGroup: (p) => {
      const g = group(need(p, "ReplicationGroupId"));
      const status = observe(g.states);
      if (status === "deleting" || state.refuseDeleteWhile.has(status)) {
        throw new ApiError("InvalidReplicationGroupState", `Replication group ${g.id} has status ${status} which is not valid for deletion.`);
      }
      g.states = [...state.deletion];
      return el("DeleteReplicationGroupResult", groupXml(g));
    },
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const params = Object.fromEntries(new URLSearchParams(body));
      const action = params.Action ?? "";
      state.calls.push({ action, params });
      const requestId = randomUUID();
      let status = 200;
      let xml: string;
      try {
        if (req.method !== "POST" || !/^AWS4-HMAC-SHA256 Credential=\S+\/elasticache\/aws4_request/.test(req.headers.authorization ?? "")) {
          throw new ApiError("IncompleteSignature", "Expected a SigV4-signed POST for the elasticache service.", 403);
        }
        if (params.Version !== "2015-02-02") throw new ApiError("InvalidParameterValue", `Unsupported Version ${params.Version}`);
        const handler = actions[action];
        if (!handler) throw new ApiError("InvalidAction", `Could not find operation ${action} for version 2015-02-02`);
        xml = `<${action}Response xmlns="${NS}">${handler(params)}${el("ResponseMetadata", txt("RequestId", requestId))}</${action}Response>`;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        status = e.status;
        xml = `<ErrorResponse xmlns="${NS}">${el("Error", txt("Type", "Sender") + txt("Code", e.code) + txt("Message", e.message))}${txt("RequestId", requestId)}</ErrorResponse>`;
      }
      res.writeHead(status, { "Content-Type": "text/xml", "x-amzn-RequestId": requestId });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
