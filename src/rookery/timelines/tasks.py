"""Background delivery of timelines. Tasks take ids and call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rookery.timelines import services


@db_task(retries=3, retry_delay=10)
def fanout_run_task(job_id: int) -> None:
    services.fanout_run(job_id)


@db_periodic_task(crontab(minute="*"))
def fanout_resume_stale_task() -> None:
    for job_id in services.fanout_resume_stale():
        fanout_run_task(job_id)


@db_periodic_task(crontab(minute="17", hour="3"))
def fanout_prune_task() -> None:
    services.fanout_prune_done()
