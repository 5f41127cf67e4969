# Sourced by the bench scripts. ports_free fails with a message naming the process when any
# of the given loopback ports already has a listener: a server left over from an earlier run
# would answer the readiness checks, and the run would measure it instead of the one it built.
ports_free() {
  local port busy
  if ! command -v ss >/dev/null 2>&1; then
    echo "bench: ss (iproute2) is not installed; not checking that ports $* are free" >&2
    return 0
  fi
  for port in "$@"; do
    busy="$(ss -Htlnp "sport = :$port" 2>/dev/null || true)"
    if [ -n "$busy" ]; then
      echo "bench: port $port is already in use; stop what listens there first: $busy" >&2
      return 1
    fi
  done
}
