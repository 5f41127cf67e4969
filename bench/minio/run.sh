#!/usr/bin/env bash
# The large-object figures of issue 15, on one machine, in one run: bench/s3 with
# aws-sdk-go-v2's client (its default checksum settings) against inkan on its local backend
# and against MinIO, interleaved rounds, medians, ratios, and both servers' and the load
# tool's CPU per MB. Both servers keep their data under one temporary directory on the same
# filesystem (WORK_ROOT, default /var/tmp), removed at the end; everything listens on
# 127.0.0.1.
#
# Usage: bench/minio/run.sh [bench/s3 flags…]
#   (default: -phases large-put,large-get -large-c 1 -large-size 64MiB -rounds 3)
# MINIO=path to the minio binary (default: minio on PATH, else GOPATH/bin/minio); build it
#   with: GOBIN=… go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
# ENCRYPT=0 (the default) compares like with like unencrypted: inkan with
#   --encrypt-at-rest=false (served with sendfile) against MinIO as it starts. ENCRYPT=1
#   compares like with like encrypted at rest: inkan as it starts (SSE-S3 on every object)
#   against MinIO with a static KMS key and auto-encryption (SSE-S3 on every object).
# INKAN_FLAGS=… extra flags for inkan serve.
# PROFILE=dir writes the load tool's CPU profiles of every measured run into dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(-phases large-put,large-get -large-c 1 -large-size $((64 << 20)) -rounds 3)
MINIO="${MINIO:-$(command -v minio || echo "$(go env GOPATH)/bin/minio")}"
[ -x "$MINIO" ] || { echo "bench/minio: no minio binary at $MINIO (see the usage above)" >&2; exit 1; }
WORK="$(mktemp -d "${WORK_ROOT:-/var/tmp}/inkan-minio-bench.XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=bench/ports.sh
. bench/ports.sh
ports_free 18750 19000

export INKAN_ROOT_ACCESS_KEY_ID=AKIAINKANBENCHROOT00 INKAN_ROOT_SECRET_ACCESS_KEY=inkan-bench-root-secret-key-000000000000
MINIO_KEY=minio-bench-root MINIO_SECRET=minio-bench-root-secret-key-00000000000
go build -o "$WORK/inkan-server" ./cmd/inkan
go build -o "$WORK/bench-s3" ./bench/s3

SSE_ENV=() INKAN_SSE=(--encrypt-at-rest=false) DIRECT=()
if [ "${ENCRYPT:-0}" = 1 ]; then
  SSE_ENV=(MINIO_KMS_SECRET_KEY="bench-key:$(head -c 32 /dev/urandom | base64)" MINIO_KMS_AUTO_ENCRYPTION=on)
  INKAN_SSE=()
  DIRECT=(-direct-any-etag) # MinIO's ETag of an object it encrypts is not its MD5 (S3's SSE-S3 ETag is)
fi
env "${SSE_ENV[@]}" MINIO_ROOT_USER="$MINIO_KEY" MINIO_ROOT_PASSWORD="$MINIO_SECRET" MINIO_BROWSER=off \
  "$MINIO" server --quiet --address 127.0.0.1:19000 "$WORK/minio" >"$WORK/minio.log" 2>&1 &
MINIO_PID=$!
PIDS+=($MINIO_PID)
# shellcheck disable=SC2086
"$WORK/inkan-server" serve --dev --addr 127.0.0.1:18750 --data-dir "$WORK/inkan" --log-level error "${INKAN_SSE[@]}" ${INKAN_FLAGS:-} \
  >"$WORK/inkan.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 300); do
  curl -fs -o /dev/null http://127.0.0.1:19000/minio/health/ready && curl -fs -o /dev/null http://127.0.0.1:18750/readyz && break
  sleep 0.2
done
curl -fs -o /dev/null http://127.0.0.1:19000/minio/health/ready || { cat "$WORK/minio.log" >&2; exit 1; }
curl -fs -o /dev/null http://127.0.0.1:18750/readyz || { cat "$WORK/inkan.log" >&2; exit 1; }

PROF=()
[ -z "${PROFILE:-}" ] || { mkdir -p "$PROFILE"; PROF=(-profile-dir "$PROFILE"); }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); ENCRYPT=${ENCRYPT:-0}; inkan flags: ${INKAN_SSE[*]} ${INKAN_FLAGS:-}; minio: $("$MINIO" --version | head -1)"
BENCH_DIRECT_ACCESS_KEY_ID="$MINIO_KEY" BENCH_DIRECT_SECRET_ACCESS_KEY="$MINIO_SECRET" \
  "$WORK/bench-s3" -endpoint http://127.0.0.1:18750 -data-dir "$WORK/inkan" -client sdk \
  -direct-endpoint http://127.0.0.1:19000 -direct-bucket bench-minio -direct-pid "$MINIO_PID" "${DIRECT[@]}" "${PROF[@]}" "${ARGS[@]}"
