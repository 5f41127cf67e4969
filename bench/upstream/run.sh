#!/usr/bin/env bash
# The upstream figures of issue 11, on one machine, in one run: bench/s3 against inkan in
# front of SeaweedFS (--objects s3+http://…) and against SeaweedFS directly with its own root
# keys, phase by phase, ending with inkan's figures as a fraction of the direct ones.
# Needs weed in GOPATH/bin (bash .ci/s3-servers builds the pinned version). Everything runs
# on 127.0.0.1 under a temporary directory, removed at the end.
#
# Usage: bench/upstream/run.sh [bench/s3 flags…]
#   (default: -d 10s -large-puts 16 -large-gets 32 -rounds 3: medians of three rounds, each
#   phase run against both, inkan first in rounds 1 and 3, SeaweedFS first in round 2)
# PROFILE=dir records 10 s of inkan's CPU (perf), from 8 s after the start, into dir.
# PIN=1 gives SeaweedFS CPU 1 and inkan and the load tool CPU 0, as when the upstream runs
# on machines of its own: without it the three share both CPUs, and every cycle inkan spends
# is taken from the upstream it is measured against.
set -euo pipefail
cd "$(dirname "$0")/../.."
ARGS=("$@"); [ ${#ARGS[@]} -gt 0 ] || ARGS=(-d 10s -large-puts 16 -large-gets 32 -rounds 3)
WEED="${WEED:-$(go env GOPATH)/bin/weed}"
WORK="$(mktemp -d /tmp/inkan-upstream-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=bench/ports.sh
. bench/ports.sh
ports_free 18750 18333 28333 18888 28888 18080 28080 19333 29333

UP_KEY=AKIAWEEDBENCHROOT000 UP_SECRET=weed-bench-root-secret-key-0000000000000
export INKAN_ROOT_ACCESS_KEY_ID=AKIAINKANBENCHROOT00 INKAN_ROOT_SECRET_ACCESS_KEY=inkan-bench-root-secret-key-000000000000
go build -o "$WORK/inkan-server" ./cmd/inkan
go build -o "$WORK/bench-s3" ./bench/s3

# SeaweedFS: master, volume, filer and S3 gateway in one process, as the tests run it.
cat >"$WORK/weed.json" <<JSON
{"identities":[{"name":"root","credentials":[{"accessKey":"$UP_KEY","secretKey":"$UP_SECRET"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
JSON
mkdir -p "$WORK/weed"
PIN_UP=() PIN_INKAN=()
[ -z "${PIN:-}" ] || { PIN_UP=(taskset -c 1); PIN_INKAN=(taskset -c 0); }
"${PIN_UP[@]}" "$WEED" server -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$WORK/weed" \
  -master.port=19333 -master.port.grpc=29333 -master.volumeSizeLimitMB=1024 -master.telemetry=false \
  -volume.port=18080 -volume.port.grpc=28080 -volume.max=0 \
  -filer -filer.port=18888 -filer.port.grpc=28888 \
  -s3 -s3.port=18333 -s3.port.grpc=28333 -s3.config="$WORK/weed.json" \
  -s3.port.iceberg=0 -s3.port.lance=0 -metricsPort=0 -s3.autoCreateBucket=false >"$WORK/weed.log" 2>&1 &
PIDS+=($!)
# Ready when the S3 gateway answers and the filer serves (a bucket can be made): the
# gateway answers before the filer and the volume server have joined.
for _ in $(seq 300); do
  curl -s -o /dev/null http://127.0.0.1:18333/ && curl -sf -o /dev/null http://127.0.0.1:18888/ &&
    curl -sf -o /dev/null http://127.0.0.1:19333/cluster/healthz && break
  sleep 0.2
done
sleep 2

INKAN_UPSTREAM_ACCESS_KEY_ID="$UP_KEY" INKAN_UPSTREAM_SECRET_ACCESS_KEY="$UP_SECRET" \
  "${PIN_INKAN[@]}" "$WORK/inkan-server" serve --dev --addr 127.0.0.1:18750 --data-dir "$WORK/data" \
  --objects s3+http://127.0.0.1:18333 --log-level error >"$WORK/inkan.log" 2>&1 &
INKAN_PID=$!
PIDS+=($INKAN_PID)
for _ in $(seq 200); do curl -fs http://127.0.0.1:18750/readyz >/dev/null && break; sleep 0.1; done
curl -fs http://127.0.0.1:18750/readyz >/dev/null || { cat "$WORK/inkan.log" >&2; exit 1; }

if [ -n "${PROFILE:-}" ]; then
  mkdir -p "$PROFILE"
  ( sleep 8; perf record -F 999 -g -o "$PROFILE/inkan.perf" -p "$INKAN_PID" -- sleep 10 >/dev/null 2>&1 ) &
  PERF=$!
fi
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
BENCH_DIRECT_ACCESS_KEY_ID="$UP_KEY" BENCH_DIRECT_SECRET_ACCESS_KEY="$UP_SECRET" \
  "${PIN_INKAN[@]}" "$WORK/bench-s3" -endpoint http://127.0.0.1:18750 -data-dir "$WORK/data" \
  -direct-endpoint http://127.0.0.1:18333 "${ARGS[@]}"
[ -z "${PERF:-}" ] || wait "$PERF"
