"""What every benchmark does before it measures: handover's bytecode compiled, as an installed package has it.

A source checkout run with PYTHONDONTWRITEBYTECODE (or from a folder it cannot write) compiles every module
at each start: ~50 ms per process, which a user's installed copy never pays, measured instead of the work.
"""

from __future__ import annotations

import compileall
from pathlib import Path


def compile_package() -> None:
    import handover

    compileall.compile_dir(Path(handover.__file__).parent, quiet=1)
