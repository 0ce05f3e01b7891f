#!/usr/bin/env python3
"""Managed Redis backups on Alibaba Cloud through ApsaraDB for Redis / Tair (R-kvstore) native backups.

`redis-cli --rdb` needs SYNC, which ApsaraDB for Redis refuses (and the cluster edition exposes no shard endpoints),
so a managed instance is backed up by the service itself and the restore test downloads what the service stored.

Usage: redis-snapshot-alicloud.py snapshot|fetch
  snapshot  CreateBackup, then poll DescribeBackupTasks (progress) and DescribeBackups (outcome) until the job has a
            Success backup for each of EXPECTED_SHARDS shards. Failed, fewer shard backups or a timeout: exit 1.
  fetch     DescribeBackups over the recent past, pick the newest backup set (one BackupJobID) with a Success backup on
            every shard, no older than MAX_AGE_SECONDS; download each file from its intranet URL (pre-signed OSS) into
            STAGING_DIR/<shard>.rdb (unpacking a gzip or tar.gz download), check each download's size against
            BackupSize, and write STAGING_DIR/manifest: "<file> <bytes> <sha256> <backup id> <node id>" per shard.
            redis-check-rdbs.sh (redis image) then checks the manifest and runs redis-check-rdb on every file.
  With CLUSTER_EDITION=1 (a cloud-native cluster-edition instance) both commands use DescribeClusterBackupList instead
  of DescribeBackups/DescribeBackupTasks, which do not apply to cloud-native instances:
  snapshot  lists the instance's cluster backup sets, calls CreateBackup, then polls DescribeClusterBackupList until a
            set that was not listed before the call is complete: ClusterBackupStatus OK, IsAvail 1, exactly
            EXPECTED_SHARDS shard backups, each BackupStatus OK and IsAvail 1. A new set that is Failed or has an ERROR
            shard, a finished (OK) set that is still incomplete on two polls in a row, or a timeout: exit 1.
  fetch     picks the newest complete cluster set (same test) no older than MAX_AGE_SECONDS (by ClusterBackupEndTime)
            and downloads its shard files exactly as above (same manifest; the backup id is the shard's BackupId and
            the node is its InstanceName, or BackupName when that is empty), checking each against its BackupSize.

Environment:
  INSTANCE_ID               instance id (r-...)                                            (required)
  BACKUP_NAME               backup name, for logs and the STS session name                  (required)
  REGION_ID                 region id (cn-hangzhou, ...)                                    (required)
  EXPECTED_SHARDS           1 for the standard edition, the shard count for the cluster edition (required)
  KVSTORE_ENDPOINT          R-kvstore OpenAPI endpoint (default https://r-kvstore.aliyuncs.com; from a VPC use the
                            region's r-kvstore-vpc.<region>.aliyuncs.com where the region offers one)
  SNAPSHOT_TIMEOUT_SECONDS  snapshot: give up after this long (default 3000)
  POLL_SECONDS              snapshot: seconds between polls (default 15)
  STAGING_DIR               fetch: where the files and the manifest go                      (required for fetch)
  MAX_AGE_SECONDS           fetch: the newest complete backup must be younger than this      (required for fetch)
  CLUSTER_EDITION           1 for a cloud-native cluster-edition instance (DescribeClusterBackupList); 0 or unset for
                            the standard edition and classic instances (DescribeBackups)
Credentials (RRSA, as backup.sh's rrsa_login): ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and
ALIBABA_CLOUD_OIDC_TOKEN_FILE (injected by ack-pod-identity-webhook), ALIBABA_CLOUD_STS_ENDPOINT (default
https://sts.aliyuncs.com), STS_DURATION_SECONDS (default 3600). The token is exchanged at STS (AssumeRoleWithOIDC,
token in the POST body) and every R-kvstore call is signed with the session's key (RPC signature v1, HMAC-SHA1).
Nothing secret is logged: not the token, not the session key, not a download URL's query string (a credential).

Standard library only: the job image is python:3.13-slim-bookworm without pip installs.

Limits (from the R-kvstore API reference; where it is silent the strict reading is taken, as marked). Reference:
alibabacloud.com/help/en/redis/developer-reference/api-r-kvstore-2015-01-01-describeclusterbackuplist-redis (and
help.aliyun.com/document_detail/2679168.html), .../api-r-kvstore-2015-01-01-createbackup-redis.
- RAM: the job's role needs kvstore:CreateBackup and kvstore:DescribeBackups, kvstore:DescribeBackupTasks (standard)
  or kvstore:DescribeClusterBackupList (CLUSTER_EDITION=1).
- DescribeBackups does not apply to cloud-native cluster instances, which list their sets with
  DescribeClusterBackupList (ClusterBackupId cb-...). Run such an instance without CLUSTER_EDITION=1 and snapshot times
  out, fetch finds no complete set; run a classic instance with it and the API refuses or lists nothing: loud failures,
  never a silent pass.
- fetch (standard path) groups files by BackupJobID. Cluster instances created before 2023-12-05 give each shard its
  own job id (CreateBackup answers "id1,id2"): snapshot handles that, fetch then finds no single job with every shard.
  The cluster path matches sets by ClusterBackupId, not by job id, so this does not touch it.
- Cluster path, silent docs: the reference does not say how CreateBackup's BackupJobID relates to a ClusterBackupId,
  so snapshot waits for a set that was absent from the listing taken just before the call (a scheduled backup that
  starts in the same instant would be taken for ours: it is still a complete, fresh set). Any new set that fails fails
  the run, even if another new one succeeds. Status values are taken as documented: set OK / RUNNING / Failed, shard
  OK / ERROR; "OK" is required exactly, Failed/ERROR are recognised in any case, anything else counts as running.
  IsAvail must be 1 on the set and on every shard. The answer has no TotalCount, so pages (PageSize 100) are read
  until a short page or one that brings no new set. Shard BackupEndTime may lack its "Z" (the reference's example
  does); it is read as UTC, as documented. Whether sets of cloud-native clusters created before 2023-12-05 appear in
  DescribeClusterBackupList at all is not stated: if not, snapshot times out and fetch finds no set.
  A shard's InstanceName is not explained (the reference's example is a file name): it only labels the shard in logs
  and the manifest and orders the files; nothing is decided on it.
- redis-check-rdb knows only open-source Redis types: an RDB holding Tair module types (TairString, TairHash, ...)
  fails the check even when intact.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import json
import os
import re
import shutil
import sys
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

API_VERSION = "2015-01-01"
STS_API_VERSION = "2015-04-01"
HTTP_TIMEOUT_SECONDS = 60
RDB_MAGIC = b"REDIS"
# DescribeClusterBackupList accepts PageSize 5, 10, 15, 20, 30, 50, 100, 200 or 300; its answer carries no TotalCount.
CLUSTER_PAGE_SIZE = 100
CLUSTER_MAX_PAGES = 50
GZIP_MAGIC = b"\x1f\x8b"


class Failure(Exception):
    """A run-ending problem; the message is printed as is (it never holds a secret)."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def log(message: str) -> None:
    stamp = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
    print(f"{stamp} redis-snapshot-alicloud[{COMMAND}]: {message}", file=sys.stderr, flush=True)


