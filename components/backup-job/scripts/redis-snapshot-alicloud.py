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
Credentials (RRSA, as backup.sh's rrsa_login): ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and
ALIBABA_CLOUD_OIDC_TOKEN_FILE (injected by ack-pod-identity-webhook), ALIBABA_CLOUD_STS_ENDPOINT (default
https://sts.aliyuncs.com), STS_DURATION_SECONDS (default 3600). The token is exchanged at STS (AssumeRoleWithOIDC,
token in the POST body) and every R-kvstore call is signed with the session's key (RPC signature v1, HMAC-SHA1).
Nothing secret is logged: not the token, not the session key, not a download URL's query string (a credential).

Standard library only: the job image is python:3.13-slim-bookworm without pip installs.

Limits (from the R-kvstore API reference):
- DescribeBackups does not apply to cloud-native cluster instances, which list their sets with
  DescribeClusterBackupList (ClusterBackupId cb-...) instead; this script does not call it, so for such an instance
  snapshot times out and fetch finds no complete set: a loud failure, never a silent pass.
- fetch groups files by BackupJobID. Cluster instances created before 2023-12-05 give each shard its own job id
  (CreateBackup answers "id1,id2"): snapshot handles that, fetch then finds no single job with every shard.
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


def api_minute(moment: dt.datetime) -> str:
    """DescribeBackups' StartTime/EndTime format: yyyy-MM-ddTHH:mmZ, UTC."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def parse_api_time(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"):
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
    staging = config["staging_dir"]
    os.makedirs(staging, exist_ok=True)
    lines = []
    for index, node in enumerate(sorted(success, key=node_order)):
        backup = success[node]
        url = str(backup.get("BackupIntranetDownloadURL") or "")
        if not url:
            raise Failure(f"backup {backup.get('BackupId')} of {node} has no BackupIntranetDownloadURL")
        name = f"{index}.rdb"
        partial = os.path.join(staging, f"{name}.download")
        log(f"shard {index} ({node}): downloading backup {backup.get('BackupId')} from {redact(url)}")
        size, _ = download(url, partial)
        declared = int(backup.get("BackupSize") or -1)
        if size != declared:
            os.remove(partial)
            raise Failure(f"{name}: downloaded {size} bytes but DescribeBackups says BackupSize {declared} "
                          f"(backup {backup.get('BackupId')}, {node})")
        target = os.path.join(staging, name)
        unpack(partial, target)
        rdb_size = os.path.getsize(target)
        lines.append(f"{name} {rdb_size} {sha256_of(target)} {backup.get('BackupId')} {node}\n")
        log(f"shard {index} ({node}): {name}, {rdb_size} bytes")
    with open(os.path.join(staging, "manifest.tmp"), "w", encoding="utf-8") as out:
        out.writelines(lines)
    os.replace(os.path.join(staging, "manifest.tmp"), os.path.join(staging, "manifest"))
    log(f"wrote {os.path.join(staging, 'manifest')} ({len(lines)} file(s))")


def main(argv: list[str]) -> int:
    global COMMAND
    if len(argv) != 2 or argv[1] not in ("snapshot", "fetch"):
        print("usage: redis-snapshot-alicloud.py snapshot|fetch", file=sys.stderr)
        return 2
    COMMAND = argv[1]
    try:
        config = read_config(COMMAND)
        api = Kvstore(config["endpoint"], config["region"], rrsa_login(config["backup_name"]))
        (snapshot if COMMAND == "snapshot" else fetch)(config, api)
        return 0
    except Failure as failure:
        log(f"ERROR: {failure}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
