"""``rookery serve``: the web server, with a task worker in the same process by default.

On a laptop one command should give a working site, so unless ``--no-worker`` is given the
huey consumer runs in threads beside the web server. In production run ``rookery serve
--no-worker --workers N`` (granian) and ``rookery worker`` processes separately.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

logger = logging.getLogger("rookery")


class Command(BaseCommand):
    help = "Serve Rookery over HTTP (with an in-process task worker unless --no-worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="Don't run background tasks in this process."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Serve with granian using this many processes (production); 0: dev server.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"]:
            self._serve_granian(options["host"], options["port"], options["workers"])
            return
        if not options["no_worker"]:
            self._start_in_process_worker()
        self.stdout.write(f"Rookery on http://{options['host']}:{options['port']}/ (Ctrl-C stops)")
        call_command(
            "runserver",
            f"{options['host']}:{options['port']}",
            use_reloader=False,
            use_threading=True,
        )

    def _start_in_process_worker(self) -> None:
        from huey.contrib.djhuey import HUEY

        if settings.TASKS_IMMEDIATE:
            return
        # Threads, not processes: the web server's process stays the only one to manage.
        consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=True)
        consumer.start()
        self.stdout.write("Background tasks run in this process (2 threads).")

    def _serve_granian(self, host: str, port: int, workers: int) -> None:
        # WhiteNoise serves the collected files from inside the app.
        call_command("collectstatic", "--no-input", verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            "4",
            "rookery.wsgi:application",
        ]
        self.stdout.write(f"Rookery on http://{host}:{port}/ with {workers} granian workers")
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell
