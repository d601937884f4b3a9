"""A memory probe for bench/soak.py's ``--probe DIR`` (not a bench): on ``PYTHONPATH`` it runs in every
served process and appends a line of JSON to DIR/probe-PID.jsonl every ``GZ_MEMPROBE_EVERY`` s.

Each line says where resident memory goes, which /proc alone cannot: RssAnon, glibc's arenas (all it
holds, and of that what is in use and what is free but kept), SQLite's own heap (its page caches) and
the number of Python objects with the most common types, so a leak (in use grows) tells itself apart
from the allocator keeping freed memory (only the arenas' free part grows)."""

from __future__ import annotations

import os

if os.environ.get("GZ_MEMPROBE_DIR"):
    import ctypes
    import gc
    import json
    import threading
    import time
    from collections import Counter
    from typing import Any

    class _Mallinfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
                "fordblks", "keepcost",
            )
        ]  # fmt: skip

    def _sample(started: float) -> dict[str, Any]:
        found: dict[str, Any] = {"t": round(time.monotonic() - started, 1), "wall": time.time()}
        with open("/proc/self/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "RssAnon", "RssFile"):
                    found[key] = int(value.split()[0]) / 1024
        mb = 2**20
        try:
            libc = ctypes.CDLL("libc.so.6")
            libc.mallinfo2.restype = _Mallinfo2
            info = libc.mallinfo2()
            found["malloc_held"] = (info.arena + info.hblkhd) / mb
            found["malloc_in_use"] = (info.uordblks + info.hblkhd) / mb
            found["malloc_free_kept"] = info.fordblks / mb
        except (OSError, AttributeError):  # not glibc, or older than 2.33
            pass
        try:
            sqlite = ctypes.CDLL("libsqlite3.so.0")  # the one _sqlite3 links: already loaded
            sqlite.sqlite3_memory_used.restype = ctypes.c_int64
            found["sqlite"] = sqlite.sqlite3_memory_used() / mb
        except (OSError, AttributeError):
            pass
        types = Counter(type(o).__name__ for o in gc.get_objects())
        found["objects"] = sum(types.values())
        found["types"] = types.most_common(30)
        return found

    def _probe(folder: str, every: float) -> None:
        started = time.monotonic()
        while True:
            time.sleep(every)
            with open(f"{folder}/probe-{os.getpid()}.jsonl", "a") as out:
                out.write(json.dumps(_sample(started)) + "\n")

    _args = (os.environ["GZ_MEMPROBE_DIR"], float(os.environ.get("GZ_MEMPROBE_EVERY", "10")))
    threading.Thread(target=_probe, args=_args, daemon=True, name="memprobe").start()
