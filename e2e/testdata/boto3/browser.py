"""Browser uploads and CORS of issue 13, as boto3 and a browser's requests see them: the
form of generate_presigned_post posted with requests (or urllib), signed by a session, and
the preflight and actual requests of a page on another origin. Prints one line per failed
check and exits 1 when any failed. Environment: INKAN_ENDPOINT, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (root), SESSION_ACCESS_KEY_ID, SESSION_SECRET_ACCESS_KEY,
SESSION_TOKEN (a session allowed s3:PutObject on uploads/*), INKAN_BUCKET."""
import os
import sys
import xml.etree.ElementTree as ET

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["INKAN_ENDPOINT"]
bucket = os.environ["INKAN_BUCKET"]
config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version="s3v4")
root = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config)
session = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=config,
                       aws_access_key_id=os.environ["SESSION_ACCESS_KEY_ID"],
                       aws_secret_access_key=os.environ["SESSION_SECRET_ACCESS_KEY"],
                       aws_session_token=os.environ["SESSION_TOKEN"])
origin = "https://app.example"
failed = []


def check(name, got, want):
    if got != want:
        failed.append("%s: got %r, want %r" % (name, got, want))


def error_code(resp):
    try:
        return ET.fromstring(resp.content).findtext("Code")
    except ET.ParseError:
        return "unparsable body %r" % resp.content[:200]


root.create_bucket(Bucket=bucket)

# CORS configuration through boto3.
try:
    root.get_bucket_cors(Bucket=bucket)
    failed.append("GetBucketCors before Put succeeded")
except ClientError as e:
    check("GetBucketCors before Put", e.response["Error"]["Code"], "NoSuchCORSConfiguration")
root.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
    "AllowedOrigins": [origin], "AllowedMethods": ["GET", "POST", "PUT"], "AllowedHeaders": ["*"],
    "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 120}]})
rules = root.get_bucket_cors(Bucket=bucket)["CORSRules"]
check("GetBucketCors origins", rules[0]["AllowedOrigins"], [origin])
check("GetBucketCors max age", rules[0].get("MaxAgeSeconds"), 120)

# The preflight a browser sends before posting the form.
pre = requests.options("%s/%s" % (endpoint, bucket), headers={
    "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
check("preflight status", pre.status_code, 200)
check("preflight allow-origin", pre.headers.get("Access-Control-Allow-Origin"), origin)
check("preflight allow-headers", pre.headers.get("Access-Control-Allow-Headers"), "content-type")
other = requests.options("%s/%s" % (endpoint, bucket), headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
check("preflight from another origin", (other.status_code, error_code(other)), (403, "AccessForbidden"))

# generate_presigned_post signed by the session: the token travels in the form and the policy.
post = session.generate_presigned_post(
    Bucket=bucket, Key="uploads/${filename}",
    Fields={"success_action_status": "201", "Content-Type": "text/plain"},
    Conditions=[["starts-with", "$key", "uploads/"], {"success_action_status": "201"},
                ["starts-with", "$Content-Type", "text/"], ["content-length-range", 1, 1024]],
    ExpiresIn=600)
check("form carries the session token", "x-amz-security-token" in post["fields"], True)
resp = requests.post(post["url"], data=post["fields"], files={"file": ("hello.txt", b"hello, browser")}, headers={"Origin": origin})
check("POST status", resp.status_code, 201)
check("POST allow-origin", resp.headers.get("Access-Control-Allow-Origin"), origin)
if resp.status_code == 201:
    doc = ET.fromstring(resp.content)
    check("PostResponse Key", doc.findtext("Key"), "uploads/hello.txt")
    check("PostResponse Bucket", doc.findtext("Bucket"), bucket)
    check("PostResponse ETag", doc.findtext("ETag"), resp.headers.get("ETag"))
else:
    failed.append("POST answered %s" % resp.content[:500])
got = root.get_object(Bucket=bucket, Key="uploads/hello.txt")
check("uploaded bytes", got["Body"].read(), b"hello, browser")
check("uploaded Content-Type", got["ContentType"], "text/plain")

# What the policy refuses.
big = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 2000)})
check("file over content-length-range", (big.status_code, error_code(big)), (400, "EntityTooLarge"))
fields = dict(post["fields"], key="elsewhere/x.txt")
moved = requests.post(post["url"], data=fields, files={"file": ("x.txt", b"x")})
check("key outside the policy", (moved.status_code, error_code(moved)), (403, "AccessDenied"))
fields = dict(post["fields"], **{"Content-Type": "image/png"})
typed = requests.post(post["url"], data=fields, files={"file": ("x.txt", b"x")})
check("Content-Type outside the policy", (typed.status_code, error_code(typed)), (403, "AccessDenied"))

# A form the session's role may not use: the policy allows the key, the role does not.
denied = session.generate_presigned_post(Bucket=bucket, Key="private/x.txt", ExpiresIn=600)
resp = requests.post(denied["url"], data=denied["fields"], files={"file": ("x.txt", b"x")})
check("key the role may not write", (resp.status_code, error_code(resp)), (403, "AccessDenied"))

# A root form with a redirect, as a plain HTML form would use it.
redir = root.generate_presigned_post(Bucket=bucket, Key="r.txt", Fields={"success_action_redirect": "https://app.example/done"},
                                     Conditions=[{"success_action_redirect": "https://app.example/done"}], ExpiresIn=600)
resp = requests.post(redir["url"], data=redir["fields"], files={"file": ("r.txt", b"r")}, allow_redirects=False)
check("redirect status", resp.status_code, 303)
check("redirect target", resp.headers.get("Location", "").startswith("https://app.example/done?"), True)

root.delete_bucket_cors(Bucket=bucket)
pre = requests.options("%s/%s" % (endpoint, bucket), headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
check("preflight after DeleteBucketCors", (pre.status_code, error_code(pre)), (403, "AccessForbidden"))

for line in failed:
    print(line)
sys.exit(1 if failed else 0)
