"""The report as people read it: terminal summary, HTML report, wording, sanitising.

The report's wire format lives in ``agent.wire``.
"""
