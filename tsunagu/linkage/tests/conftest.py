import pytest


@pytest.fixture
def held_jobs(settings):
    """Jobs wait for a worker that the test plays (``imports.import_work``)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
