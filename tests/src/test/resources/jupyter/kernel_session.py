#!/usr/bin/python3
"""Drive one Jupyter kernel through the real Jupyter client and report as JSON.

Run it with Debian's interpreter, which has jupyter_client (the pyenv python3 on
PATH does not):

    JUPYTER_PATH=/tmp/k/share/jupyter /usr/bin/python3 kernel_session.py \
        --kernel stratus --kernel-log /tmp/kernel.log steps.json      # or "-"/nothing: stdin

steps.json is a JSON list; each step is one of
    {"op": "execute", "code": "1 + 1", "timeout": 60}
    {"op": "execute_interrupt", "code": "...", "after_seconds": 1.5, "timeout": 60}
    {"op": "execute_all", "cells": ["...", "..."], "stop_on_error": true, "timeout": 60}
    {"op": "complete", "code": "Str", "cursor_pos": 3}
    {"op": "inspect", "code": "String", "cursor_pos": 3, "detail_level": 0}
    {"op": "is_complete", "code": "for (;;) {"}
    {"op": "kernel_info"}
    {"op": "history_tail", "n": 10}
    {"op": "restart", "now": false}
    {"op": "idle", "seconds": 10, "settle": 5}   # leave the kernel alone (settle s unmeasured,
                                                 # then seconds s), report its process's CPU time
Every step takes an optional "timeout" in seconds (default 60): the hard limit for
getting its answer.  "execute" also takes "silent", "store_history" and
"stop_on_error" (default false, as nbconvert --allow-errors sends it).

Stdout gets exactly ONE JSON document:
    {"kernel": NAME, "ok": bool, "error": null | "fatal problem",
     "startup_ms": float,            # start_kernel() until kernel_info answered (shell + iopub)
     "kernel_info": {...},           # the kernel_info_reply that proved it ready
     "results": [...],               # one per step, same order, always as many as steps
     "shutdown_ms": float,
     "shutdown": "ShutdownRequest" when the kernel ended on its shutdown_request alone,
                 "SigtermRequest" / "SigkillRequest" when jupyter_client had to signal it,
     "kernel_log_tail": "..." (only when something went wrong)}
An execute result is
    {"op", "status": "ok"|"error"|"aborted"|"timeout"|..., "execution_count",
     "outputs": [nbformat-like outputs, plus {"output_type": "clear_output", "wait"}],
     "reply": execute_reply content,
     "dates": {"status.busy", "execute_input", "execute_reply", "status.idle": the kernel's
               header dates as jupyter_client read them: ISO 8601, or "not a date: <as sent>"},
     "elapsed_ms": request sent -> execute_reply received,
     "roundtrip_ms": request sent -> reply AND the request's idle status received
                     (so every output has been collected),
     "since_kernel_start_ms": start_kernel() (or the latest restart step's
                              restart_kernel()) -> that same moment}
An execute_all result has "cells": an execute result per cell, in the order sent.
complete / inspect / is_complete / kernel_info / history_tail results are the reply content plus
"op" and "elapsed_ms".  An idle result has "seconds", "cpu_seconds" and "cpu_percent"
(of one core; from /proc, so Linux only).  A step that got no answer carries "harness_error" (and
"status": "timeout" or "skipped"); "ok" is false when any step does, or when the
kernel never started.  Exit code: 0 when ok, 1 otherwise, 2 for bad usage.
"""

import argparse
import datetime
import json
import os
import signal
import sys
import time
import traceback

import zmq
from jupyter_client import KernelManager

DEFAULT_TIMEOUT = 60.0
# Between two polls we look whether the kernel process is still alive, so a
# crashed kernel is reported within this time instead of at the step's timeout.
LIVENESS_CHECK_SECONDS = 0.5


class Terminated(BaseException):
    """SIGTERM (e.g. the Java side timed out): unwind so the kernel is shut down."""


class KernelDied(Exception):
    pass


class StepTimeout(Exception):
    pass


def now():
    return time.perf_counter()


def ms(seconds):
    return round(seconds * 1000.0, 3)


