"""The wire fixes of issue 13, as boto3 sees them. Prints one line per failed check and
exits 1 when any failed. Environment: INKAN_ENDPOINT, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, INKAN_BUCKET."""
import base64
import hashlib
import os
import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["INKAN_ENDPOINT"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = os.environ["INKAN_BUCKET"]
failed = []


def code(call):
    """The S3 error code of call, "ok" when it succeeds; any other exception (the TypeError
    botocore raised on checksummed 304 answers) is reported as its type."""
    try:
        call()
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]
    except Exception as e:  # noqa: BLE001 — the failure under test is not a ClientError
        return type(e).__name__ + ": " + str(e)


def check(name, got, want):
    if got != want:
        failed.append("%s: got %r, want %r" % (name, got, want))


def supports(operation, member):
    return member in s3.meta.service_model.operation_model(operation).input_shape.members


s3.create_bucket(Bucket=bucket)
put = s3.put_object(Bucket=bucket, Key="k", Body=b"v1", ChecksumAlgorithm="CRC32")
etag = put["ETag"]

# Fix 1: failed conditional GETs raise their error (botocore >= 1.36 validates checksums).
check("GetObject If-None-Match current", code(lambda: s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)), "304")
check("GetObject If-Match other", code(lambda: s3.get_object(Bucket=bucket, Key="k", IfMatch='"00"')), "PreconditionFailed")
check("GetObject plain", s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"v1")

# Fix 2: conditional deletes (DeleteObject's IfMatch is in botocore since late 2024).
if supports("DeleteObject", "IfMatch"):
    check("DeleteObject If-Match other", code(lambda: s3.delete_object(Bucket=bucket, Key="k", IfMatch='"0123456789abcdef0123456789abcdef"')),
          "PreconditionFailed")
    check("object after a failed conditional delete", code(lambda: s3.head_object(Bucket=bucket, Key="k")), "ok")
# <ETag> in DeleteObjects is in botocore's model since late 2024 too (Debian's 1.26 lacks it).
if "ETag" in s3.meta.service_model.shape_for("ObjectIdentifier").members:
    res = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "ETag": '"0123456789abcdef0123456789abcdef"'}]})
    check("DeleteObjects ETag other", [e["Code"] for e in res.get("Errors", [])], ["PreconditionFailed"])
    res = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "ETag": etag}]})
    check("DeleteObjects ETag current", [d["Key"] for d in res.get("Deleted", [])], ["k"])

# Fix 3: the whole-object checksum of a completion is verified.
up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="SHA256")
part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"part one", ChecksumAlgorithm="SHA256")
parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]}]}
wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
check("CompleteMultipartUpload wrong SHA256",
      code(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload=parts, ChecksumSHA256=wrong)),
      "BadDigest")
check("CompleteMultipartUpload malformed SHA256",
      code(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload=parts, ChecksumSHA256="abc")),
      "InvalidRequest")
right = base64.b64encode(hashlib.sha256(base64.b64decode(part["ChecksumSHA256"])).digest()).decode()
try:
    first = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload=parts, ChecksumSHA256=right)
except ClientError as e:
    first = {"ChecksumSHA256": e.response["Error"]["Code"]}
check("CompleteMultipartUpload checksum", first.get("ChecksumSHA256"), right + "-1")

# Fix 4: a retried completion answers the same result.
again = code(lambda: s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload=parts))
check("retried CompleteMultipartUpload", again, "ok")

# Fix 5: Content-Encoding comes back as it was sent.
s3.put_object(Bucket=bucket, Key="z", Body=b"zz", ContentEncoding="deflate, gzip")
check("Content-Encoding", s3.head_object(Bucket=bucket, Key="z")["ContentEncoding"], "deflate, gzip")

# Fix 6: ListObjects (v1) under botocore's automatic encoding-type=url.
for key in ["new\nline", "a b+c", "100%"]:
    s3.put_object(Bucket=bucket, Key="enc/" + key, Body=b"")
res = s3.list_objects(Bucket=bucket, Prefix="enc/")
check("ListObjects keys", sorted(o["Key"] for o in res["Contents"]), ["enc/100%", "enc/a b+c", "enc/new\nline"])
check("ListObjects Prefix", res["Prefix"], "enc/")
res = s3.list_objects(Bucket=bucket, Prefix="enc/new\n")
check("ListObjects Prefix with a newline", res["Prefix"], "enc/new\n")
check("ListObjects keys under a newline", [o["Key"] for o in res["Contents"]], ["enc/new\nline"])
res = s3.list_objects(Bucket=bucket, Prefix="enc/", Delimiter=" ", MaxKeys=1)
check("ListObjects CommonPrefixes", [p["Prefix"] for p in res.get("CommonPrefixes", [])] + [o["Key"] for o in res.get("Contents", [])], ["enc/100%"])
check("ListObjects NextMarker", res.get("NextMarker"), "enc/100%")
res = s3.list_objects(Bucket=bucket, Prefix="enc/", Delimiter=" ", Marker="enc/100%")
check("ListObjects Marker", res.get("Marker"), "enc/100%")
check("ListObjects CommonPrefixes after the marker", [p["Prefix"] for p in res.get("CommonPrefixes", [])], ["enc/a "])
res = s3.list_objects_v2(Bucket=bucket, Prefix="enc/new\n")
check("ListObjectsV2 Prefix", res["Prefix"], "enc/new\n")

print("botocore", botocore.__version__)
for f in failed:
    print("FAIL", f)
sys.exit(1 if failed else 0)
