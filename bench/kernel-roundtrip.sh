#!/usr/bin/env bash
# kernel-roundtrip.sh: how fast a kernel answers, measured through the real
# Jupyter client (jupyter_client's KernelManager + BlockingKernelClient, via
# tests/src/test/resources/jupyter/kernel_session.py), not through the kernel's
# own code paths.
#
# Measures, for N kernel starts (a fresh client process and kernel each):
#   - startup:               start_kernel() -> kernel answers kernel_info
#   - start -> first result: start_kernel() -> first `1 + 1` reply and output in
#   - per-cell round trip:   execute_request sent -> execute_reply and idle
#                            received (all output collected), for a trivial cell
#                            (`1 + 1`) and a trivial magic (`%env HOME`), 20 of
#                            each per start after 3 warm-up cells each
# and prints median, p90 and min per metric.
#
# Needs an installed kernelspec and Debian's Jupyter (/usr/bin/python3 with
# jupyter_client). For the stratus kernel, e.g. from the repo root:
#   ./stratus kernel install --prefix /tmp/stratus-bench
#   bench/kernel-roundtrip.sh --jupyter-path /tmp/stratus-bench/share/jupyter
# To compare with another kernelspec (e.g. stock IJava, if installed):
#   bench/kernel-roundtrip.sh --kernel java --jupyter-path DIR
# Stock IJava 1.3 cannot be had here (not on Maven Central); what sets its round
# trip apart is jupyter-jvm-basekernel's shell loop, which IJava runs as it is: it
# polls, then sleeps 50 ms after every pass, so a cell sent right after the last
# one's reply waits most of 50 ms. --against-basekernel-loops measures, in turns
# with the kernel, the same kernelspec with those loops kept
# (-Dstratus.kernel.basekernelLoops=true) and prints the ratio of the medians.
#
# Options: --kernel NAME (default stratus), --jupyter-path DIR (default: the
# JUPYTER_PATH in the environment / Jupyter's usual places), --starts N
# (default 3), --cells N (20), --warmup N (3), --cell CODE, --magic CODE,
# --idle SECONDS (10: the kernel process's CPU while left alone, after 5 s),
# --json FILE (raw results), --against-basekernel-loops. Kernel output goes to
# ${TMPDIR:-/tmp}/kernel-roundtrip-NAME-I.log.
set -euo pipefail

HERE=$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")
# Debian's interpreter by full path: the python3 first on PATH may lack jupyter_client.
exec /usr/bin/python3 "$HERE/kernel_roundtrip.py" "$@"