def process_cpu_seconds(pid):
    """User + system CPU time of a process so far, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def to_output(msg):
    """An iopub message as an nbformat-like output dict, or None if it is not an output."""
    kind = msg["msg_type"]
    c = msg["content"]
    if kind == "stream":
        return {"output_type": "stream", "name": c.get("name"), "text": c.get("text", "")}
    if kind == "execute_result":
        return {"output_type": "execute_result", "execution_count": c.get("execution_count"),
                "data": c.get("data", {}), "metadata": c.get("metadata", {})}
    if kind in ("display_data", "update_display_data"):
        return {"output_type": kind, "data": c.get("data", {}), "metadata": c.get("metadata", {}),
                "transient": c.get("transient", {})}
    if kind == "error":
        return {"output_type": "error", "ename": c.get("ename"), "evalue": c.get("evalue"),
                "traceback": c.get("traceback", [])}
    if kind == "clear_output":
        # Not an nbformat output, but tests of progress displays want to see it.
        return {"output_type": "clear_output", "wait": c.get("wait", False)}
    return None


def header_date(msg):
    """jupyter_client turns a header's ISO 8601 date into a datetime and leaves anything else a string."""
    date = msg["header"].get("date")
    return date.isoformat() if isinstance(date, datetime.datetime) else "not a date: %s" % (date,)


class Pending:
    """What has arrived so far for one request."""

    def __init__(self, msg_id, sent_at):
        self.msg_id = msg_id
        self.sent_at = sent_at
        self.reply = None
        self.reply_at = None
        self.idle_at = None
        self.iopub_seen = False
        self.outputs = []
        self.dates = {}

    def done(self, need_idle):
        return self.reply is not None and (self.idle_at is not None or not need_idle)


