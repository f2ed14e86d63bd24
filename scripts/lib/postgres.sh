# Starts a throwaway PostgreSQL on a free loopback port inside $1 (a temporary folder), for tests and benchmarks.
# Sets PG_BIN, PG_DATA, PG_PORT and PG_CONNECTION; pg_stop stops it, pg_run starts it again. Needs the postgresql package (scripts/test installs it).

pg_as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# shellcheck source=scripts/lib/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

pg_start() {
  local work="$1"
  PG_BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
  PG_DATA="$work/pg"
  PG_PORT="$(free_port 55432)" || { echo "no free port for PostgreSQL" >&2; return 1; }
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown -R postgres "$work"
  chmod 755 "$work"
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust --username=postgres --encoding=UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 \
    || { cat "$work/initdb.log" >&2; return 1; }
  pg_run || return 1
  PG_CONNECTION="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
}

# pg_run: starts (again) the server that pg_start made, from PG_BIN, PG_DATA and PG_PORT (a restart test sets them).
pg_run() {
  local work
  work="$(dirname "$PG_DATA")"
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$work/pg.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DATA -c max_connections=300 ${PG_EXTRA_OPTIONS:-}" start >/dev/null \
    || { cat "$work/pg.log" >&2; return 1; }
}

pg_stop() {
  if [ -n "${PG_BIN:-}" ] && [ -f "${PG_DATA:-/nonexistent}/postmaster.pid" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
}
