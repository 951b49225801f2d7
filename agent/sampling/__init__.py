"""Sustained-utilization sampling (CPU, per-process CPU-seconds, GPU)."""
