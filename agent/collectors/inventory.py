"""Hardware inventory: identity + hardware facts, each collector run safely.

CONTRACT (other modules rely on this signature):
    collect_inventory(ctx: ScanContext) -> tuple[DeviceIdentity, Hardware]
Never raises; collector failures go to ctx.errors.
"""

from __future__ import annotations

import hashlib
import socket

from agent.collectors.base import ScanContext
from agent.report.model import DeviceIdentity, Hardware, OSInfo


def collect_inventory(ctx: ScanContext) -> tuple[DeviceIdentity, Hardware]:
    # Placeholder until the inventory collectors land (issue 2, inventory part).
    host = socket.gethostname()
    identity = DeviceIdentity(fingerprint=hashlib.sha256(host.encode()).hexdigest(), hostname=host)
    return identity, Hardware(os=OSInfo(name="unknown", hostname=host))