COMMAND = "?"


# ---------------------------------------------------------------------------------------------------------------------
# RPC signature (Alibaba Cloud "RPC signature v1": HMAC-SHA1 over METHOD&%2F&percentEncode(canonical query))


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as the signature spec wants it: A-Z a-z 0-9 - _ . ~ kept, space %20, * %2A, / %2F."""
    return urllib.parse.quote(str(value), safe="-_.~")


def canonical_query(params: dict[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def string_to_sign(method: str, params: dict[str, str]) -> str:
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(method: str, params: dict[str, str], secret: str) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def iso_timestamp() -> str:
    return utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------------------------------
# HTTP


def endpoint_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not re.match(r"^https?://", value):
        value = f"https://{value}"
    return value


def post_form(url: str, form: dict[str, str], what: str) -> dict:
    """POSTs a form; returns the JSON answer. An error answer becomes a Failure naming Code, Message and RequestId."""
    body = urllib.parse.urlencode(form, quote_via=urllib.parse.quote).encode()
    last_error = ""
    for attempt in range(3):
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
                return json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as error:
            payload = error.read().decode(errors="replace")
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = {}
            detail = (f"{what} failed: HTTP {error.code} {answer.get('Code', '')}: {answer.get('Message', payload[:200])}"
                      f" (RequestId {answer.get('RequestId', 'none')})")
            # Throttling and server-side faults are worth another try; anything else is final.
            if error.code >= 500 or str(answer.get("Code", "")).startswith("Throttling"):
                last_error = detail
            else:
                raise Failure(detail) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            last_error = f"{what} failed: cannot reach {urllib.parse.urlsplit(url).netloc}: {reason}"
        except ValueError:
            raise Failure(f"{what} failed: {urllib.parse.urlsplit(url).netloc} answered something that is not JSON") from None
        time.sleep(2 ** attempt)
    raise Failure(last_error)


# ---------------------------------------------------------------------------------------------------------------------
# RRSA: exchange the pod's OIDC token for session credentials (as backup.sh's rrsa_login)


class Session:
    def __init__(self, key_id: str, key_secret: str, token: str) -> None:
        self.key_id = key_id
        self.key_secret = key_secret
        self.token = token


def rrsa_login(backup_name: str) -> Session:
    missing = [v for v in ("ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_OIDC_PROVIDER_ARN", "ALIBABA_CLOUD_OIDC_TOKEN_FILE")
               if not os.environ.get(v)]
    if missing:
        raise Failure(f"RRSA: {' '.join(missing)} not set; ack-pod-identity-webhook injects them only into namespaces "
                      "labelled pod-identity.alibabacloud.com/injection=on, for ServiceAccounts annotated "
                      "pod-identity.alibabacloud.com/role-name")
    token_file = os.environ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"]
    try:
        with open(token_file, encoding="utf-8") as handle:
            token = handle.read().strip()
    except OSError:
        raise Failure(f"RRSA: the OIDC token file {token_file} is not readable") from None
    if not token:
        raise Failure(f"RRSA: the OIDC token file {token_file} is empty")
    duration = os.environ.get("STS_DURATION_SECONDS", "3600")
    if not duration.isdigit() or int(duration) < 900:
        raise Failure(f"STS_DURATION_SECONDS must be a number of seconds of at least 900, got '{duration}'")
    endpoint = endpoint_url(os.environ.get("ALIBABA_CLOUD_STS_ENDPOINT") or "https://sts.aliyuncs.com")
    role_arn = os.environ["ALIBABA_CLOUD_ROLE_ARN"]
    query = urllib.parse.urlencode({"Action": "AssumeRoleWithOIDC", "Version": STS_API_VERSION, "Format": "JSON",
                                    "Timestamp": iso_timestamp()}, quote_via=urllib.parse.quote)
    # The token travels in the request body only: never in a URL, a log line or a command line.
    answer = post_form(f"{endpoint}/?{query}", {
        "OIDCToken": token,
        "RoleArn": role_arn,
        "OIDCProviderArn": os.environ["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
        "RoleSessionName": f"backup-{backup_name}"[:64],
        "DurationSeconds": duration,
    }, f"RRSA: STS {endpoint} AssumeRoleWithOIDC")
    credentials = answer.get("Credentials") or {}
    if not all(credentials.get(k) for k in ("AccessKeyId", "AccessKeySecret", "SecurityToken")):
        raise Failure(f"RRSA: STS {endpoint} answered without session credentials")
    log(f"RRSA: assumed {role_arn} until {credentials.get('Expiration', 'unknown')}")
    return Session(credentials["AccessKeyId"], credentials["AccessKeySecret"], credentials["SecurityToken"])


# ---------------------------------------------------------------------------------------------------------------------
# R-kvstore API


class Kvstore:
    def __init__(self, endpoint: str, region: str, session: Session) -> None:
        self.endpoint = endpoint_url(endpoint)
        self.region = region
        self.session = session

    def call(self, action: str, params: dict[str, str]) -> dict:
        signed = {
            "Action": action,
            "Version": API_VERSION,
            "Format": "JSON",
            "RegionId": self.region,
            "AccessKeyId": self.session.key_id,
            "SecurityToken": self.session.token,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": str(uuid.uuid4()),
            "Timestamp": iso_timestamp(),
            **{k: str(v) for k, v in params.items()},
        }
        # Everything travels in the POST body (signed as POST): the session token stays out of URLs and proxy logs.
        signed["Signature"] = sign("POST", signed, self.session.key_secret)
        return post_form(f"{self.endpoint}/", signed, action)

    def describe_backups(self, instance_id: str, start: dt.datetime, end: dt.datetime,
                         job_id: str | None = None) -> list[dict]:
        """Every backup file in [start, end] (DescribeBackups pages through PageSize/PageNumber, TotalCount)."""
        params = {"InstanceId": instance_id, "StartTime": api_minute(start), "EndTime": api_minute(end),
                  "PageSize": "100"}
        if job_id:
            params["BackupJobId"] = job_id
        backups: list[dict] = []
        page = 1
        while True:
            answer = self.call("DescribeBackups", {**params, "PageNumber": str(page)})
            batch = (answer.get("Backups") or {}).get("Backup") or []
            backups.extend(batch)
            if not batch or len(backups) >= int(answer.get("TotalCount") or 0):
                return backups
            page += 1

    def describe_cluster_backups(self, instance_id: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
        """Every cluster backup set in [start, end] (cloud-native instances), each with its shards' Backups."""
        params = {"InstanceId": instance_id, "StartTime": api_minute(start), "EndTime": api_minute(end),
                  "PageSize": str(CLUSTER_PAGE_SIZE)}
        sets: list[dict] = []
        seen: set[str] = set()
        for page in range(1, CLUSTER_MAX_PAGES + 1):
            answer = self.call("DescribeClusterBackupList", {**params, "PageNumber": str(page)})
            batch = answer.get("ClusterBackups") or []
            if not isinstance(batch, list) or not all(isinstance(item, dict) for item in batch):
                raise Failure(f"DescribeClusterBackupList answered ClusterBackups that is not a list of sets "
                              f"(RequestId {answer.get('RequestId')})")
            fresh = [item for item in batch if str(item.get("ClusterBackupId")) not in seen]
            seen.update(str(item.get("ClusterBackupId")) for item in fresh)
            sets.extend(fresh)
            # No TotalCount in this answer: a short page is the last one; a page with nothing new means the API
            # ignores PageNumber, and reading on would loop.
            if len(batch) < CLUSTER_PAGE_SIZE or not fresh:
                return sets
        raise Failure(f"DescribeClusterBackupList still had sets after {CLUSTER_MAX_PAGES} pages of "
                      f"{CLUSTER_PAGE_SIZE}; narrow MAX_AGE_SECONDS")


