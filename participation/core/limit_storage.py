"""An in-process rate-limit storage whose cost does not grow with the number of keys.

limits' MemoryStorage frees expired counters from a thread that it starts again every 10 ms while
hits come, and each run walks every key. The per-account signing limit makes one key per signer,
so that walk grows with the number of signers within the limit's window: for a viral petition,
100,000 keys walked a hundred times a second in every worker (docs/benchmarks.md). This storage
keeps MemoryStorage's counters and its expiry on read (an expired counter is never used: `get`
drops it), and walks the keys inline at most every SWEEP_SECONDS, only to free memory. No thread
is started after the first.

It is the storage when no Redis is configured (`sweeping-memory://`, the embedded mode); production
uses Redis (REDIS_URL). It overrides one private hook of MemoryStorage, checked at import so that
a change in limits fails loudly here rather than silently restoring the thread. Kept because it
measured worth it (issue 12, item 6: limits' own `memory://` cost 10-14 % more server CPU per
signature in bench/private_apis.py, docs/benchmarks.md); limits is pinned to major version 5 and
tests/core/test_library_private_apis.py tests the hooks relied on.
"""

import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 10.0

if not all(
    hasattr(MemoryStorage, name)
    for name in ("_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events")
):
    raise ImportError(
        "limits.storage.MemoryStorage changed: review participation/core/limit_storage.py"
    )


class SweepingMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["sweeping-memory"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.next_sweep = time.monotonic() + SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self):
        """Called by MemoryStorage on every hit, where it would start its expiry thread."""
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()
