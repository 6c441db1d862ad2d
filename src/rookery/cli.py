"""The ``rookery`` command: Django's management commands under Rookery's name.

``rookery serve``, ``rookery worker``, ``rookery demo`` and the rest are management commands in
:mod:`rookery.core.management.commands` (and other apps); this entry point only selects the
settings module so operators never need to know about ``manage.py``.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rookery.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    if len(argv) == 1:
        argv.append("help")
    # Django command names can't contain dashes; the documented spelling has one.
    argv[1] = {"import-graph": "import_graph"}.get(argv[1], argv[1])
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