class Session:
    def __init__(self, kernel_name, kernel_log):
        # How long a shutdown_request has before SIGTERM (half of it) and SIGKILL: front ends give 5 s; a busy CI
        # machine may take longer to let a JVM exit, and the tests ask whether the kernel ends by itself, not how fast.
        self.km = KernelManager(kernel_name=kernel_name, shutdown_wait_time=20.0)
        self.kernel_log = kernel_log
        self.kc = None
        self.started_at = None

    # ---- lifecycle -------------------------------------------------------

    def start(self, timeout):
        """Start the kernel; returns (startup_ms, kernel_info_reply content)."""
        # The kernel must never write to our stdout: that carries the JSON document.
        out = self.kernel_log if self.kernel_log is not None else sys.stderr
        self.started_at = now()
        self.km.start_kernel(stdout=out, stderr=out)
        self.kc = self.km.client()
        self.kc.start_channels()
        self._make_poller()
        info = self._wait_ready(timeout)
        return ms(now() - self.started_at), info

    def _make_poller(self):
        # One poller over shell and iopub, on synchronous shadows of the client's
        # (asyncio) sockets: we wake the moment either channel has a message, so
        # timings are not quantised by get_msg(timeout=...) slices.
        self.shell = zmq.Socket.shadow(self.kc.shell_channel.socket.underlying)
        self.iopub = zmq.Socket.shadow(self.kc.iopub_channel.socket.underlying)
        self.poller = zmq.Poller()
        self.poller.register(self.shell, zmq.POLLIN)
        self.poller.register(self.iopub, zmq.POLLIN)

    def _wait_ready(self, timeout):
        """Like BlockingKernelClient.wait_for_ready, minus its trailing 0.2 s iopub flush
        (which would inflate startup_ms): ready = a kernel_info_reply on shell AND
        that request's busy/idle on iopub (so iopub is connected, too)."""
        deadline = now() + timeout
        while True:
            pending = Pending(self.kc.kernel_info(), now())
            try:
                # Ask again every second: a request sent before iopub was subscribed
                # has its status messages lost, so only a fresh one can prove it.
                if self._pump(pending, min(deadline, now() + 1.0), need_idle=False) \
                        and pending.iopub_seen:
                    return pending.reply["content"]
            except StepTimeout:
                pass
            if now() >= deadline:
                raise StepTimeout("kernel did not answer kernel_info within %.0f s" % timeout)

    def restart(self, step):
        t0 = now()
        self.km.restart_kernel(now=bool(step.get("now", False)))
        # Same ports, so the client's sockets simply reconnect.
        self.started_at = t0
        self._wait_ready(float(step.get("timeout", DEFAULT_TIMEOUT)))
        return {"op": "restart", "status": "ok", "restart_ms": ms(now() - t0)}

    def close(self):
        """Shuts the kernel down as a front end does; returns how long it took and how the kernel ended."""
        t0 = now()
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.km.has_kernel:
            try:
                self.km.shutdown_kernel(now=False)  # shutdown_request, then SIGTERM/SIGKILL
            except BaseException:
                self.km.shutdown_kernel(now=True)
        # jupyter_client keeps how far its shutdown had to go "for testing" (_ShutdownStatus).
        ended = getattr(self.km, "_shutdown_status", None)
        return ms(now() - t0), getattr(ended, "name", None)

    # ---- message pump ----------------------------------------------------

    def _recv(self, sock):
        """One message, parsed the same way the client's channels do it."""
        frames = sock.recv_multipart(zmq.NOBLOCK, copy=True)
        _idents, frames = self.kc.session.feed_identities(frames)
        return self.kc.session.deserialize(frames)

    def _pump(self, pending, until, need_idle=True):
        """Read shell and iopub into `pending` (one Pending, or a list of them) until it is
        done (True) or `until` passes (False).  Messages for other requests (a timed-out
        earlier cell, the idle of a previous complete_request, ...) are dropped.
        Raises KernelDied when the kernel process exits meanwhile."""
        pendings = {p.msg_id: p for p in (pending if isinstance(pending, list) else [pending])}
        while not all(p.done(need_idle) for p in pendings.values()):
            left = until - now()
            if left <= 0:
                return False
            ready = dict(self.poller.poll(min(left, LIVENESS_CHECK_SECONDS) * 1000.0))
            if not ready:
                if not self.km.is_alive():
                    raise KernelDied("kernel process exited (code %s)" % self._exit_code())
                continue
            if self.iopub in ready:
                self._drain_iopub(pendings)
            if self.shell in ready:
                self._drain_shell(pendings)
        return True

    def _drain_iopub(self, pendings):
        while self.iopub.poll(0):
            msg = self._recv(self.iopub)
            pending = pendings.get(msg["parent_header"].get("msg_id"))
            if pending is None:
                continue
            pending.iopub_seen = True
            if msg["msg_type"] == "status":
                state = msg["content"].get("execution_state", "")
                pending.dates["status." + state] = header_date(msg)
                if state == "idle":
                    pending.idle_at = now()
                continue
            if msg["msg_type"] == "execute_input":
                pending.dates["execute_input"] = header_date(msg)
            out = to_output(msg)
            if out is not None:
                pending.outputs.append(out)

    def _drain_shell(self, pendings):
        while self.shell.poll(0):
            msg = self._recv(self.shell)
            pending = pendings.get(msg["parent_header"].get("msg_id"))
            if pending is not None and pending.reply is None:
                pending.reply = msg
                pending.reply_at = now()
                pending.dates[msg["msg_type"]] = header_date(msg)

    def _exit_code(self):
        try:
            return self.km.provisioner.process.poll()
        except Exception:
            return "unknown"

    # ---- steps -----------------------------------------------------------

    def run_step(self, step):
        op = step.get("op")
        handler = {
            "execute": self.execute,
            "execute_interrupt": self.execute_interrupt,
            "execute_all": self.execute_all,
            "complete": lambda s: self.request(s, self.kc.complete, s["code"],
                                               s.get("cursor_pos", len(s["code"]))),
            "inspect": lambda s: self.request(s, self.kc.inspect, s["code"],
                                              s.get("cursor_pos", len(s["code"])),
                                              int(s.get("detail_level", 0))),
            "is_complete": lambda s: self.request(s, self.kc.is_complete, s["code"]),
            "kernel_info": lambda s: self.request(s, self.kc.kernel_info),
            "history_tail": lambda s: self.request(s, lambda: self.kc.history(
                raw=True, output=False, hist_access_type="tail", n=int(s["n"]))),
            "restart": self.restart,
            "idle": self.idle,
        }.get(op)
        if handler is None:
            return {"op": op, "status": "skipped", "harness_error": "unknown op %r" % (op,)}
        if op != "restart" and not self.km.is_alive():
            return {"op": op, "status": "skipped",
                    "harness_error": "kernel is not running (exit code %s)" % self._exit_code()}
        try:
            return handler(step)
        except StepTimeout as e:
            return {"op": op, "status": "timeout", "harness_error": str(e)}
        except KernelDied as e:
            return {"op": op, "status": "skipped", "harness_error": str(e)}
        except KeyError as e:
            return {"op": op, "status": "skipped", "harness_error": "step lacks %s" % e}

    def _execute_result(self, op, pending, timeout):
        result = {
            "op": op,
            "status": pending.reply["content"].get("status") if pending.reply else "timeout",
            "execution_count": pending.reply["content"].get("execution_count") if pending.reply else None,
            "outputs": pending.outputs,
            "reply": pending.reply["content"] if pending.reply else None,
            "elapsed_ms": ms(pending.reply_at - pending.sent_at) if pending.reply else None,
            "dates": pending.dates,
        }
        if pending.done(need_idle=True):
            finished = max(pending.reply_at, pending.idle_at)
            result["roundtrip_ms"] = ms(finished - pending.sent_at)
            result["since_kernel_start_ms"] = ms(finished - self.started_at)
        else:
            missing = "execute_reply" if pending.reply is None else "idle status"
            result["status"] = "timeout"
            result["harness_error"] = "no %s within %.1f s" % (missing, timeout)
        return result

    def _send_execute(self, step):
        # stop_on_error defaults to False, as in nbconvert --allow-errors: with True a
        # kernel may abort ("status": "aborted") the next cell when it arrives right
        # after an error (ipykernel does), and steps here are sent back to back.
        msg_id = self.kc.execute(step["code"], silent=bool(step.get("silent", False)),
                                 store_history=bool(step.get("store_history", True)),
                                 stop_on_error=bool(step.get("stop_on_error", False)),
                                 allow_stdin=False)
        return Pending(msg_id, now())

    def execute(self, step):
        timeout = float(step.get("timeout", DEFAULT_TIMEOUT))
        pending = self._send_execute(step)
        if not self._pump(pending, pending.sent_at + timeout):
            self._recover(pending)
        return self._execute_result("execute", pending, timeout)

    def execute_all(self, step):
        """Send every cell at once, as a front end's Run All does, then collect them all."""
        timeout = float(step.get("timeout", DEFAULT_TIMEOUT))
        pendings = [self._send_execute(dict(step, code=code)) for code in step["cells"]]
        if not self._pump(pendings, pendings[0].sent_at + timeout):
            self._recover(pendings[-1])
        results = [self._execute_result("execute", pending, timeout) for pending in pendings]
        timed_out = [r for r in results if r["status"] == "timeout"]
        return {"op": "execute_all", "status": "timeout" if timed_out else "ok", "cells": results,
                **({"harness_error": timed_out[0]["harness_error"]} if timed_out else {})}

    def execute_interrupt(self, step):
        timeout = float(step.get("timeout", DEFAULT_TIMEOUT))
        after = float(step.get("after_seconds", 1.5))
        pending = self._send_execute(step)
        deadline = pending.sent_at + timeout
        interrupted_at = None
        # Collect what the cell prints before the interrupt, too.
        if not self._pump(pending, min(deadline, pending.sent_at + after)):
            interrupted_at = now()
            self.km.interrupt_kernel()
            if not self._pump(pending, deadline):
                self._recover(pending)
        result = self._execute_result("execute_interrupt", pending, timeout)
        # None means the cell finished before the interrupt was due.
        result["interrupted_after_ms"] = (ms(interrupted_at - pending.sent_at)
                                          if interrupted_at is not None else None)
        return result

    def _recover(self, pending):
        """After a timeout, try once to get the kernel idle again (interrupt, 10 s grace),
        so the following steps are not queued behind a cell that never ends."""
        try:
            self.km.interrupt_kernel()
            self._pump(Pending(pending.msg_id, pending.sent_at), now() + 10.0)
        except Exception:
            pass

    def idle(self, step):
        """Send nothing for a while: what the kernel's process burns meanwhile is its idle cost
        (a kernel that polls for requests shows here)."""
        seconds = float(step.get("seconds", 10))
        pid = self.km.provisioner.process.pid
        time.sleep(float(step.get("settle", 0)))  # e.g. for the JIT to finish the last cells' compilations
        before = process_cpu_seconds(pid)
        time.sleep(seconds)
        used = process_cpu_seconds(pid) - before
        return {"op": "idle", "status": "ok", "seconds": seconds, "cpu_seconds": used,
                "cpu_percent": 100.0 * used / seconds}

    def request(self, step, send, *args):
        timeout = float(step.get("timeout", DEFAULT_TIMEOUT))
        pending = Pending(send(*args), now())
        if not self._pump(pending, pending.sent_at + timeout, need_idle=False):
            raise StepTimeout("no %s reply within %.1f s" % (step["op"], timeout))
        result = dict(pending.reply["content"])
        result["op"] = step["op"]
        result["elapsed_ms"] = ms(pending.reply_at - pending.sent_at)
        return result


