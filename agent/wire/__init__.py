"""Every message the agent and the collector exchange, as versioned pydantic models.

Both sides import these and nothing else from each other: ``report`` (the scan report),
``enroll`` (enrollment request), ``checks`` (the strict checks applied to what the collector
receives), ``bundle`` (the signature bundle's manifest, layout and archive), ``handcarry``
(the signed hand-carry envelope and its verification). These depend on pydantic and
cryptography only. ``bundle_checks`` is the one door through which the collector runs the
agent's own bundle validation (YARA compilation, list checks) before it signs a bundle.
"""

from agent.wire.report import SCHEMA_VERSION, Report

__all__ = ["SCHEMA_VERSION", "Report"]
