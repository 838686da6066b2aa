"""Work on a whole tab at once: tens of thousands of records, parsed, listed and rendered."""

from __future__ import annotations

import gc
from functools import wraps
from typing import Callable, TypeVar

_Work = TypeVar("_Work", bound=Callable)


def bulk(work: _Work) -> _Work:
    """Pause the cyclic garbage collector while `work` reads, parses or renders a whole tab. Its grids,
    records and JSON hold no reference cycles (reference counting frees them), yet the collector's full
    passes over tens of thousands of them cost a tenth of `pull` on a 50,000-row sheet."""

    @wraps(work)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        if enabled:
            gc.unfreeze()  # what the last bulk work set aside is looked at again from now on
        gc.disable()
        try:
            return work(*args, **kwargs)
        finally:
            if enabled:
                # Everything the work made was left young: the next collection would walk all of what
                # is still held (0.04 s after a morning list). It holds no cycles, so it is set aside
                # until the next bulk work (reference counting still frees it).
                gc.freeze()
                gc.enable()

    return paused  # type: ignore[return-value]
