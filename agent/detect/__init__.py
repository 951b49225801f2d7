"""Detection engine: scanners produce findings, the verdict engine combines them.

The scanners are declared in agent.detect.scanners (one module each, one list SCANNERS);
agent.detect.engine runs them (deadline, errors, dedup, grouping).

CONTRACT (the scan pipeline relies on these names):
    agent.detect.engine.run_detection(ctx: ScanContext, bundle: LoadedBundle,
                                      utilization: Utilization | None) -> list[Finding]
    agent.detect.verdict.decide(findings: list[Finding]) -> Verdict
"""
