#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what is missing, starts a throw-away
# PostgreSQL on a free port, runs `dotnet test` for the solution, stops what it started (also on failure)
# and ends with the line "N passed, M failed[, K skipped]".
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
. scripts/postgres.sh

ensure_postgres_installed || { echo "0 passed, 1 failed"; exit 1; }
# nginx -t and routing tests (real nginx under `unshare --mount`), the kubernetes-models validator (node).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx || { echo "0 passed, 1 failed"; exit 1; }
command -v unshare >/dev/null || apt_install util-linux || { echo "0 passed, 1 failed"; exit 1; }
command -v npm >/dev/null || apt_install nodejs npm || { echo "0 passed, 1 failed"; exit 1; }
# Headless Chromium renders Swagger UI and ReDoc in the docs tests (Debian's package; binary `chromium`).
command -v chromium >/dev/null || apt_install chromium || { echo "0 passed, 1 failed"; exit 1; }
# kubectl as an independent client of the sandbox (Debian's kubernetes-client package provides it).
command -v kubectl >/dev/null || apt_install kubectl || apt_install kubernetes-client || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -d scripts/k8s-validator/node_modules ]; then
  npm ci --no-audit --no-fund --prefix scripts/k8s-validator >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi

work=$(mktemp -d /tmp/flame-po-test.XXXXXX)
chmod 755 "$work"
cleanup() {
  pg_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port 55432)
password="test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
if ! pg_start "$work/pg" "$port" "$password"; then
  echo "could not start PostgreSQL" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=$port POSTGRES_USER=postgres POSTGRES_PASSWORD=$password POSTGRES_DB=postgres
export FLAME_TEST_PG_BIN=$(pg_bin_dir) FLAME_TEST_WORK=$work
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log="$work/dotnet-test.log"
dotnet test "$root/Flame.Dapr.sln" -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-project summaries: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total: ..."
read -r passed failed skipped < <(grep -E '^\s*(Passed|Failed)!\s+-\s+Failed:' "$log" | sed -E 's/.*Failed:\s*([0-9]+), Passed:\s*([0-9]+), Skipped:\s*([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {printf "%d %d %d\n", p, f, s}')
projects=$(grep -cE '^\s*(Passed|Failed)!\s+-\s+Failed:' "$log" || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or a test host failed before reporting results
fi
if [ "$projects" -eq 0 ]; then
  failed=$(( failed > 0 ? failed : 1 ))
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
