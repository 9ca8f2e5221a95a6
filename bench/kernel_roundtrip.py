#!/usr/bin/python3
"""Kernel round-trip benchmark through the real Jupyter client; see kernel-roundtrip.sh.

Each kernel start is one run of tests/src/test/resources/jupyter/kernel_session.py
(a fresh Python client process and a fresh kernel), with the steps
    1 cell  `1 + 1`                -> start-to-first-result
    W cells `1 + 1`  (warm-up, not counted), N cells `1 + 1`   -> trivial cell
    W cells magic    (warm-up, not counted), N cells magic     -> trivial magic
    nothing for 5 + S seconds                                   -> idle CPU
Times, all taken in the client:
    startup        start_kernel() -> kernel answered kernel_info (shell and iopub)
    first result   start_kernel() -> first `1 + 1` execute_reply and idle received
    cell / magic   execute_request sent -> execute_reply and idle received (every
                   output collected); "reply only" stops at the execute_reply.
The idle CPU is the kernel process's CPU time over the last S of those seconds (from
/proc; the first 5 let the JIT finish), in percent of one core: what a notebook left
open costs.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

IDLE_SETTLE_SECONDS = 5.0
HERE = os.path.dirname(os.path.abspath(__file__))
SESSION = os.path.join(HERE, "..", "tests", "src", "test", "resources", "jupyter", "kernel_session.py")


def p90(values):
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def one_start(args, index):
    steps = [{"op": "execute", "code": args.cell}]
    # "bench" labels each step (kernel_session.py ignores keys it does not know).
    for label, code in (("cell", args.cell), ("magic", args.magic)):
        steps += [{"op": "execute", "code": code, "bench": "warmup"} for _ in range(args.warmup)]
        steps += [{"op": "execute", "code": code, "bench": label} for _ in range(args.cells)]
    if args.idle > 0:
        steps.append({"op": "idle", "seconds": args.idle, "settle": IDLE_SETTLE_SECONDS, "bench": "idle"})
    env = dict(os.environ)
    if args.jupyter_path:
        env["JUPYTER_PATH"] = args.jupyter_path
    # Only Debian's Python has jupyter_client; keep another interpreter's paths out.
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(steps, f)
        steps_file = f.name
    log = os.path.join(tempfile.gettempdir(), "kernel-roundtrip-%s-%d.log" % (args.kernel, index))
    try:
        proc = subprocess.run(
            ["/usr/bin/python3", SESSION, "--kernel", args.kernel, "--kernel-log", log, steps_file],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=args.startup_timeout + 60 * len(steps) + IDLE_SETTLE_SECONDS + args.idle + 60)
    finally:
        os.unlink(steps_file)
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        sys.exit("kernel_session.py gave no JSON (exit %d):\n%s" % (proc.returncode, proc.stderr[-3000:]))
    if doc.get("error"):
        sys.exit("kernel start %d failed: %s\n%s" % (index + 1, doc["error"], doc.get("kernel_log_tail") or ""))
    # The steps carry their label through: results are in step order.
    for step, result in zip(steps, doc["results"]):
        result["bench"] = step.get("bench", "first")
    return doc


def main(argv):
    parser = argparse.ArgumentParser(description="Time a kernel through the real Jupyter client.")
    parser.add_argument("--kernel", default="stratus", help="kernelspec name (default stratus)")
    parser.add_argument("--jupyter-path", help="JUPYTER_PATH where that kernelspec is (default: as set)")
    parser.add_argument("--starts", type=int, default=3, help="kernel starts (default 3)")
    parser.add_argument("--cells", type=int, default=20, help="measured cells of each kind per start (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up cells of each kind per start (default 3)")
    parser.add_argument("--cell", default="1 + 1", help="the trivial cell (default '1 + 1')")
    parser.add_argument("--magic", default="%env HOME", help="the trivial magic (default '%%env HOME')")
    parser.add_argument("--idle", type=float, default=10.0,
                        help="seconds left idle after the cells, for the idle CPU (default 10; 0: skip)")
    parser.add_argument("--startup-timeout", type=float, default=120.0)
    parser.add_argument("--json", help="also write every raw result document to this file")
    args = parser.parse_args(argv)

    docs = []
    for i in range(args.starts):
        print("kernel start %d/%d ..." % (i + 1, args.starts), file=sys.stderr, flush=True)
        docs.append(one_start(args, i))

    rows = [("startup (kernel_info answered)", [d["startup_ms"] for d in docs], 0)]
    firsts = [d["results"][0] for d in docs]
    rows.append(("start -> first `%s` result" % args.cell,
                 [r.get("since_kernel_start_ms") for r in firsts if r.get("since_kernel_start_ms") is not None],
                 sum(1 for r in firsts if r.get("status") != "ok")))
    for label, code in (("cell", args.cell), ("magic", args.magic)):
        measured = [r for d in docs for r in d["results"] if r["bench"] == label]
        failed = sum(1 for r in measured if r.get("status") != "ok")
        rows.append(("%s `%s` round trip" % (label, code),
                     [r["roundtrip_ms"] for r in measured if r.get("roundtrip_ms") is not None], failed))
        rows.append(("%s `%s` reply only" % (label, code),
                     [r["elapsed_ms"] for r in measured if r.get("elapsed_ms") is not None], failed))

    idle = [r for d in docs for r in d["results"] if r["bench"] == "idle"]
    if idle:
        rows.append(("idle CPU, %% of a core (%.0f s)" % args.idle,
                     [r["cpu_percent"] for r in idle if r.get("cpu_percent") is not None],
                     sum(1 for r in idle if r.get("status") != "ok")))

    print("kernel: %s   starts: %d   cells per kind per start: %d (after %d warm-up)"
          % (args.kernel, args.starts, args.cells, args.warmup))
    print("%-42s %5s %10s %10s %10s %7s" % ("metric (ms)", "n", "median", "p90", "min", "failed"))
    for name, values, failed in rows:
        if values:
            print("%-42s %5d %10.1f %10.1f %10.1f %7d"
                  % (name, len(values), statistics.median(values), p90(values), min(values), failed))
        else:
            print("%-42s %5d %10s %10s %10s %7d" % (name, 0, "-", "-", "-", failed))
    if any(failed for _, _, failed in rows):
        # Still timed (an error reply is a round trip too), but say so: the magic may be
        # unknown to the kernel under test.
        bad = next(r for d in docs for r in d["results"] if r.get("status") != "ok")
        print("note: some cells did not end 'ok', e.g. %s: %s" % (
            bad.get("status"), bad.get("harness_error") or [o.get("evalue") for o in bad.get("outputs", [])]))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(docs, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
