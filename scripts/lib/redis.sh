# Starts a throwaway Redis on a free loopback port (or port $2) inside $1 (a temporary folder), for the multi-node tests.
# Sets REDIS_PORT; redis_stop stops it. Needs the redis-server package (scripts/test installs it).

# shellcheck source=scripts/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

redis_start() {
  local work="$1/redis"
  mkdir -p "$work"
  # A second argument asks for that port (a test starting its Redis again where its nodes look for it).
  REDIS_PORT="${2:-$(free_port 56379)}" || { echo "no free port for Redis" >&2; return 1; }
  REDIS_DIR="$work"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$work" --save "" --appendonly no --protected-mode yes \
    --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log" || return 1
  local i
  for i in $(seq 1 50); do
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
      return 0
    fi
    sleep 0.1
  done
  cat "$work/redis.log" >&2
  return 1
}

redis_stop() {
  if [ -f "${REDIS_DIR:-/nonexistent}/redis.pid" ]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
  fi
}
