#!/usr/bin/env bash
# batch-transform.sh: a batch transform job of a ROWS x 20 CSV with an XGBoost model (SageMaker's image URI, one
# instance, MultiRecord, 6 MB requests) through ./stratus local start and the AWS SDK, against predicting the same
# rows in-process on every core two ways: XGBoost4J called directly (the CSV file read into a DMatrix and predicted)
# and the model server's own handler; medians over runs, with the machine's load.
# Target: the transform job (CreateTransformJob -> TransformEndTime) at least 50% of XGBoost4J's in-process rows/s.
# Usage: bench/batch-transform.sh [ROWS (1000000)] [RUNS (5)]
set -euo pipefail
exec "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/with-local-cloud.sh" dev.stratus.tests.bench.BatchTransformBench \
  "${1:-1000000}" "${2:-5}"
