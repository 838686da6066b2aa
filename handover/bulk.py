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
        gc.disable()
        try:
            return work(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused  # type: ignore[return-value]
