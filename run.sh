#!/usr/bin/env bash
# Starts the Pod Orchestrator locally with --target all (all three services in one process, embedded
# building blocks). Without POSTGRES_HOST it starts a private PostgreSQL in .local/postgres (git-ignored).
# Extra arguments go to the host, e.g. ./run.sh --target api
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
. scripts/postgres.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

pgdir="$root/.local/postgres"
started_pg=""
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
  [ -n "$started_pg" ] && pg_stop "$pgdir"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v curl >/dev/null || apt_install curl ca-certificates
if [ -z "${POSTGRES_HOST:-}" ]; then
  ensure_postgres_installed
  mkdir -p "$root/.local"
  chmod 755 "$root/.local"
  if [ ! -f "$root/.local/postgres.env" ]; then
    pw="dev-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf 'POSTGRES_PASSWORD=%s\nPOSTGRES_PORT=%s\n' "$pw" "$(free_port 55500)" > "$root/.local/postgres.env"
    chmod 600 "$root/.local/postgres.env"
  fi
  . "$root/.local/postgres.env"
  if ! pg_start "$pgdir" "$POSTGRES_PORT" "$POSTGRES_PASSWORD"; then
    echo "run.sh: could not start PostgreSQL in $pgdir" >&2
    exit 1
  fi
  started_pg=1
  export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT POSTGRES_PASSWORD POSTGRES_USER=postgres POSTGRES_DB=postgres
  echo "run.sh: PostgreSQL on 127.0.0.1:$POSTGRES_PORT (data in .local/postgres)" >&2
fi

echo "run.sh: building..." >&2
dotnet build -c Release -v quiet -nologo services/Flame.Po.Host/Flame.Po.Host.csproj >/dev/null

port=${PO_PORT:-8000}
export PO_PORT=$port
[ $# -eq 0 ] && set -- --target all
dotnet services/Flame.Po.Host/bin/Release/net10.0/Flame.Po.Host.dll "$@" &
host_pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/po/healthz" >/dev/null 2>&1; then
    echo "PO_URL=http://127.0.0.1:$port"
    echo "run.sh: liveness  http://127.0.0.1:$port/po/healthz" >&2
    echo "run.sh: readiness http://127.0.0.1:$port/readyz" >&2
    echo "run.sh: press Ctrl-C to stop" >&2
    break
  fi
  if ! kill -0 "$host_pid" 2>/dev/null; then
    wait "$host_pid"
    exit $?
  fi
  sleep 0.5
done
wait "$host_pid"