def api_minute(moment: dt.datetime) -> str:
    """DescribeBackups' StartTime/EndTime format: yyyy-MM-ddTHH:mmZ, UTC."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def parse_api_time(value: str) -> dt.datetime | None:
    # DescribeClusterBackupList's shard BackupEndTime example lacks the "Z"; the reference says the time is UTC.
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=dt.timezone.utc)
        except (TypeError, ValueError):
            continue
    return None


def node_order(node_id: str) -> tuple:
    """Shard order: by the node id's trailing number (r-x-db-0, r-x-db-1, ... r-x-db-10), then the id itself."""
    match = re.search(r"(\d+)$", node_id or "")
    return (int(match.group(1)) if match else -1, node_id or "")


def shard_backups(backups: list[dict]) -> tuple[dict[str, dict], list[dict]]:
    """The Success backup of each node (the newest when a node has several) and the Failed ones."""
    success: dict[str, dict] = {}
    failed = [b for b in backups if b.get("BackupStatus") == "Failed"]
    for backup in backups:
        if backup.get("BackupStatus") != "Success":
            continue
        node = str(backup.get("NodeInstanceId") or backup.get("BackupId"))
        if node not in success or str(backup.get("BackupEndTime", "")) > str(success[node].get("BackupEndTime", "")):
            success[node] = backup
    return success, failed


