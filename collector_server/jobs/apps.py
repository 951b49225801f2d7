from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "collector_server.jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from . import kinds, tasks  # noqa: F401 - registers the job kinds and huey tasks
