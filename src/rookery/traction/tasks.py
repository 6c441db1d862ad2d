"""Periodic traction work: write this process's buffer, roll events up, prune old ones."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from rookery.traction import recording, services


@db_periodic_task(crontab(minute="*"))
@lock_task("traction-rollup")
def traction_rollup() -> None:
    recording.flush()
    services.rollup_run()


@db_periodic_task(crontab(minute="41", hour="3"))
def traction_prune() -> None:
    services.events_prune()
