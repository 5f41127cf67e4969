"""Object and bucket tagging, ACLs under BucketOwnerEnforced and the public access block, as
boto3 sees them. Prints one line per failed check and exits 1 when any failed. Environment:
INKAN_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, INKAN_BUCKET."""
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["INKAN_ENDPOINT"], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = os.environ["INKAN_BUCKET"]
failed = []


def code(call):
    """The S3 error code of call, "ok" when it succeeds."""
    try:
        call()
        return "ok"
    except ClientError as e:
        return e.response["Error"]["Code"]


def check(name, got, want):
    if got != want:
        failed.append("%s: got %r, want %r" % (name, got, want))


def tags(key):
    return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="k", Body=b"v", Tagging="team=storage&stage=ci")
check("tags written with the object", tags("k"), {"team": "storage", "stage": "ci"})
check("TagCount of HEAD", s3.head_object(Bucket=bucket, Key="k").get("TagCount"), 2)
s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
check("tags after PutObjectTagging", tags("k"), {"only": "one"})
s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"}, TaggingDirective="REPLACE", Tagging="new=tag")
check("tags of a copy with REPLACE", tags("copy"), {"new": "tag"})
s3.copy_object(Bucket=bucket, Key="copy2", CopySource={"Bucket": bucket, "Key": "k"})
check("tags of a copy with COPY", tags("copy2"), {"only": "one"})
s3.delete_object_tagging(Bucket=bucket, Key="k")
check("tags after DeleteObjectTagging", tags("k"), {})
eleven = [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]
check("eleven tags", code(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": eleven})), "BadRequest")
check("an aws: key", code(lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "aws:x", "Value": "v"}]})),
      "InvalidTag")
check("tags of a missing key", code(lambda: s3.get_object_tagging(Bucket=bucket, Key="missing")), "NoSuchKey")

check("bucket tags before any", code(lambda: s3.get_bucket_tagging(Bucket=bucket)), "NoSuchTagSet")
s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "owner", "Value": "platform"}]})
check("bucket tags", s3.get_bucket_tagging(Bucket=bucket)["TagSet"], [{"Key": "owner", "Value": "platform"}])
s3.delete_bucket_tagging(Bucket=bucket)
check("bucket tags after delete", code(lambda: s3.get_bucket_tagging(Bucket=bucket)), "NoSuchTagSet")

acl = s3.get_object_acl(Bucket=bucket, Key="copy")
check("the object ACL", [(g["Grantee"]["Type"], g["Permission"]) for g in acl["Grants"]], [("CanonicalUser", "FULL_CONTROL")])
check("PutObject public-read", code(lambda: s3.put_object(Bucket=bucket, Key="p", Body=b"v", ACL="public-read")),
      "AccessControlListNotSupported")
check("PutObject bucket-owner-full-control", code(lambda: s3.put_object(Bucket=bucket, Key="p", Body=b"v", ACL="bucket-owner-full-control")), "ok")
check("PutBucketAcl private", code(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="private")), "AccessControlListNotSupported")
check("ownership", s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"], "BucketOwnerEnforced")
pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
check("the public access block of a new bucket", sorted(k for k, v in pab.items() if v),
      ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"])
public = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}' % bucket
check("a public policy under BlockPublicPolicy", code(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=public)), "AccessDenied")

for line in failed:
    print(line)
sys.exit(1 if failed else 0)
