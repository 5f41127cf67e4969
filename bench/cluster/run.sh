#!/usr/bin/env bash
# The cluster figures of issue 10, on one machine, in one run:
#   1. one node on SQLite vs one node on PostgreSQL (the exchange must not touch the store);
#   2. one node vs two nodes behind HAProxy (both on PostgreSQL).
# Needs Debian's postgresql and haproxy. Everything runs on 127.0.0.1 under a temporary
# directory, removed at the end. Usage: bench/cluster/run.sh [duration, default 20s] [workers, default 32]
set -euo pipefail
cd "$(dirname "$0")/../.."
DUR="${1:-20s}"; CONC="${2:-32}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
WORK="$(mktemp -d /tmp/inkan-bench.XXXXXX)"; chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=bench/ports.sh
. bench/ports.sh
ports_free 15432 18751 18752 18753 18754 18760

export INKAN_ROOT_ACCESS_KEY_ID=AKIAINKANBENCHROOT00 INKAN_ROOT_SECRET_ACCESS_KEY=inkan-bench-root-secret-key-000000000000
go build -o "$WORK/inkan" ./cmd/inkan
go build -o "$WORK/bench-sts" ./bench/sts

# PostgreSQL: a throwaway cluster on 127.0.0.1:15432, trust authentication on loopback.
mkdir "$WORK/pg" && chown postgres "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -w -l "$WORK/pg/log" \
  -o "-p 15432 -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
# Two databases: the phases' issuers differ (each node's --public-url), and so do their roles.
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p 15432 inkan
runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p 15432 inkan2
PG="postgres://postgres@127.0.0.1:15432/inkan?sslmode=disable"
PG2="postgres://postgres@127.0.0.1:15432/inkan2?sslmode=disable"

# node <port> <public url> [store]: starts inkan serve --dev and waits for /readyz.
node() {
  local port="$1" public="$2" store="${3:-}"
  INKAN_STORE="$store" "$WORK/inkan" serve --dev --addr "127.0.0.1:$port" --public-url "$public" \
    --data-dir "$WORK/data-$port" --log-level error >"$WORK/node-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.1; done
  echo "node $port did not become ready" >&2; cat "$WORK/node-$port.log" >&2; exit 1
}

# pgcpu prints the CPU seconds PostgreSQL's processes have used (the decision log's writes
# land there, outside inkan's own process_cpu_seconds_total).
pgcpu() { ps -u postgres -o times= | awk '{s += $1} END {print s + 0}'; }

bench() { # bench <label> <endpoint> <metrics urls>
  echo "== $1"
  local before out n
  before="$(pgcpu)"
  out="$("$WORK/bench-sts" -endpoint "$2" -metrics "$3" -c "$CONC" -d "$DUR" -data-dir "$WORK")"
  echo "$out" | grep -E "throughput|latency|server CPU|errors|first error"
  n="$(echo "$out" | sed -n 's/^exchanges: \([0-9]*\) in.*/\1/p')"
  # Includes the token minting and warm-up before the measured run: an upper bound.
  echo "PostgreSQL CPU: $(( ($(pgcpu) - before) * 1000000 / (n > 0 ? n : 1) )) µs per exchange (1 s resolution)"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
node 18751 http://127.0.0.1:18751
node 18752 http://127.0.0.1:18752 "$PG"
bench "one node, SQLite" http://127.0.0.1:18751 http://127.0.0.1:18751
bench "one node, PostgreSQL" http://127.0.0.1:18752 http://127.0.0.1:18752
bench "one node, SQLite (again)" http://127.0.0.1:18751 http://127.0.0.1:18751
bench "one node, PostgreSQL (again)" http://127.0.0.1:18752 http://127.0.0.1:18752
kill "${PIDS[0]}" "${PIDS[1]}"; wait "${PIDS[0]}" "${PIDS[1]}" 2>/dev/null || true; PIDS=()

# Two nodes on PostgreSQL behind HAProxy (the configuration of docs/deployment.md), the
# issuer being the balancer's URL; then one of them alone, with the same issuer.
cat >"$WORK/haproxy.cfg" <<CFG
global
    maxconn 4096
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend inkan
    bind 127.0.0.1:18760
    default_backend inkan
backend inkan
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 500ms fall 2 rise 1
    server node1 127.0.0.1:18753
    server node2 127.0.0.1:18754
CFG
/usr/sbin/haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
PIDS+=($!)
node 18753 http://127.0.0.1:18760 "$PG2"
node 18754 http://127.0.0.1:18760 "$PG2"
sleep 1
bench "two nodes behind HAProxy" http://127.0.0.1:18760 http://127.0.0.1:18753,http://127.0.0.1:18754
kill "${PIDS[2]}"; wait "${PIDS[2]}" 2>/dev/null || true
sleep 1.5
bench "one node behind HAProxy" http://127.0.0.1:18760 http://127.0.0.1:18753
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
