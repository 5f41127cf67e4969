"""Versioned deletes and version listings as boto3 does them. Prints one line per failed
check and exits 1 when any failed. Environment: INKAN_ENDPOINT, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, INKAN_BUCKET (an existing, unversioned bucket)."""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["INKAN_ENDPOINT"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = os.environ["INKAN_BUCKET"]
failed = []


def check(name, got, want):
    if got != want:
        failed.append("%s: got %r, want %r" % (name, got, want))


check("versioning before", s3.get_bucket_versioning(Bucket=bucket).get("Status"), None)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
check("versioning after", s3.get_bucket_versioning(Bucket=bucket).get("Status"), "Enabled")

# Three versions of each of five keys, one with characters botocore url-encodes.
keys = ["a", "dir/b", "dir/c", "x y+z", "z"]
ids = {}
for k in keys:
    for i in range(3):
        r = s3.put_object(Bucket=bucket, Key=k, Body=("%s-%d" % (k, i)).encode())
        ids.setdefault(k, []).append(r["VersionId"])
check("distinct version ids", len({v for vs in ids.values() for v in vs}), 15)

# A simple delete adds a marker; reading the key then fails with NoSuchKey.
r = s3.delete_object(Bucket=bucket, Key="z")
check("delete marker", r.get("DeleteMarker"), True)
marker = r["VersionId"]
try:
    s3.get_object(Bucket=bucket, Key="z")
    failed.append("GET of a deleted key succeeded")
except ClientError as e:
    check("GET deleted key", e.response["Error"]["Code"], "NoSuchKey")
check("old version readable", s3.get_object(Bucket=bucket, Key="z", VersionId=ids["z"][0])["Body"].read(), b"z-0")

# The paginator walks every version and marker in pages of two (key-marker and
# version-id-marker, encoding-type=url added by botocore).
seen = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
    for v in page.get("Versions", []):
        seen.append((v["Key"], v["VersionId"], v["IsLatest"], False))
    for m in page.get("DeleteMarkers", []):
        seen.append((m["Key"], m["VersionId"], m["IsLatest"], True))
check("entries listed", len(seen), 16)
check("no entry twice", len(set(seen)), 16)
check("markers listed", [s for s in seen if s[3]], [("z", marker, True, True)])
for k in keys:
    listed = [s[1] for s in seen if s[0] == k and not s[3]]
    check("versions of %s newest first" % k, listed, list(reversed(ids[k])))

# Delimited listing rolls dir/ up.
r = s3.list_object_versions(Bucket=bucket, Delimiter="/")
check("common prefixes", [p["Prefix"] for p in r.get("CommonPrefixes", [])], ["dir/"])

# DeleteObjects with version ids removes those versions; without, it adds markers.
objects = [{"Key": "a", "VersionId": v} for v in ids["a"]] + [{"Key": "x y+z"}, {"Key": "z", "VersionId": marker}]
r = s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
check("errors", r.get("Errors", []), [])
deleted = {(d["Key"], d.get("VersionId")): d for d in r["Deleted"]}
for v in ids["a"]:
    check("deleted a@%s" % v, ("a", v) in deleted, True)
xyz = deleted.get(("x y+z", None), {})
check("marker made by DeleteObjects", (xyz.get("DeleteMarker"), bool(xyz.get("DeleteMarkerVersionId"))), (True, True))
zm = deleted.get(("z", marker), {})
check("marker removed by DeleteObjects", (zm.get("DeleteMarker"), zm.get("DeleteMarkerVersionId")), (True, marker))
check("z back", s3.get_object(Bucket=bucket, Key="z")["Body"].read(), b"z-2")
try:
    s3.head_object(Bucket=bucket, Key="a")
    failed.append("a still exists")
except ClientError as e:
    check("a gone", e.response["Error"]["Code"], "404")

# Suspended: writes replace the null version (not on SeaweedFS, see the Go test).
if os.environ.get("INKAN_UPSTREAM") == "seaweedfs":
    for f in failed:
        print("FAIL", f)
    print("%d checks failed" % len(failed))
    sys.exit(1 if failed else 0)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
s3.put_object(Bucket=bucket, Key="n", Body=b"1")
s3.put_object(Bucket=bucket, Key="n", Body=b"2")
r = s3.list_object_versions(Bucket=bucket, Prefix="n")
check("suspended null version", [(v["VersionId"], v["IsLatest"]) for v in r.get("Versions", [])], [("null", True)])

for f in failed:
    print("FAIL", f)
print("%d checks failed" % len(failed))
sys.exit(1 if failed else 0)
