#!/usr/bin/env bash
# batch-transform.sh: a batch transform job of a ROWS x 20 CSV with an XGBoost model (SageMaker's image URI, one
# instance, MultiRecord, 6 MB requests) through ./stratus local start and the AWS SDK, against the same model's
# handler predicting the same rows in-process on every core; medians over runs, with the machine's load.
# Target: the transform job (CreateTransformJob -> TransformEndTime) at least 50% of in-process rows/s.
# Usage: bench/batch-transform.sh [ROWS (1000000)] [RUNS (3)]
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
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) on $(nproc) cores"
OMP_WAIT_POLICY=passive java -cp "tests/target/test-classes:$(cat tests/target/bench-classpath.txt)" \
  dev.stratus.tests.bench.BatchTransformBench "${1:-1000000}" "${2:-3}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
