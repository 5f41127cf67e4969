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
# MATRIX=1 runs issue 15's whole matrix against the same two servers instead: PUT and GET of
#   64 MiB and 1 GiB objects on one stream and on four, ROUNDS (default 5) interleaved rounds
#   each, every cell in buckets of its own and deleting its objects when done, then one table
#   of all of them; flags given are added to every cell's.
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
bench() {
  BENCH_DIRECT_ACCESS_KEY_ID="$MINIO_KEY" BENCH_DIRECT_SECRET_ACCESS_KEY="$MINIO_SECRET" \
    "$WORK/bench-s3" -endpoint http://127.0.0.1:18750 -data-dir "$WORK/inkan" -client sdk \
    -direct-endpoint http://127.0.0.1:19000 -direct-pid "$MINIO_PID" "${DIRECT[@]}" "${PROF[@]}" "$@"
}
if [ "${MATRIX:-0}" != 1 ]; then
  bench -direct-bucket bench-minio "${ARGS[@]}"
  exit 0
fi

# The matrix: one cell after the other against the same two servers, each in its own buckets
# (the cells' keys are the same names at different sizes), the 1 GiB cells with fewer
# operations per round. Each cell deletes its objects when it ends (-cleanup): left in place,
# the earlier cells' objects fill this machine's page cache by the 1 GiB cells, and a third or
# more of those cells' objects were then read from the disk. A 1 GiB cell's first two rounds
# find no spare on inkan's side (new keys, then the first overwrites), hence five rounds by
# default (docs/performance.md, both).
[ $# -gt 0 ] || ARGS=()
CELLS=(
  "$((64 << 20)) 1 24 128"
  "$((64 << 20)) 4 24 128"
  "$((1 << 30)) 1 4 16"
  "$((1 << 30)) 4 4 16"
)
cell_name() { echo "$(($1 >> 20))mib-c$2"; } # a cell's buckets and report file
for cell in "${CELLS[@]}"; do
  read -r size c puts gets <<<"$cell"
  name=$(cell_name "$size" "$c")
  echo
  echo "== $((size >> 20)) MiB, $c stream(s)"
  bench -bucket "bench-s3-$name" -direct-bucket "bench-minio-$name" -phases large-put,large-get \
    -large-size "$size" -large-c "$c" -large-puts "$puts" -large-gets "$gets" -rounds "${ROUNDS:-5}" \
    -cleanup "${ARGS[@]}" | tee "$WORK/cell-$name.txt"
done

# One table: each cell's medians and ratios, and both sides' CPU per MB, from its own report.
echo
echo "== issue 15 matrix (medians of ${ROUNDS:-5} interleaved rounds; inkan / MinIO)"
printf '%-8s %-7s %-4s %-22s %-7s %-30s\n' object streams op "MB/s" ratio "ms per MB: server, load tool"
for cell in "${CELLS[@]}"; do
  read -r size c _ _ <<<"$cell"
  name=$(cell_name "$size" "$c")
  for op in PUT GET; do
    rate=$(awk -v op="$op" '$3 == op && $5 == "MB/s" {printf "%s / %s %s", $4, $6, $8}' "$WORK/cell-$name.txt")
    cpu=$(awk -v op="$op" '$3 == op && $5 == "/" {printf "%s / %s, %s / %s", $4, $6, $7, $9}' "$WORK/cell-$name.txt")
    read -r a _ b ratio <<<"$rate"
    printf '%-8s %-7s %-4s %-22s %-7s %-30s\n' "$((size >> 20)) MiB" "$c" "$op" "$a / $b" "$ratio" "$cpu"
  done
done
