#!/usr/bin/env bash
# xgboost-training.sh: a local XGBoost training job (SageMaker's image URI, through ./stratus
# local start and the AWS CLI) against XGBoost4J called directly on the same data, side by side.
# Target: job time (CreateTrainingJob -> Completed) at most raw time + 1.5 s.
# Usage: bench/xgboost-training.sh [ROWS (100000)] [COLUMNS (20)] [ROUNDS (100)] [RUNS (3)]
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
rows=${1:-100000} columns=${2:-20} rounds=${3:-100} runs=${4:-3}
work=$(mktemp -d) home=$(mktemp -d)
trap './stratus local stop --home "$home" >/dev/null; rm -rf "$work" "$home"' EXIT

/usr/bin/python3 - "$work/train.csv" "$rows" "$columns" <<'PY'
import random, sys
path, rows, columns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(1)
with open(path, "w") as out:
    for _ in range(rows):
        x = [random.random() for _ in range(columns)]
        y = sum((i % 5 - 2) * v for i, v in enumerate(x)) + random.gauss(0, 0.1)
        out.write(",".join(["%.5f" % y] + ["%.5f" % v for v in x]) + "\n")
PY

# One reactor run, so the class path names the sibling modules' builds rather than installed jars.
mvn -B -q -DskipTests package dependency:build-classpath -pl algorithms -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./stratus local start --home "$home" --port "$port" >/dev/null
eval "$(./stratus local env --home "$home")"
aws() { AWS_CONFIG_FILE=/dev/null /usr/bin/aws --endpoint-url "$AWS_ENDPOINT_URL" --output json "$@"; }
aws s3 mb s3://bench >/dev/null
aws s3 cp "$work/train.csv" s3://bench/train/train.csv >/dev/null

raw=() job=()
for run in $(seq 1 "$runs"); do
  raw+=("$(OMP_WAIT_POLICY=passive java -cp "algorithms/target/test-classes:algorithms/target/classes:$(cat algorithms/target/bench-classpath.txt)" \
    dev.stratus.algorithms.bench.RawXGBoostBench "$work/train.csv" "$rounds" | sed -n 's/raw_seconds=//p')")
  cat >"$work/job.json" <<JSON
{"TrainingJobName": "bench-$run", "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
 "AlgorithmSpecification": {"TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1", "TrainingInputMode": "File"},
 "HyperParameters": {"objective": "reg:squarederror", "num_round": "$rounds", "max_depth": "6", "eta": "0.3"},
 "InputDataConfig": [{"ChannelName": "train", "ContentType": "text/csv",
   "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://bench/train/"}}}],
 "OutputDataConfig": {"S3OutputPath": "s3://bench/output"},
 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
 "StoppingCondition": {"MaxRuntimeInSeconds": 900}}
JSON
  aws sagemaker create-training-job --cli-input-json "file://$work/job.json" >/dev/null
  # The server's status page, not the CLI: each CLI call is a Python start-up on the cores the job trains on.
  until curl -sf "$AWS_ENDPOINT_URL/_stratus/status" | grep -q '"trainingJobs":{"InProgress":0'; do
    sleep 0.2
  done
  # The server's own timestamps: the CLI's start-up time would blur a client-side stopwatch.
  job+=("$(aws sagemaker describe-training-job --training-job-name "bench-$run" | /usr/bin/python3 -c '
import json, sys
from datetime import datetime
job = json.load(sys.stdin)
assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
seconds = lambda t: datetime.fromisoformat(t).timestamp()
print("%.3f" % (seconds(job["TrainingEndTime"]) - seconds(job["CreationTime"])))')")
done
# Where the last job spent its time, phase by phase.
aws sagemaker describe-training-job --training-job-name "bench-$runs" | /usr/bin/python3 -c '
import json, sys
from datetime import datetime
for t in json.load(sys.stdin)["SecondaryStatusTransitions"]:
    if "EndTime" in t:
        seconds = datetime.fromisoformat(t["EndTime"]).timestamp() - datetime.fromisoformat(t["StartTime"]).timestamp()
        print("  %-12s %.2f s" % (t["Status"], seconds))'
/usr/bin/python3 - "${raw[*]}" "${job[*]}" "$rows" "$columns" "$rounds" <<'PY'
import statistics, sys
raw = [float(v) for v in sys.argv[1].split()]
job = [float(v) for v in sys.argv[2].split()]
print(f"XGBoost, {sys.argv[3]} rows x {sys.argv[4]} columns, {sys.argv[5]} rounds, {len(raw)} runs (medians):")
print(f"  XGBoost4J directly: {statistics.median(raw):.2f} s")
print(f"  local training job: {statistics.median(job):.2f} s (CreationTime -> TrainingEndTime, as the server recorded them)")
print(f"  job - raw: {statistics.median(job) - statistics.median(raw):.2f} s (target <= 1.5 s)")
PY
