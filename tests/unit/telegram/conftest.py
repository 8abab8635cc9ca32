"""The decoder's tests run twice in the test command (``deploy/test``): as they are, with
the native scanner when it is installed, and with ``CABLEROUTER_NATIVE_SCANNER=0``, the
Python parsers alone, so that the reference reader is proven on its own too. This is the
one place that reads the variable.
"""

from __future__ import annotations

import os

from cablerouter.telegram import _scan

PYTHON_ONLY = os.environ.get("CABLEROUTER_NATIVE_SCANNER") == "0"

if PYTHON_ONLY:
    # Before any test module is imported, for the whole session: the decoder then never
    # calls the scanner, and the tests that need it skip themselves (_scan.AVAILABLE).
    _scan._scan = None
    _scan.AVAILABLE = False
