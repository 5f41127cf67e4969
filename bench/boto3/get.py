"""boto3 GETs of one 64 MiB object from each of two S3 endpoints, interleaved.

Usage: AK=<access key id> SK=<secret> python3 bench/boto3/get.py URL1 URL2

Both endpoints must accept the same keys (inkan's root keys: INKAN_ROOT_ACCESS_KEY_ID and
INKAN_ROOT_SECRET_ACCESS_KEY; MinIO's: MINIO_ROOT_USER and MINIO_ROOT_PASSWORD). Each endpoint
gets a bucket "botobench" holding one 64 MiB object; each round reads it 16 times from each
endpoint (alternating which goes first), with ChecksumMode=ENABLED as the AWS CLI asks, and
prints the median of 3 rounds: MB/s and this client's CPU (user + system) per MB.
"""
import boto3, botocore, os, resource, sys, time
from botocore.config import Config
key_id, secret = os.environ["AK"], os.environ["SK"]
eps = sys.argv[1:]
size = 64 << 20
data = os.urandom(size)
clients = {}
for ep in eps:
    c = boto3.client("s3", endpoint_url=ep, aws_access_key_id=key_id, aws_secret_access_key=secret,
                     region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
    try:
        c.create_bucket(Bucket="botobench")
    except Exception:
        pass
    c.put_object(Bucket="botobench", Key="obj", Body=data)
    clients[ep] = c
res = {ep: [] for ep in eps}
for rnd in range(3):
    for ep in (eps if rnd % 2 == 0 else eps[::-1]):
        c = clients[ep]
        r0 = resource.getrusage(resource.RUSAGE_SELF); t0 = time.perf_counter()
        n = 0
        for _ in range(16):
            body = c.get_object(Bucket="botobench", Key="obj", ChecksumMode="ENABLED")["Body"]
            for chunk in body.iter_chunks(1 << 20):
                n += len(chunk)
        t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        res[ep].append((n / 1e6 / (t1 - t0), cpu * 1000 / (n / 1e6)))
for ep in eps:
    v = sorted(res[ep])
    print(f"{ep}: median {v[1][0]:.0f} MB/s, client {sorted(x[1] for x in res[ep])[1]:.2f} ms per MB")
