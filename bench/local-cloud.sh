#!/usr/bin/env bash
# local-cloud.sh: the local cloud's benchmarks, each printing its figures.
#   job-overhead [N]  CreateTrainingJob -> Completed of a no-op program minus its run time, median of N (10)
#   s3 [MB]           SDK transfer manager vs 'aws s3 cp' through the local endpoint, up and down (1024 MB)
# Usage: bench/local-cloud.sh job-overhead|s3 [ARG]   (builds local-cloud's test classes first)
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
case ${1:-} in
  job-overhead) main=dev.stratus.cloud.bench.JobOverheadBench ;;
  s3) main=dev.stratus.cloud.bench.S3ThroughputBench ;;
  *) echo "usage: bench/local-cloud.sh job-overhead [JOBS] | s3 [MEGABYTES]" >&2; exit 2 ;;
esac
shift
mvn -B -q -DskipTests test-compile -pl local-cloud -am
mvn -B -q dependency:build-classpath -pl local-cloud -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp="local-cloud/target/test-classes:local-cloud/target/classes:$(cat local-cloud/target/bench-classpath.txt)"
exec java -cp "$cp" "$main" "$@"