# ---------------------------------------------------------------------------------------------------------------------
# Configuration


def read_config(command: str) -> dict:
    env = os.environ
    problems: list[str] = []
    config: dict = {}
    for name in ("INSTANCE_ID", "BACKUP_NAME", "REGION_ID", "EXPECTED_SHARDS") + (
            ("STAGING_DIR", "MAX_AGE_SECONDS") if command == "fetch" else ()):
        if not env.get(name):
            problems.append(f"{name} is not set")
    config["instance_id"] = env.get("INSTANCE_ID", "")
    config["backup_name"] = env.get("BACKUP_NAME", "")
    config["region"] = env.get("REGION_ID", "")
    config["endpoint"] = env.get("KVSTORE_ENDPOINT") or "https://r-kvstore.aliyuncs.com"
    config["staging_dir"] = env.get("STAGING_DIR", "")
    cluster = env.get("CLUSTER_EDITION", "")
    if cluster not in ("", "0", "1"):
        problems.append(f"CLUSTER_EDITION must be 1 (cloud-native cluster edition) or 0/unset, got '{cluster}'")
    config["cluster"] = cluster == "1"

    def number(name: str, default: str | None, minimum: float, integer: bool) -> float:
        raw = env.get(name) or default
        if raw is None:
            return 0
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            value = None
        if value is None or value < minimum:
            kind = "a whole number" if integer else "a number"
            problems.append(f"{name} must be {kind} of at least {minimum:g}, got '{raw}'")
            return 0
        return value

    config["expected_shards"] = int(number("EXPECTED_SHARDS", None, 1, True)) if env.get("EXPECTED_SHARDS") else 0
    config["timeout"] = number("SNAPSHOT_TIMEOUT_SECONDS", "3000", 1, False)
    config["poll"] = number("POLL_SECONDS", "15", 0, False)
    if command == "fetch" and env.get("MAX_AGE_SECONDS"):
        config["max_age"] = number("MAX_AGE_SECONDS", None, 60, True)
    if problems:
        raise Failure("bad configuration: " + "; ".join(problems))
    return config


