"""The report: the single source of truth of the agent's wire format."""

from agent.report.model import SCHEMA_VERSION, Report

__all__ = ["SCHEMA_VERSION", "Report"]
