"""Garbage-collector settings for a serving worker.

Measured with the engagement benchmark (docs/performance.md): under a busy room the cyclic
collector took 44% of the server's CPU, each full collection (about 1.1 s) stalling every socket,
because it walked the hundreds of thousands of long-lived objects every worker holds (modules,
routes, templates, the plugin registry). A worker therefore freezes what exists once the app is
built (``gc.freeze``: those objects are never scanned again) and collects the young generation
less often. ``LMS_GC_TUNING=0`` keeps CPython's defaults. Only the server entry point calls it:
the test suite builds many apps in one process and must keep the defaults.
"""

from __future__ import annotations

import gc
import os

#: Young generation every 50,000 allocations instead of 700; older generations as CPython's.
THRESHOLDS = (50_000, 20, 100)


def tune() -> bool:
    if os.environ.get("LMS_GC_TUNING", "1").strip().lower() in {"0", "false", "no", "off"}:
        return False
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    return True
