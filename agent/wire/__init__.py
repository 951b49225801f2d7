"""Every message the agent and the collector exchange, as versioned pydantic models.

Both sides import these and nothing else from each other: ``report`` (the scan report),
``enroll`` (enrollment request), ``checks`` (the strict checks applied to what the collector
receives). This package depends on pydantic only.
"""

from agent.wire.report import SCHEMA_VERSION, Report

__all__ = ["SCHEMA_VERSION", "Report"]