def log_tail(path, max_chars=4000):
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            return f.read()[-max_chars:]
    except OSError:
        return None


def load_steps(source):
    if source in (None, "-"):
        steps = json.load(sys.stdin)
    else:
        with open(source, "r", encoding="utf-8") as f:
            steps = json.load(f)
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise ValueError("steps must be a JSON list of objects")
    return steps


def main(argv):
    parser = argparse.ArgumentParser(description="Drive one Jupyter kernel; print one JSON document.")
    parser.add_argument("steps", nargs="?", help="JSON file with the list of steps (default: stdin)")
    parser.add_argument("--kernel", default="stratus", help="kernelspec name (found via JUPYTER_PATH)")
    parser.add_argument("--kernel-log", help="file for the kernel process's stdout and stderr")
    parser.add_argument("--startup-timeout", type=float, default=120.0,
                        help="seconds for the kernel to answer kernel_info (default 120)")
    args = parser.parse_args(argv)

    # Our stdout carries exactly one JSON document: route anything else that
    # might print (libraries, warnings) to stderr.
    real_stdout = sys.stdout
    sys.stdout = sys.stderr

    def on_sigterm(signum, frame):
        raise Terminated("terminated by signal %d" % signum)

    signal.signal(signal.SIGTERM, on_sigterm)

    doc = {"kernel": args.kernel, "ok": False, "error": None, "startup_ms": None,
           "kernel_info": None, "results": []}
    try:
        steps = load_steps(args.steps)
    except (OSError, ValueError) as e:
        doc["error"] = "bad steps: %s" % e
        json.dump(doc, real_stdout)
        real_stdout.write("\n")
        return 2

    log = open(args.kernel_log, "a", encoding="utf-8") if args.kernel_log else None
    session = None
    try:
        session = Session(args.kernel, log)
        doc["startup_ms"], doc["kernel_info"] = session.start(args.startup_timeout)
        for step in steps:
            doc["results"].append(session.run_step(step))
    except (Exception, Terminated, KeyboardInterrupt) as e:
        doc["error"] = "%s: %s" % (type(e).__name__, e)
        if not isinstance(e, (StepTimeout, KernelDied, Terminated, KeyboardInterrupt)):
            doc["traceback"] = traceback.format_exc()
    finally:
        if session is not None:
            try:
                doc["shutdown_ms"], doc["shutdown"] = session.close()
            except BaseException as e:
                doc["shutdown_error"] = "%s: %s" % (type(e).__name__, e)
        if log is not None:
            log.close()

    # Always one result per step, so callers can index results by step.
    for step in steps[len(doc["results"]):]:
        doc["results"].append({"op": step.get("op"), "status": "skipped",
                               "harness_error": "not run: %s" % doc["error"]})
    doc["ok"] = doc["error"] is None and not any("harness_error" in r for r in doc["results"])
    if not doc["ok"] and args.kernel_log:
        doc["kernel_log_tail"] = log_tail(args.kernel_log)
    json.dump(doc, real_stdout)
    real_stdout.write("\n")
    real_stdout.flush()
    return 0 if doc["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
