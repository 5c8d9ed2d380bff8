"""Run ``casekit`` on many files, each a fresh process with limits (two at a time); report JSON.

``python tests/hostile/_launcher.py JOBS.json RESULTS.json``: JOBS is a list of
``{"name", "args", "dir"}``. Each job runs the installed console script with its stdout
and stderr in ``dir``, under an ``RLIMIT_AS`` guard; its exit code, peak RSS (from
``wait4``: the process and the reader process it starts) and wall time are recorded.
Started from this small launcher, not from pytest: a child forked from pytest would
report pytest's own peak memory as its own.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

GIB = 1 << 30
#: Address-space guard of the command-line process (it maps the whole app stack: its
#: shared libraries and thread arenas reserve far more address space than they use).
CLI_ADDRESS_SPACE = 4 * GIB
TIMEOUT = 90.0


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CLI_ADDRESS_SPACE, CLI_ADDRESS_SPACE))


def run(command: list[str], jobs: list[dict], *, parallel: int = 2) -> list[dict]:
    """The jobs, ``parallel`` at a time; ``{"name", "code", "maxrss_kb", "seconds"}`` each."""
    results: list[dict] = []
    pending = list(jobs)
    running: dict[int, tuple[dict, float, subprocess.Popen]] = {}
    while pending or running:
        while pending and len(running) < parallel:
            job = pending.pop(0)
            folder = Path(job["dir"])
            with (folder / "stdout").open("wb") as out, (folder / "stderr").open("wb") as err:
                proc = subprocess.Popen([*command, *job["args"]], stdout=out, stderr=err, preexec_fn=_cap)  # noqa: PLW1509
            running[proc.pid] = (job, time.monotonic(), proc)
        for pid, (job, start, proc) in list(running.items()):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if not done and time.monotonic() - start > TIMEOUT:
                proc.kill()
                done, status, usage = os.wait4(pid, 0)
            if done:
                proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 already
                del running[pid]
                seconds = time.monotonic() - start
                results.append(
                    {"name": job["name"], "code": proc.returncode, "maxrss_kb": usage.ru_maxrss, "seconds": seconds}
                )
        time.sleep(0.02)
    return results


if __name__ == "__main__":
    spec = json.loads(Path(sys.argv[1]).read_text())
    Path(sys.argv[2]).write_text(json.dumps(run(spec["command"], spec["jobs"])))
