#!/usr/bin/env bash
# Starts the Pod Orchestrator locally with --target all (all three services in one process, embedded
# building blocks). Without POSTGRES_HOST it starts a private PostgreSQL in .local/postgres (git-ignored).
# Without a cluster (neither KUBECONFIG nor an in-cluster service account) it starts the sandbox
# (tests/Flame.Sandbox: Kubernetes API, Keycloak and Hub simulators) and points the PO at it.
# PO_SKIP_BUILD=1 runs the existing Release build (tests use it). Extra arguments go to the host,
# e.g. ./run.sh --target api
# ./run.sh --dapr-sim runs the Dapr mode as three processes instead: api, lifecycle and logging (--target each), each
# with its simulated Dapr sidecar (tests/Flame.DaprSim, one process for the three sidecars, loading components/),
# against the same PostgreSQL and sandbox. It prints the same PO_URL=/PO_TOKEN=/... lines.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
. scripts/postgres.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

pgdir="$root/.local/postgres"
started_pg=""
host_pid=""
host_pids=""
sim_pid=""
sandbox_pid=""
dapr_sim=""
if [ "${1:-}" = "--dapr-sim" ]; then
  dapr_sim=1
  shift
fi
# SIGTERM, then SIGKILL if the process is still there after 15 s, so nothing outlives run.sh.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  [ -n "$host_pid" ] && stop_pid "$host_pid"
  for pid in $host_pids; do stop_pid "$pid"; done
  [ -n "$sim_pid" ] && stop_pid "$sim_pid"
  [ -n "$sandbox_pid" ] && stop_pid "$sandbox_pid"
  [ -n "$started_pg" ] && pg_stop "$pgdir"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

use_sandbox=""
if [ -z "${KUBECONFIG:-}" ] && [ ! -f /var/run/secrets/kubernetes.io/serviceaccount/token ]; then
  use_sandbox=1
fi

if [ "${PO_SKIP_BUILD:-}" != "1" ]; then
  echo "run.sh: building..." >&2
  dotnet build -c Release -v quiet -nologo services/Flame.Po.Host/Flame.Po.Host.csproj >/dev/null
  if [ -n "$use_sandbox" ]; then
    dotnet build -c Release -v quiet -nologo tests/Flame.Sandbox/Flame.Sandbox.csproj >/dev/null
  fi
  if [ -n "$dapr_sim" ]; then
    dotnet build -c Release -v quiet -nologo tests/Flame.DaprSim/Flame.DaprSim.csproj >/dev/null
  fi
fi

announced=""
port=${PO_PORT:-8000}
export PO_PORT=$port
po_url="http://127.0.0.1:$port"

if [ -n "$use_sandbox" ]; then
  sandbox_dir=${SANDBOX_WORK_DIR:-$root/.local/sandbox}
  mkdir -p "$sandbox_dir"
  chmod 700 "$sandbox_dir"  # the kubeconfig and the printed credentials are in here
  sandbox_out="$sandbox_dir/sandbox.out"
  : > "$sandbox_out"
  # The simulated analyses stream their log lines to the PO, as they would through their nginx.
  SANDBOX_WORK_DIR=$sandbox_dir SANDBOX_STREAM_LOGS_URL="$po_url/po/stream_logs" \
    dotnet tests/Flame.Sandbox/bin/Release/net10.0/Flame.Sandbox.dll > "$sandbox_out" &
  sandbox_pid=$!
  for _ in $(seq 1 120); do
    grep -q '^SANDBOX_READY=1$' "$sandbox_out" && break
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then
      echo "run.sh: the sandbox exited before it was ready" >&2
      exit 1
    fi
    sleep 0.5
  done
  sandbox() { sed -n "s/^$1=//p" "$sandbox_out" | head -n 1; }
  [ -n "$(sandbox PO_TOKEN)" ] || { echo "run.sh: the sandbox did not start within 60 s" >&2; exit 1; }
  export KUBECONFIG="$(sandbox KUBECONFIG)" PO_NAMESPACE="$(sandbox NAMESPACE)" ANALYSIS_ACCESS=proxy
  export KEYCLOAK_URL="$(sandbox KEYCLOAK_BASE_URL)" KEYCLOAK_REALM="$(sandbox KEYCLOAK_REALM)"
  export RESULT_CLIENT_ID="$(sandbox KEYCLOAK_CLIENT_ID)" RESULT_CLIENT_SECRET="$(sandbox KEYCLOAK_CLIENT_SECRET)"
  export HUB_URL_CORE="$(sandbox HUB_URL)" HUB_URL_AUTH="$(sandbox HUB_AUTH_URL)"
  export HUB_CLIENT_ID="$(sandbox HUB_CLIENT_ID)" HUB_CLIENT_SECRET="$(sandbox HUB_CLIENT_SECRET)"
  echo "run.sh: sandbox on $(sandbox KUBERNETES_HTTP_URL) (namespace $PO_NAMESPACE, files in $sandbox_dir)" >&2
fi

