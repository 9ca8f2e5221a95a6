#!/usr/bin/env bash
# serving.sh: single-record CSV requests to one XGBoost model through InvokeEndpoint (AWS SDK ->
# local cloud -> endpoint instance), posted straight to the instance's /invocations, and to the
# handler in-process, at a fixed concurrency; medians over rounds of throughput, p50 and p99.
# Each mode is first warmed up (at least 60 s, then until its throughput stops rising): the JIT needs minutes on 2 cores.
# Targets: the endpoint adds under 1 ms at p50; at least 1,000 requests/s through InvokeEndpoint.
# Usage: bench/serving.sh [CONCURRENCY (4)] [SECONDS per mode and round (5)] [ROUNDS (3)]
set -euo pipefail
exec "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/with-local-cloud.sh" dev.stratus.tests.bench.ServingBench \
  "${1:-4}" "${2:-5}" "${3:-3}"