# ---------------------------------------------------------------------------------------------------------------------
# snapshot


def snapshot(config: dict, api: Kvstore) -> None:
    instance, expected = config["instance_id"], config["expected_shards"]
    started = utc_now()
    answer = api.call("CreateBackup", {"InstanceId": instance})
    # One job id, or (cluster instances created before 2023-12-05) one per shard, comma-separated.
    job_ids = [j.strip().strip('"') for j in str(answer.get("BackupJobID", "")).split(",") if j.strip().strip('"')]
    if not job_ids:
        raise Failure(f"CreateBackup on {instance} answered without a BackupJobID (RequestId {answer.get('RequestId')})")
    log(f"CreateBackup on {instance}: backup job {','.join(job_ids)} (RequestId {answer.get('RequestId')}); "
        f"waiting for {expected} shard backup(s), up to {config['timeout']:g}s")
    deadline = time.monotonic() + config["timeout"]
    finished_polls = 0
    while True:
        window_end = utc_now() + dt.timedelta(minutes=5)
        backups = [b for job in job_ids for b in api.describe_backups(
            instance, started - dt.timedelta(minutes=5), window_end, job)]
        success, failed = shard_backups(backups)
        if failed:
            nodes = ", ".join(sorted(str(b.get("NodeInstanceId", "?")) for b in failed))
            raise Failure(f"backup job {','.join(job_ids)} of {instance} Failed on {nodes}")
        if len(success) > expected:
            raise Failure(f"backup job {','.join(job_ids)} of {instance} produced {len(success)} shard backups but "
                          f"EXPECTED_SHARDS is {expected}: the instance's shard count changed; update the configuration")
        if len(success) == expected:
            for node in sorted(success, key=node_order):
                b = success[node]
                log(f"shard {node}: backup {b.get('BackupId')} Success, {b.get('BackupSize')} bytes, "
                    f"ended {b.get('BackupEndTime')}")
            log(f"backup job {','.join(job_ids)} of {instance}: {expected}/{expected} shard backups Success")
            return
        tasks = [t for job in job_ids for t in
                 api.call("DescribeBackupTasks", {"InstanceId": instance, "BackupJobId": job}).get("BackupJobs") or []]
        progress = ", ".join(f"{t.get('NodeId', '?')} {t.get('BackupProgressStatus', '?')} "
                             f"{t.get('Progress', t.get('Process', '?'))}%" for t in tasks) or "no task listed"
        log(f"{len(success)}/{expected} shard backups Success; tasks: {progress}")
        # Every task done (or none listed any more) yet shards missing: one more poll for the listing to catch up.
        if all(t.get("BackupProgressStatus") == "Finished" for t in tasks):
            finished_polls += 1
            if finished_polls >= 2:
                raise Failure(f"backup job {','.join(job_ids)} of {instance} finished with {len(success)} Success shard "
                              f"backup(s), EXPECTED_SHARDS is {expected}")
        else:
            finished_polls = 0
        if time.monotonic() + config["poll"] > deadline:
            raise Failure(f"timed out after {config['timeout']:g}s (SNAPSHOT_TIMEOUT_SECONDS) waiting for backup job "
                          f"{','.join(job_ids)} of {instance}: {len(success)}/{expected} shard backups Success")
        time.sleep(config["poll"])


# ---------------------------------------------------------------------------------------------------------------------
# fetch


