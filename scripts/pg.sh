#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks: initdb into a temporary directory, listen on
# a free port on 127.0.0.1 only, trust authentication (nothing else can reach it), no fsync (nothing
# in it is worth keeping), and everything removed when it stops.
#
#   scripts/pg.sh run <command…>   start a server, run the command with WXCOUPON_TEST_PG_URL set, stop it
#                                  (also on failure or Ctrl-C); exits with the command's status
#   scripts/pg.sh start            start one and print `export WXCOUPON_TEST_PG_URL=…` and its directory
#   scripts/pg.sh stop <dir>       stop the server started in <dir> and remove <dir>
#
# PostgreSQL refuses to run as root; as root the server runs as the `postgres` user (or `nobody`).
set -euo pipefail

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then
    command -v "$1"
    # An explicit status: a bare `return` inside the EXIT trap would return the command's failure.
    return 0
  fi
  # Debian keeps the server binaries out of PATH, one directory per major version.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/$1" ]; then
    echo "$dir/$1"
    return 0
  fi
  echo "pg.sh: $1 not found; install PostgreSQL (Debian: apt-get install -y postgresql)" >&2
  exit 1
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Runs a command as the user the server runs as.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_OWNER" -- "$@"
  else
    "$@"
  fi
}

owner_for() {
  if [ "$(id -u)" != 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    echo nobody
  fi
}

start_server() {
  local initdb pg_ctl port
  initdb=$(find_bin initdb)
  pg_ctl=$(find_bin pg_ctl)
  PG_OWNER=$(owner_for)
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wxcoupon-pg.XXXXXX")
  chmod 700 "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown "$PG_OWNER" "$PG_DIR"
  as_owner "$initdb" -D "$PG_DIR/data" -U wxcoupon --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
    as_owner "$initdb" -D "$PG_DIR/data" -U wxcoupon --auth=trust --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    rm -rf "$PG_DIR"
    exit 1
  }
  port=$(free_port)
  if ! as_owner "$pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    >/dev/null; then
    cat "$PG_DIR/server.log" >&2 || true
    rm -rf "$PG_DIR"
    exit 1
  fi
  echo "$port" >"$PG_DIR/port"
  PG_URL="postgres://wxcoupon@127.0.0.1:$port/postgres"
}

stop_server() {
  # Runs from the EXIT trap, whatever the command's status: stop at nothing short of the end.
  set +e
  local dir=$1 pg_ctl
  [ -d "$dir/data" ] || return 0
  pg_ctl=$(find_bin pg_ctl)
  PG_OWNER=$(stat -c %U "$dir")
  as_owner "$pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
run)
  shift
  [ $# -gt 0 ] || {
    echo "usage: scripts/pg.sh run <command…>" >&2
    exit 2
  }
  start_server
  trap 'stop_server "$PG_DIR"' EXIT
  trap 'exit 130' INT TERM
  echo "pg.sh: PostgreSQL at $PG_URL" >&2
  set +e
  WXCOUPON_TEST_PG_URL=$PG_URL "$@"
  status=$?
  set -e
  exit $status
  ;;
start)
  start_server
  echo "export WXCOUPON_TEST_PG_URL=$PG_URL"
  echo "# stop with: scripts/pg.sh stop $PG_DIR"
  ;;
stop)
  [ -n "${2:-}" ] || {
    echo "usage: scripts/pg.sh stop <dir>" >&2
    exit 2
  }
  stop_server "$2"
  ;;
*)
  echo "usage: scripts/pg.sh run <command…> | start | stop <dir>" >&2
  exit 2
  ;;
esac
