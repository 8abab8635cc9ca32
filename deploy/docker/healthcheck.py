"""The image's HEALTHCHECK: exit 0 when the worker's ``/healthz`` answers 200.

Asks the address the worker serves on (``CABLEROUTER_WEB_HOST``, loopback when it listens
on every address) at ``CABLEROUTER_WEB_PORT``.
"""

import os
import sys
import urllib.request

host = os.environ.get("CABLEROUTER_WEB_HOST", "") or "127.0.0.1"
if host in ("0.0.0.0", "::", "*"):
    host = "127.0.0.1"
if ":" in host:
    host = f"[{host}]"
port = os.environ.get("CABLEROUTER_WEB_PORT", "") or "6066"
try:
    with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=4) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # any failure is "unhealthy"; the reason goes to the health log
    print(f"/healthz on {host}:{port}: {exc}", file=sys.stderr)
    sys.exit(1)