def redact(url: str) -> str:
    """A download URL without its query string (the pre-signed OSS signature is a credential)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?<signature redacted>" if parts.query else "")


def download(url: str, target: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response, open(target, "wb") as out:
            while chunk := response.read(1 << 20):
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
    except urllib.error.HTTPError as error:
        raise Failure(f"download of {redact(url)} failed: HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        raise Failure(f"download of {redact(url)} failed: {getattr(error, 'reason', error)}") from None
    return size, digest.hexdigest()


def unpack(downloaded: str, target: str) -> None:
    """The download as a plain RDB at target: an RDB as is, a gzip'd RDB or a tar.gz holding one .rdb unpacked."""
    with open(downloaded, "rb") as handle:
        head = handle.read(5)
    if head.startswith(RDB_MAGIC):
        os.replace(downloaded, target)
        return
    if not head.startswith(GZIP_MAGIC):
        raise Failure(f"{os.path.basename(target)}: the download is neither an RDB file nor a gzip/tar.gz archive")
    if tarfile.is_tarfile(downloaded):
        with tarfile.open(downloaded, "r:*") as archive:
            members = [m for m in archive.getmembers() if m.isfile() and m.name.endswith(".rdb")]
            if len(members) != 1:
                raise Failure(f"{os.path.basename(target)}: the archive holds {len(members)} .rdb files, expected 1")
            source = archive.extractfile(members[0])
            with source, open(target, "wb") as out:  # type: ignore[union-attr]
                shutil.copyfileobj(source, out)
    else:
        with gzip.open(downloaded, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
    os.remove(downloaded)


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(config: dict, api: Kvstore) -> None:
    instance, expected, max_age = config["instance_id"], config["expected_shards"], config["max_age"]
    now = utc_now()
    # Look back a day beyond MAX_AGE_SECONDS, so a set that is merely too old is named as such.
    start = now - dt.timedelta(seconds=max_age) - dt.timedelta(days=1)
    backups = api.describe_backups(instance, start, now + dt.timedelta(minutes=5))
    jobs: dict[str, list[dict]] = {}
    for backup in backups:
        jobs.setdefault(str(backup.get("BackupJobID", "")), []).append(backup)
    complete = []
    for job_id, members in jobs.items():
        success, failed = shard_backups(members)
        ends = [parse_api_time(str(b.get("BackupEndTime", ""))) for b in success.values()]
        if len(success) == expected and not failed and all(ends):
            complete.append((max(ends), job_id, success))  # type: ignore[type-var]
    if not complete:
        seen = "; ".join(f"job {j}: {len(shard_backups(m)[0])} Success of {expected}" for j, m in jobs.items()) or "none"
        raise Failure(f"no backup set of {instance} since {api_minute(start)} has a Success backup on all "
                      f"{expected} shard(s) (seen: {seen})")
    ended, job_id, success = max(complete, key=lambda c: c[0])
    age = (now - ended).total_seconds()
    if age > max_age:
        raise Failure(f"the newest complete backup set of {instance} (job {job_id}, ended {ended:%Y-%m-%dT%H:%M:%SZ}) is "
                      f"{age:.0f}s old, older than MAX_AGE_SECONDS={max_age}: no fresh backup to restore-test")
    log(f"backup set {job_id} of {instance}: {expected} shard(s), ended {ended:%Y-%m-%dT%H:%M:%SZ} ({age:.0f}s ago)")
    download_set(config["staging_dir"], [
        {"node": node, "backup_id": str(success[node].get("BackupId")), "url": success[node].get("BackupIntranetDownloadURL"),
         "size": success[node].get("BackupSize")}
        for node in sorted(success, key=node_order)], "DescribeBackups")


def download_set(staging: str, shards: list[dict], source: str) -> None:
    """Downloads each shard ({node, backup_id, url, size}, in shard order) to STAGING_DIR/<index>.rdb, checks its size
    against the size `source` declared, unpacks it and writes the manifest redis-check-rdbs.sh checks."""
    os.makedirs(staging, exist_ok=True)
    lines = []
    for index, shard in enumerate(shards):
        node, backup_id, url = shard["node"], shard["backup_id"], str(shard.get("url") or "")
        if not url:
            raise Failure(f"backup {backup_id} of {node} has no BackupIntranetDownloadURL")
        name = f"{index}.rdb"
        partial = os.path.join(staging, f"{name}.download")
        log(f"shard {index} ({node}): downloading backup {backup_id} from {redact(url)}")
        size, _ = download(url, partial)
        declared = whole_number(shard.get("size"))
        if size != declared:
            os.remove(partial)
            raise Failure(f"{name}: downloaded {size} bytes but {source} says BackupSize {shard.get('size')} "
                          f"(backup {backup_id}, {node})")
        target = os.path.join(staging, name)
        unpack(partial, target)
        rdb_size = os.path.getsize(target)
        lines.append(f"{name} {rdb_size} {sha256_of(target)} {backup_id} {node}\n")
        log(f"shard {index} ({node}): {name}, {rdb_size} bytes")
    with open(os.path.join(staging, "manifest.tmp"), "w", encoding="utf-8") as out:
        out.writelines(lines)
    os.replace(os.path.join(staging, "manifest.tmp"), os.path.join(staging, "manifest"))
    log(f"wrote {os.path.join(staging, 'manifest')} ({len(lines)} file(s))")


def whole_number(value: object) -> int | None:
    """An API number that may come as a string ("1024"); None when it is no whole number."""
    try:
        return int(str(value))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------------------------
# Cloud-native cluster edition: DescribeClusterBackupList


def shard_label(backup: dict) -> str:
    """The shard's name for logs and the manifest's node field: InstanceName, else BackupName, else BackupId."""
    label = str(backup.get("InstanceName") or backup.get("BackupName") or backup.get("BackupId") or "?")
    return re.sub(r"\s+", "_", label)


def cluster_shards(cluster_set: dict) -> list[dict]:
    backups = cluster_set.get("Backups") or []
    shards = [b for b in backups if isinstance(b, dict)] if isinstance(backups, list) else []
    return sorted(shards, key=lambda b: (node_order(shard_label(b)), shard_label(b), str(b.get("BackupId"))))


def cluster_set_state(cluster_set: dict, expected: int) -> tuple[str, str]:
    """("complete" | "failed" | "incomplete" | "running", what is wrong or in progress) for one cluster backup set.
    complete: ClusterBackupStatus OK, IsAvail 1, exactly `expected` shard backups, each BackupStatus OK and IsAvail 1.
    failed: the set is Failed or a shard is ERROR. incomplete: the set says OK but is not complete. Else running."""
    status = str(cluster_set.get("ClusterBackupStatus") or "")
    shards = cluster_shards(cluster_set)
    broken = [f"{shard_label(b)} {b.get('BackupStatus')}" for b in shards
              if str(b.get("BackupStatus") or "").lower() in ("error", "failed")]
    if status.lower() in ("failed", "error") or broken:
        return "failed", f"ClusterBackupStatus {status or 'none'}" + (f", shard backups {', '.join(broken)}" if broken else "")
    if status != "OK":
        return "running", (f"ClusterBackupStatus {status or 'none'}, progress {cluster_set.get('Progress') or '?'}, "
                           f"{len(shards)} shard backup(s) listed")
    problems = []
    if str(cluster_set.get("IsAvail")) != "1":
        problems.append(f"IsAvail {cluster_set.get('IsAvail')}")
    if len(shards) > expected:
        problems.append(f"{len(shards)} shard backups but EXPECTED_SHARDS is {expected}: the instance's shard count "
                        "changed; update the configuration")
    elif len(shards) < expected:
        problems.append(f"{len(shards)} shard backup(s), EXPECTED_SHARDS is {expected}")
    for b in shards:
        if b.get("BackupStatus") != "OK" or str(b.get("IsAvail")) != "1":
            problems.append(f"shard {shard_label(b)} BackupStatus {b.get('BackupStatus')} IsAvail {b.get('IsAvail')}")
    return ("incomplete", "; ".join(problems)) if problems else ("complete", f"{expected}/{expected} shard backups OK")


def cluster_set_start(cluster_set: dict) -> str:
    return str(cluster_set.get("ClusterBackupStartTime") or "")


def snapshot_cluster(config: dict, api: Kvstore) -> None:
    instance, expected = config["instance_id"], config["expected_shards"]
    window_start = utc_now() - dt.timedelta(minutes=5)
    # The reference does not tie CreateBackup's BackupJobID to a ClusterBackupId: ours is a set not listed before.
    before = {str(s.get("ClusterBackupId")) for s in
              api.describe_cluster_backups(instance, window_start, utc_now() + dt.timedelta(minutes=5))}
    answer = api.call("CreateBackup", {"InstanceId": instance})
    job = str(answer.get("BackupJobID") or "").strip().strip('"')
    if not job:
        raise Failure(f"CreateBackup on {instance} answered without a BackupJobID (RequestId {answer.get('RequestId')})")
    log(f"CreateBackup on {instance}: backup job {job} (RequestId {answer.get('RequestId')}); waiting for a new cluster "
        f"backup set with {expected} shard backup(s), up to {config['timeout']:g}s ({len(before)} set(s) listed before)")
    deadline = time.monotonic() + config["timeout"]
    incomplete_polls = 0
    while True:
        listed = api.describe_cluster_backups(instance, window_start, utc_now() + dt.timedelta(minutes=5))
        new = sorted((s for s in listed if str(s.get("ClusterBackupId")) not in before), key=cluster_set_start)
        states = [(str(s.get("ClusterBackupId")), s, *cluster_set_state(s, expected)) for s in new]
        for set_id, _, state, detail in states:
            if state == "failed":
                raise Failure(f"cluster backup set {set_id} of {instance} (job {job}) failed: {detail}")
        for set_id, cluster_set, state, detail in states:
            if state == "complete":
                for b in cluster_shards(cluster_set):
                    log(f"shard {shard_label(b)}: backup {b.get('BackupId')} OK, {b.get('BackupSize')} bytes, "
                        f"ended {b.get('BackupEndTime')}")
                log(f"cluster backup set {set_id} of {instance}: {detail}, ended "
                    f"{cluster_set.get('ClusterBackupEndTime')}")
                return
        incomplete = [(set_id, detail) for set_id, _, state, detail in states if state == "incomplete"]
        running = [(set_id, detail) for set_id, _, state, detail in states if state == "running"]
        # A set that says OK yet is incomplete gets one more poll for the listing to catch up.
        if incomplete and not running:
            incomplete_polls += 1
            if incomplete_polls >= 2:
                set_id, detail = incomplete[0]
                raise Failure(f"cluster backup set {set_id} of {instance} (job {job}) finished OK but is not "
                              f"complete: {detail}")
        else:
            incomplete_polls = 0
        seen = "; ".join(f"{set_id}: {detail}" for set_id, detail in running + incomplete) or "no new set listed yet"
        log(f"waiting: {seen}")
        if time.monotonic() + config["poll"] > deadline:
            raise Failure(f"timed out after {config['timeout']:g}s (SNAPSHOT_TIMEOUT_SECONDS) waiting for a complete "
                          f"cluster backup set of {instance} (job {job}): {seen}")
        time.sleep(config["poll"])


def cluster_set_end(cluster_set: dict) -> dt.datetime | None:
    """When the set ended: ClusterBackupEndTime, else the latest shard BackupEndTime; None when neither parses."""
    ended = parse_api_time(str(cluster_set.get("ClusterBackupEndTime") or ""))
    if ended:
        return ended
    shard_ends = [parse_api_time(str(b.get("BackupEndTime") or "")) for b in cluster_shards(cluster_set)]
    return max(shard_ends) if shard_ends and all(shard_ends) else None  # type: ignore[type-var]


def fetch_cluster(config: dict, api: Kvstore) -> None:
    instance, expected, max_age = config["instance_id"], config["expected_shards"], config["max_age"]
    now = utc_now()
    start = now - dt.timedelta(seconds=max_age) - dt.timedelta(days=1)
    listed = api.describe_cluster_backups(instance, start, now + dt.timedelta(minutes=5))
    complete, seen = [], []
    for cluster_set in listed:
        set_id = str(cluster_set.get("ClusterBackupId"))
        state, detail = cluster_set_state(cluster_set, expected)
        ended = cluster_set_end(cluster_set)
        if state == "complete" and ended:
            complete.append((ended, set_id, cluster_set))
        else:
            seen.append(f"{set_id}: {detail}" + ("" if ended or state != "complete" else ", no parseable end time"))
    if not complete:
        raise Failure(f"no cluster backup set of {instance} since {api_minute(start)} is complete on all {expected} "
                      f"shard(s) (seen: {'; '.join(seen) or 'none'})")
    ended, set_id, cluster_set = max(complete, key=lambda c: c[0])
    age = (now - ended).total_seconds()
    if age > max_age:
        raise Failure(f"the newest complete cluster backup set of {instance} ({set_id}, ended "
                      f"{ended:%Y-%m-%dT%H:%M:%SZ}) is {age:.0f}s old, older than MAX_AGE_SECONDS={max_age}: no fresh "
                      "backup to restore-test")
    log(f"cluster backup set {set_id} of {instance}: {expected} shard(s), ended {ended:%Y-%m-%dT%H:%M:%SZ} "
        f"({age:.0f}s ago)")
    download_set(config["staging_dir"], [
        {"node": shard_label(b), "backup_id": str(b.get("BackupId")), "url": b.get("BackupIntranetDownloadURL"),
         "size": b.get("BackupSize")}
        for b in cluster_shards(cluster_set)], "DescribeClusterBackupList")


def main(argv: list[str]) -> int:
    global COMMAND
    if len(argv) != 2 or argv[1] not in ("snapshot", "fetch"):
        print("usage: redis-snapshot-alicloud.py snapshot|fetch", file=sys.stderr)
        return 2
    COMMAND = argv[1]
    try:
        config = read_config(COMMAND)
        api = Kvstore(config["endpoint"], config["region"], rrsa_login(config["backup_name"]))
        if config["cluster"]:
            (snapshot_cluster if COMMAND == "snapshot" else fetch_cluster)(config, api)
        else:
            (snapshot if COMMAND == "snapshot" else fetch)(config, api)
        return 0
    except Failure as failure:
        log(f"ERROR: {failure}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
