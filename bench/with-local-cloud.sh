#!/usr/bin/env bash
# with-local-cloud.sh: runs a benchmark of tests/ (a class in dev.stratus.tests.bench) against a local cloud of its
# own (./stratus local start on a free port, a temporary home, stopped and removed at the end), with the settings of
# ./stratus local env in its environment, and prints the machine's load before and after.
# Usage: bench/with-local-cloud.sh CLASS [ARGS...]
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
main=$1
shift
home=$(mktemp -d)
trap './stratus local stop --home "$home" >/dev/null; rm -rf "$home"' EXIT

# One reactor run, so the class path names the modules' target/classes rather than installed jars.
mvn -B -q -DskipTests test-compile dependency:build-classpath -pl tests -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./stratus local start --home "$home" --port "$port" >/dev/null
eval "$(./stratus local env --home "$home")"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) on $(nproc) cores"
OMP_WAIT_POLICY=passive java -cp "tests/target/test-classes:$(cat tests/target/bench-classpath.txt)" "$main" "$@"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
