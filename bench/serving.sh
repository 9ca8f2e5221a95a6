#!/usr/bin/env bash
# serving.sh: single-record CSV requests to one XGBoost model through InvokeEndpoint (AWS SDK ->
# local cloud -> endpoint instance), posted straight to the instance's /invocations, and to the
# handler in-process, at a fixed concurrency; medians over rounds of throughput, p50 and p99.
# Targets: the endpoint adds under 1 ms at p50; at least 1,000 requests/s through InvokeEndpoint.
# Usage: bench/serving.sh [CONCURRENCY (4)] [SECONDS per mode and round (5)] [ROUNDS (3)]
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
home=$(mktemp -d)
trap './stratus local stop --home "$home" >/dev/null; rm -rf "$home"' EXIT

# One reactor run, so the class path names the modules' target/classes rather than installed jars.
mvn -B -q -DskipTests test-compile dependency:build-classpath -pl tests -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./stratus local start --home "$home" --port "$port" >/dev/null
eval "$(./stratus local env --home "$home")"
OMP_WAIT_POLICY=passive java -cp "tests/target/test-classes:$(cat tests/target/bench-classpath.txt)" \
  dev.stratus.tests.bench.ServingBench "${1:-4}" "${2:-5}" "${3:-3}"
