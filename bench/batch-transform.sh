#!/usr/bin/env bash
# batch-transform.sh: a batch transform job of a ROWS x 20 CSV with an XGBoost model (SageMaker's image URI, one
# instance, MultiRecord, 6 MB requests) through ./stratus local start and the AWS SDK, against the same model's
# handler predicting the same rows in-process on every core; medians over runs, with the machine's load.
# Target: the transform job (CreateTransformJob -> TransformEndTime) at least 50% of in-process rows/s.
# Usage: bench/batch-transform.sh [ROWS (1000000)] [RUNS (3)]
set -euo pipefail
exec "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/with-local-cloud.sh" dev.stratus.tests.bench.BatchTransformBench \
  "${1:-1000000}" "${2:-3}"
