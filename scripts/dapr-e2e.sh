#!/usr/bin/env bash
# End-to-end run in Dapr mode, for machines where the Dapr CLI is installed and initialised (`dapr init`:
# daprd, placement, scheduler and a Redis on localhost:6379). Not part of CI: no daprd can be installed here.
#   1. a throw-away PostgreSQL (scripts/postgres.sh) and the sandbox (Kubernetes API, Keycloak, Hub);
#   2. `dapr run -f .` (dapr.yaml): api, lifecycle and logging, each with its sidecar;
#   3. the HTTP checks the integration tests make on the host: health, readiness with the sidecar, the
#      app-side Dapr routes through the sidecar (subscriptions loaded), auth, create → status → stop →
#      delete of a simulated analysis through the api → lifecycle invocation.
# Prints "N passed, M failed" and exits non-zero when a check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v dapr >/dev/null 2>&1; then
  echo "dapr not installed: install the Dapr CLI and run 'dapr init' (https://docs.dapr.io/getting-started/), then run $0 again" >&2
  exit 127
fi
for tool in curl jq dotnet; do
  command -v "$tool" >/dev/null 2>&1 || { echo "dapr-e2e: $tool is required" >&2; exit 127; }
done

. scripts/postgres.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$root/.local/dapr-e2e"
mkdir -p "$work"
chmod 700 "$work"
sandbox_pid=""
dapr_pid=""
cleanup() {
  if [ -n "$dapr_pid" ]; then
    dapr stop -f . >/dev/null 2>&1 || true
    kill "$dapr_pid" 2>/dev/null || true
    wait "$dapr_pid" 2>/dev/null || true
  fi
  [ -n "$sandbox_pid" ] && { kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; }
  pg_stop "$work/postgres" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "dapr-e2e: building" >&2
dotnet build -c Release -v quiet -nologo services/Flame.Po.Host/Flame.Po.Host.csproj >/dev/null
dotnet build -c Release -v quiet -nologo tests/Flame.Sandbox/Flame.Sandbox.csproj >/dev/null

ensure_postgres_installed
pg_port=$(free_port 55600)
pg_password="e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pg_start "$work/postgres" "$pg_port" "$pg_password"
export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=$pg_port POSTGRES_USER=postgres POSTGRES_PASSWORD=$pg_password POSTGRES_DB=postgres
# The state store component reads its connection string from daprd's environment (components/secretstore.yaml).
export FLAME_PO_SECRET_STATE_CONNECTION_STRING="host=127.0.0.1 port=$pg_port user=postgres password=$pg_password database=postgres"

SANDBOX_WORK_DIR="$work/sandbox" SANDBOX_STREAM_LOGS_URL="http://127.0.0.1:8000/po/stream_logs" \
  dotnet tests/Flame.Sandbox/bin/Release/net10.0/Flame.Sandbox.dll > "$work/sandbox.out" &
sandbox_pid=$!
for _ in $(seq 1 120); do grep -q '^SANDBOX_READY=1$' "$work/sandbox.out" && break; sleep 0.5; done
sandbox() { sed -n "s/^$1=//p" "$work/sandbox.out" | head -n 1; }
[ -n "$(sandbox PO_TOKEN)" ] || { echo "dapr-e2e: the sandbox did not start" >&2; exit 1; }
export KUBECONFIG="$(sandbox KUBECONFIG)" PO_NAMESPACE="$(sandbox NAMESPACE)" ANALYSIS_ACCESS=proxy
export KEYCLOAK_URL="$(sandbox KEYCLOAK_BASE_URL)" KEYCLOAK_REALM="$(sandbox KEYCLOAK_REALM)"
export RESULT_CLIENT_ID="$(sandbox KEYCLOAK_CLIENT_ID)" RESULT_CLIENT_SECRET="$(sandbox KEYCLOAK_CLIENT_SECRET)"
token="$(sandbox PO_TOKEN)"
# Both directions of the sidecar API are token-protected, as on Kubernetes.
export DAPR_API_TOKEN="e2e-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export APP_API_TOKEN="e2e-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

dapr run -f . > "$work/dapr.out" 2>&1 &
dapr_pid=$!

passed=0
failed=0
check() {
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
wait_ready() {
  for _ in $(seq 1 180); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0
    sleep 1
  done
  return 1
}
json() { curl -sS "$@"; }

check "api ready (database + dapr_sidecar)" wait_ready 8000
check "lifecycle ready (database + status_loop ticked by the cron binding)" wait_ready 8001
check "logging ready" wait_ready 8002
check "liveness contract" test "$(json http://127.0.0.1:8000/po/healthz)" = '{"status":"ok"}'
check "readiness reports the sidecar" test "$(json http://127.0.0.1:8001/readyz | jq -r .checks.dapr_sidecar.status)" = ok
check "lifecycle sidecar loaded the state store, pubsub and cron binding" test "$(json -H "dapr-api-token: $DAPR_API_TOKEN" http://127.0.0.1:3501/v1.0/metadata \
  | jq -r '[.components[].name] | sort | join(",")')" = "po-secrets,pubsub,status-loop,statestore"
check "the app refuses the sidecar routes without APP_API_TOKEN" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8001/status-loop)" = 401
check "no token is 401" test "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8000/po/status)" = 401

id=$(cat /proc/sys/kernel/random/uuid)
project=$(cat /proc/sys/kernel/random/uuid)
body=$(jq -nc --arg id "$id" --arg p "$project" '{analysis_id:$id,project_id:$p,registry_url:"harbor.sandbox.local",image_url:"harbor.sandbox.local/sim/ok:runtime-20s",registry_user:"robot$e2e",registry_password:"e2e",kong_token:"none_needed"}')
auth=(-H "Authorization: Bearer $token")
check "create through api → lifecycle" test "$(json -X POST http://127.0.0.1:8000/po/ "${auth[@]}" -H 'Content-Type: application/json' -d "$body" | jq -r --arg id "$id" '.[$id]')" = starting
executing() {
  for _ in $(seq 1 120); do
    case "$(json "${auth[@]}" "http://127.0.0.1:8000/po/status/$id" | jq -r --arg id "$id" '.[$id].status')" in executing|executed) return 0;; esac
    sleep 1
  done
  return 1
}
check "the status loop (cron binding) brings the analysis to executing" executing
check "stop" test "$(json -X PUT "${auth[@]}" "http://127.0.0.1:8000/po/stop/$id" | jq -r --arg id "$id" '.[$id]')" != null
check "delete" test "$(json -X DELETE "${auth[@]}" "http://127.0.0.1:8000/po/delete/$id" | jq -c --arg id "$id" '.[$id]')" = null
forgotten() {
  for _ in $(seq 1 60); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "http://127.0.0.1:8000/po/status/$id")" = 404 ] && return 0
    sleep 1
  done
  return 1
}
check "a deleted analysis is forgotten (404)" forgotten

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || { echo "dapr-e2e: logs in $work/dapr.out and services/Flame.Po.Host/.dapr/logs/" >&2; exit 1; }
