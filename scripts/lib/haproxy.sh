# Starts a throwaway HAProxy on a free loopback port inside $1 (a temporary folder), in front of the Sportello nodes
# given as the other arguments (host:port each), with health checks on /health/ready. Sets HAPROXY_PORT and
# HAPROXY_DIR; haproxy_stop stops it. Needs the haproxy package (scripts/test installs it). haproxy_config prints
# the configuration alone: docs/deploy.md shows the same one, with TLS added at the bind line.

# shellcheck source=scripts/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

# haproxy_config PORT NODE...: a frontend on 127.0.0.1:PORT, round robin over the nodes that answer /health/ready.
haproxy_config() {
  local port="$1"; shift
  cat <<CONFIG
global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # SignalR's WebSockets and long polls stay open.
    timeout tunnel 1h
    # A node that refuses the connection (killed, restarting) is not the client's problem: try another one.
    retries 3
    option redispatch 1
    retry-on conn-failure

frontend sportello
    bind 127.0.0.1:$port
    # The client's address for per-IP limits; Sportello believes it only from Sportello:ForwardedHeaders:KnownProxies.
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    use_backend hubs if { path_beg /hubs/ }
    default_backend nodes

backend nodes
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
    # Checked every second; out after 2 failures, back after 2 successes; its open connections closed when it goes.
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
$(haproxy_servers "$@")

backend hubs
    # SignalR's negotiation and the connection it names (long polling too) must meet one node: the client's address
    # picks it, and only the clients of a node that goes away move.
    balance source
    hash-type consistent
    option httpchk GET /health/ready
    http-check expect status 200
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
$(haproxy_servers "$@")
CONFIG
}

haproxy_servers() {
  local i=1 node
  for node in "$@"; do
    echo "    server node$i $node check"
    i=$((i + 1))
  done
}

haproxy_start() {
  local work="$1/haproxy"; shift
  mkdir -p "$work"
  HAPROXY_DIR="$work"
  HAPROXY_PORT="$(free_port 58080)" || { echo "no free port for HAProxy" >&2; return 1; }
  haproxy_config "$HAPROXY_PORT" "$@" >"$work/haproxy.cfg"
  "${HAPROXY_BIN:-haproxy}" -c -q -f "$work/haproxy.cfg" || return 1
  "${HAPROXY_BIN:-haproxy}" -D -f "$work/haproxy.cfg" -p "$work/haproxy.pid" >"$work/haproxy.log" 2>&1 || { cat "$work/haproxy.log" >&2; return 1; }
  local i
  for i in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$HAPROXY_PORT") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  cat "$work/haproxy.log" >&2
  return 1
}

haproxy_stop() {
  if [ -f "${HAPROXY_DIR:-/nonexistent}/haproxy.pid" ]; then
    kill "$(cat "$HAPROXY_DIR/haproxy.pid")" 2>/dev/null || true
  fi
}
