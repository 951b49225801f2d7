"""Running the queue: a separate worker process, or a consumer thread inside `run`."""

from __future__ import annotations

from huey.consumer import Consumer


def run_worker(workers: int = 2) -> None:
    """Block running huey's consumer (Django's `run_huey`)."""
    from django.core.management import call_command

    call_command("run_huey", workers=workers, worker_type="thread")


def start_embedded_consumer(workers: int = 2) -> Consumer | None:
    """Start consumer threads in this process when the queue is embedded; None otherwise."""
    from huey.contrib.djhuey import HUEY

    from .config import embedded_consumer_wanted

    if not embedded_consumer_wanted() or HUEY.immediate:
        return None
    consumer = HUEY.create_consumer(
        workers=workers, worker_type="thread", periodic=True, check_worker_health=True
    )
    consumer.start()
    return consumer
