"""Sampling profiles of the served app under load, with py-spy (not a project dependency:
``python -m venv /tmp/spy && /tmp/spy/bin/pip install py-spy``, then ``--profile
/tmp/spy/bin/py-spy``). py-spy reads the server's memory from outside, so it neither changes
the code path nor costs the server more than a few percent.

The collapsed stacks are summarised per function: the share of samples in which the function
is on the stack (inclusive) and at the top (self), which is what tells whether time goes to the
ORM, the driver, JSON, the middleware or uvicorn itself.
"""

from __future__ import annotations

import collections
import re
import subprocess
from pathlib import Path


def start(py_spy: str, pid: int, seconds: float, out: Path, rate: int = 250
          ) -> subprocess.Popen:
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds))),
         "--rate", str(rate), "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^)]*?)(?::\d+)?\)$")


def _label(frame: str) -> str:
    m = _FRAME.match(frame)
    if not m:
        return frame
    path = m.group("file")
    for marker in ("site-packages/", "lms_core/", "plugins/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1] if marker != "lms_core/" else "lms_core/" + \
                path.split(marker, 1)[1]
            break
    return f"{m.group('func')} ({path})"


def summarise(collapsed: Path, top: int = 30) -> str:
    """A plain-text table: the functions with the largest inclusive and self shares."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_label(f) for f in stack.split(";")]
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
        packages[_package(frames[-1])] += n
    if not total:
        return "no samples\n"
    out = [f"{total} samples\n", "self time by package:"]
    for pkg, n in packages.most_common(12):
        out.append(f"  {100 * n / total:5.1f} %  {pkg}")
    out.append("\ninclusive (on the stack):")
    for f, n in inclusive.most_common(top):
        out.append(f"  {100 * n / total:5.1f} %  {f}")
    out.append("\nself (top of the stack):")
    for f, n in own.most_common(top):
        out.append(f"  {100 * n / total:5.1f} %  {f}")
    return "\n".join(out) + "\n"


def _package(label: str) -> str:
    m = re.search(r"\(([^)]*)\)$", label)
    path = m.group(1) if m else label
    first = path.split("/", 1)[0]
    if first.endswith(".py"):
        return "stdlib:" + first
    return first or label
