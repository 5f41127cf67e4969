"""SSE-C through boto3 over HTTPS: a put and get with a customer key, the refusals of a
read without it and with another key, and a multipart upload_file/download_file with the
key. Prints one line per failed check and exits 1 when any failed. Environment:
INKAN_ENDPOINT (https), AWS_CA_BUNDLE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
INKAN_BUCKET."""
import os
import sys
import tempfile

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["INKAN_ENDPOINT"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = os.environ["INKAN_BUCKET"]
failed = []
KEY = b"k" * 32
OTHER = b"o" * 32
SSEC = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}


def code(call):
    try:
        call()
        return "ok"
    except ClientError as e:
        return "%s %s" % (e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"])


def check(name, got, want):
    if got != want:
        failed.append("%s: got %r, want %r" % (name, got, want))


s3.create_bucket(Bucket=bucket)
check("SSE-C blocked by default", code(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x", **SSEC)), "403 AccessDenied")
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
    "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]})
put = s3.put_object(Bucket=bucket, Key="k", Body=b"customer data", **SSEC)
check("put algorithm", put.get("SSECustomerAlgorithm"), "AES256")
got = s3.get_object(Bucket=bucket, Key="k", **SSEC)
check("get body", got["Body"].read(), b"customer data")
check("get key MD5", got.get("SSECustomerKeyMD5"), put.get("SSECustomerKeyMD5"))
check("get without the key", code(lambda: s3.get_object(Bucket=bucket, Key="k")), "400 InvalidRequest")
check("get with another key", code(lambda: s3.get_object(Bucket=bucket, Key="k", SSECustomerAlgorithm="AES256",
                                                         SSECustomerKey=OTHER)), "403 AccessDenied")
check("head with the key", code(lambda: s3.head_object(Bucket=bucket, Key="k", **SSEC)), "ok")

data = os.urandom(12 * 1024 * 1024 + 7)
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
with tempfile.TemporaryDirectory() as d:
    src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
    with open(src, "wb") as f:
        f.write(data)
    s3.upload_file(src, bucket, "big", ExtraArgs=SSEC, Config=cfg)
    s3.download_file(bucket, "big", dst, ExtraArgs=SSEC, Config=cfg)
    with open(dst, "rb") as f:
        check("multipart round trip", f.read() == data, True)
head = s3.head_object(Bucket=bucket, Key="big", **SSEC)
check("multipart object parts", head["ETag"].endswith('-3"'), True)

for line in failed:
    print(line)
sys.exit(1 if failed else 0)
