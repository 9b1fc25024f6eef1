#!/usr/bin/env bash
# Throw-away PostgreSQL clusters for run.sh and test.sh. Source this file; it defines functions only.
# PostgreSQL refuses to run as root, so when invoked as root the cluster is owned and run by the
# 'postgres' system user that Debian's package creates.

pg_bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

apt_install() {
  # Installs Debian packages, refreshing the package lists once per run.
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages ($*) and not root: install them with apt-get" >&2
    return 1
  fi
  if [ -z "${FLAME_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    export FLAME_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_postgres_installed() {
  if [ -z "$(pg_bin_dir)" ]; then
    echo "installing PostgreSQL server (apt)..." >&2
    apt_install postgresql postgresql-client
  fi
}

pg_run_as() {
  # Runs a command as the cluster owner: ourselves, or 'postgres' when we are root.
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for port in $(seq "${1:-55432}" "$(( ${1:-55432} + 500 ))"); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# pg_start DIR PORT PASSWORD: initialises DIR (if empty) and starts a server on 127.0.0.1:PORT.
# Superuser 'postgres' authenticates with PASSWORD over TCP (scram-sha-256), like a real deployment.
pg_start() {
  local dir port=$2 password=$3 bin
  dir=$(realpath -m "$1")
  bin=$(pg_bin_dir)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    local pwfile="$dir/.pw"
    printf '%s\n' "$password" > "$pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pwfile"; fi
    pg_run_as "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2; return 1; }
    rm -f "$pwfile"
  fi
  pg_run_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off" \
    start >/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
}

pg_stop() {
  local dir
  dir=$(realpath -m "$1")
  [ -f "$dir/data/postmaster.pid" ] || return 0
  pg_run_as "$(pg_bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
