#!/usr/bin/env bash
# Checks that every benchmark scenario rejects bad arguments with the usage line and exit code 2, before it
# starts anything. Builds the benchmarks first (Release) unless PO_SKIP_BUILD=1.
# Usage: tests/Flame.Po.Benchmarks/check-args.sh   → prints "N passed, M failed", exits 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ "${PO_SKIP_BUILD:-}" != 1 ]; then
  dotnet build -c Release tests/Flame.Po.Benchmarks --nologo -v quiet >/dev/null || { echo "build failed"; exit 1; }
fi
dll=tests/Flame.Po.Benchmarks/bin/Release/net10.0/Flame.Po.Benchmarks.dll

passed=0
failed=0
check() {
  local stderr code
  stderr=$(dotnet "$dll" "$@" 2>&1 >/dev/null)
  code=$?
  if [ "$code" -eq 2 ] && [[ "$stderr" == usage:* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: '$*' exited $code with: $stderr"
  fi
}

check
check no-such-scenario
check loop-scale 0
check loop-scale 10,x
check loop-scale --silent-percent 101
check loop-scale --silent loud
check ingest many
check ingest 10 20
check ingest --host-process many
check ingest 10 --host-process --other
check ingest 0
check ingest 999
check ingest 5000 --host-process --host-process
check create 50 --host-process --host-process
check create 0
check create -5
check create 50 60
check create abc
check create --concurrency
check create --concurrency 0
check create --concurrency 2x
check create --concurrency 2 --concurrency 3
check create --requests 10
check create --host-process --host-process
check create --host-process 0
check create --object-seconds 0
check status-read 1.5
check status-read --requests
check status-read --requests 0
check status-read --concurrency -1
check status-read --starts 3
check footprint-floor 0
check footprint-floor --idle-seconds
check footprint-floor 3 --steady-seconds 5
check footprint 100 --starts
check footprint --idle-seconds ten
check footprint --steady-seconds 0
check dapr-sim 0
check dapr-sim --unknown 1
check footprint --concurrency 4
check footprint 10 20

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
