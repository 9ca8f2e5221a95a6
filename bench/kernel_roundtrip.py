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

--against-basekernel-loops measures, in turns with the kernel, the same kernelspec started
with -Dstratus.kernel.basekernelLoops=true: the kernel with jupyter-jvm-basekernel's own
shell loops, which poll and then sleep 50 ms after every pass, as stock IJava 1.3 runs them.
It prints both and the ratio of their medians.
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


def basekernel_loops_spec(kernel, root):
    """Writes, under root, the kernelspec `kernel` started with basekernel's loops kept; returns its name."""
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(kernel)
    name = kernel + "-basekernel-loops"
    os.makedirs(os.path.join(root, "kernels", name))
    with open(os.path.join(root, "kernels", name, "kernel.json"), "w", encoding="utf-8") as f:
        json.dump({"argv": spec.argv[:1] + ["-Dstratus.kernel.basekernelLoops=true"] + spec.argv[1:],
                   "display_name": spec.display_name + " with basekernel's loops", "language": spec.language,
                   "interrupt_mode": spec.interrupt_mode, "env": spec.env}, f, indent=1)
    return name


def one_start(args, kernel, index):
    steps = [{"op": "execute", "code": args.cell}]
    # "bench" labels each step (kernel_session.py ignores keys it does not know).
    for label, code in (("cell", args.cell), ("magic", args.magic)):
        steps += [{"op": "execute", "code": code, "bench": "warmup"} for _ in range(args.warmup)]
        steps += [{"op": "execute", "code": code, "bench": label} for _ in range(args.cells)]
    if args.idle > 0:
        steps.append({"op": "idle", "seconds": args.idle, "settle": IDLE_SETTLE_SECONDS, "bench": "idle"})
    env = dict(os.environ)
    # Only Debian's Python has jupyter_client; keep another interpreter's paths out.
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONHOME", None)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(steps, f)
        steps_file = f.name
    log = os.path.join(tempfile.gettempdir(), "kernel-roundtrip-%s-%d.log" % (kernel, index))
    try:
        proc = subprocess.run(
            ["/usr/bin/python3", SESSION, "--kernel", kernel, "--kernel-log", log, steps_file],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            timeout=args.startup_timeout + 60 * len(steps) + IDLE_SETTLE_SECONDS + args.idle + 60)
    finally:
        os.unlink(steps_file)
    try:
        doc = json.loads(proc.stdout)
    except ValueError:
        sys.exit("kernel_session.py gave no JSON (exit %d):\n%s" % (proc.returncode, proc.stderr[-3000:]))
    if doc.get("error"):
        sys.exit("kernel %s start %d failed: %s\n%s" % (kernel, index + 1, doc["error"], doc.get("kernel_log_tail") or ""))
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
    parser.add_argument("--against-basekernel-loops", action="store_true",
                        help="also measure, in turns, the kernel with basekernel's own shell loops (as stock IJava)")
    args = parser.parse_args(argv)

    if args.jupyter_path:
        os.environ["JUPYTER_PATH"] = args.jupyter_path
    kernels = [args.kernel]
    with tempfile.TemporaryDirectory(prefix="kernel-roundtrip-") as root:
        if args.against_basekernel_loops:
            kernels.append(basekernel_loops_spec(args.kernel, root))
            os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (root, os.environ.get("JUPYTER_PATH")) if p)
        docs = {kernel: [] for kernel in kernels}
        for i in range(args.starts):
            for kernel in kernels:
                print("kernel %s start %d/%d ..." % (kernel, i + 1, args.starts), file=sys.stderr, flush=True)
                docs[kernel].append(one_start(args, kernel, i))

    tables = [report(args, kernel, docs[kernel]) for kernel in kernels]
    if len(kernels) == 2:
        print("ratio of medians, %s / %s:" % tuple(kernels))
        for (name, values, _), (_, reference, _) in zip(*tables):
            if "round trip" in name and values and reference:
                print("  %-40s %5.2f" % (name, statistics.median(values) / statistics.median(reference)))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(docs if len(kernels) == 2 else docs[args.kernel], f, indent=1)
    return 0


def report(args, kernel, docs):
    """Prints one kernel's table; returns its rows."""
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
          % (kernel, args.starts, args.cells, args.warmup))
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
    return rows


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
