"""Scheduled mode: a light supervisor that runs each scan in a worker process it can restart."""