host_dll=services/Flame.Po.Host/bin/Release/net10.0/Flame.Po.Host.dll
if [ -n "$dapr_sim" ]; then
  # The sidecars: components/ as they are, but the status-loop cron at STATUS_LOOP_INTERVAL (default 10 s).
  sim_dir="${SANDBOX_WORK_DIR:-$root/.local}/dapr-sim"
  rm -rf "$sim_dir"
  mkdir -p "$sim_dir/components"
  chmod 700 "$sim_dir"
  cp components/*.yaml "$sim_dir/components/"
  sed -i "s/@every [0-9.]*m\?s/@every ${STATUS_LOOP_INTERVAL:-10}s/" "$sim_dir/components/status-loop.yaml"
  export APP_API_TOKEN="app-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  export DAPR_API_TOKEN="dapr-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  lifecycle_port=${LIFECYCLE_PORT:-8001}
  logging_port=${LOGGING_PORT:-8002}
  dotnet tests/Flame.DaprSim/bin/Release/net10.0/Flame.DaprSim.dll --resources "$sim_dir/components" \
    --app "id=api,app-port=$port,http-port=0,grpc-port=0,config=components/config-api.yaml" \
    --app "id=lifecycle,app-port=$lifecycle_port,http-port=0,grpc-port=0,config=components/config.yaml" \
    --app "id=logging,app-port=$logging_port,http-port=0,grpc-port=0,config=components/config.yaml" \
    > "$sim_dir/sim.out" 2> "$sim_dir/sim.err" &
  sim_pid=$!
  for _ in $(seq 1 120); do
    grep -q '^DAPR_SIM ready' "$sim_dir/sim.out" && break
    kill -0 "$sim_pid" 2>/dev/null || { echo "run.sh: the Dapr simulator exited: $(tail -n 5 "$sim_dir/sim.err")" >&2; exit 1; }
    sleep 0.5
  done
  grep -q '^DAPR_SIM ready' "$sim_dir/sim.out" || { echo "run.sh: the Dapr simulator did not start within 60 s" >&2; exit 1; }
  sidecar_port() { sed -n "s/^DAPR_SIM app=$1 replica=0 http=\([0-9]*\) grpc=\([0-9]*\)$/\\$2/p" "$sim_dir/sim.out" | head -n 1; }
  start_app() {
    local app=$1 app_port=$2 listen=$3
    PO_BUILDING_BLOCKS=dapr DAPR_HTTP_PORT=$(sidecar_port "$app" 1) DAPR_GRPC_PORT=$(sidecar_port "$app" 2) APP_ID=$app \
      dotnet "$host_dll" --target "$app" --urls "http://$listen:$app_port" &
    host_pids="$host_pids $!"
    echo "run.sh: $app on $listen:$app_port, its sidecar on HTTP $(sidecar_port "$app" 1) / gRPC $(sidecar_port "$app" 2)" >&2
  }
  start_app lifecycle "$lifecycle_port" 127.0.0.1
  start_app logging "$logging_port" 127.0.0.1
  start_app api "$port" 0.0.0.0
  host_pid=${host_pids##* }
  host_pids=${host_pids% *}
else
  [ $# -eq 0 ] && set -- --target all
  dotnet "$host_dll" "$@" &
  host_pid=$!
fi

# HTTP status of a GET, 000 when nothing answers.
status_of() { curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true; }

for _ in $(seq 1 240); do
  if [ -n "$use_sandbox" ]; then
    # Readiness (database, status loop): only then can the printed curl succeed. /po/readyz where the host has it.
    ready=$(status_of "$po_url/po/readyz")
    [ "$ready" = "404" ] && ready=$(status_of "$po_url/readyz")
    if [ "$ready" = "200" ]; then
      echo "PO_URL=$po_url"
      echo "PO_TOKEN=$(sandbox PO_TOKEN)"
      echo "KUBECONFIG=$KUBECONFIG"
      echo "KEYCLOAK_URL=$(sandbox KEYCLOAK_URL)"
      echo "HUB_URL=$(sandbox HUB_URL)"
      analysis_id=$(cat /proc/sys/kernel/random/uuid)
      cat <<CURL
# The Hub, like the real one, reports only analyses it knows: register the analysis in the simulated Hub first
# (its _sim route stands in for the Hub creating it), or nothing of the analysis reaches the Hub.
curl -sS -X POST "\$HUB_URL/_sim/analyses" -H 'Content-Type: application/json' -d '{"analysis_id":"$analysis_id"}'
# Then start it as a simulated analysis (image sim/<scenario>[:key-value_...], e.g. sim/stuck, sim/fails:runtime-10s):
curl -sS -X POST "\$PO_URL/po/" -H "Authorization: Bearer \$PO_TOKEN" -H 'Content-Type: application/json' -d '{"analysis_id":"$analysis_id","project_id":"$(cat /proc/sys/kernel/random/uuid)","registry_url":"harbor.sandbox.local","image_url":"harbor.sandbox.local/sim/ok:runtime-30s","registry_user":"robot\$demo","registry_password":"demo","kong_token":"none_needed"}'
CURL
      echo "run.sh: press Ctrl-C to stop (PO and sandbox)" >&2
      announced=1
      break
    fi
  elif curl -fsS "$po_url/po/healthz" >/dev/null 2>&1; then
    echo "PO_URL=$po_url"
    echo "run.sh: liveness  $po_url/po/healthz" >&2
    echo "run.sh: readiness $po_url/readyz" >&2
    echo "run.sh: press Ctrl-C to stop" >&2
    announced=1
    break
  fi
  if ! kill -0 "$host_pid" 2>/dev/null; then
    wait "$host_pid" && code=0 || code=$?
    host_pid=""
    exit "$code"
  fi
  sleep 0.5
done
[ -n "$announced" ] || echo "run.sh: the PO is not ready after 120 s; see its log above (still waiting)" >&2
wait "$host_pid"
