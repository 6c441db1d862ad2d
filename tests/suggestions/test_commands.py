"""`rookery suggestions USERNAME` and `rookery import-graph FILE`."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rookery.accounts.models import User
from rookery.social.models import Follow
from tests.factories import make_follow
from tests.suggestions.conftest import people

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_suggestions_prints_scores_and_reasons():
    me, ana, eve = people("me", "ana", "eve")
    make_follow(me, ana)
    make_follow(ana, eve)
    out, _ = run("suggestions", "me", "--limit", "3")
    first = out.splitlines()[0]
    assert first.startswith("  1. @eve")
    assert first.endswith("followed by Ana")
    rows = json.loads(run("suggestions", "@ME", "--json")[0])
    assert rows[0]["username"] == "eve"
    assert rows[0]["reasons"] == ["followed by Ana"]
    assert isinstance(rows[0]["score"], float)


def test_suggestions_for_an_unknown_user_or_bad_limit_is_an_error():
    people("me")
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("suggestions", "ghost")
    with pytest.raises(CommandError, match="--limit"):
        run("suggestions", "me", "--limit", "0")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "edges.txt"
    path.write_text(text)
    return path


def follows() -> set[tuple[str, str]]:
    return set(Follow.objects.values_list("follower__username", "followee__username"))


@pytest.mark.parametrize(
    "text",
    [
        "1 2\n2 3\n1 3\n",
        "Source,Target,Rating\n1,2,10\n2,3,-1\n1,3,5\n",
        "# comment\nfollower followee\n1\t2\n2  3\n\n1 3\n",
        "id_1,id_2\n1,2\n2,3\n1,3\n1,3\n",
    ],
)
def test_import_graph_reads_csv_and_whitespace_with_or_without_header(tmp_path, text):
    out, err = run("import_graph", str(write(tmp_path, text)), "--no-progress")
    assert follows() == {("u1", "u2"), ("u2", "u3"), ("u1", "u3")}
    assert err == ""
    assert "Imported 3 new follows" in out
    u1 = User.objects.get(username="u1")
    assert not u1.has_usable_password()
    assert (u1.following_count, u1.followers_count) == (2, 0)
    assert User.objects.get(username="u3").followers_count == 2


def test_import_graph_reports_malformed_lines_and_keeps_existing_users(tmp_path):
    (existing,) = people("u7")
    text = "7 8\nonly-one\n9\n9 9\nbad!id 8\n8 7\n"
    out, err = run("import_graph", str(write(tmp_path, text)), "--no-progress")
    assert "line 2:" in err
    assert "line 3: expected two columns" in err
    assert "line 4: 9 follows itself" in err
    assert "line 5:" in err
    assert "4 malformed lines" in out
    assert follows() == {("u7", "u8"), ("u8", "u7")}
    assert User.objects.get(username="u7").pk == existing.pk
    # A second run adds nothing and changes no counter.
    out, _ = run("import_graph", str(write(tmp_path, text)), "--no-progress")
    assert "Imported 0 new follows (2 already there)" in out
    assert User.objects.get(username="u7").followers_count == 1


def test_import_graph_with_nothing_valid_fails(tmp_path):
    with pytest.raises(CommandError, match="No valid follows"):
        run("import_graph", str(write(tmp_path, "a\nb\n")), "--no-progress")
    with pytest.raises(CommandError, match="No such file"):
        run("import_graph", str(tmp_path / "missing.txt"))
    assert not Follow.objects.exists()


def test_cli_spells_it_with_a_dash(tmp_path):
    path = write(tmp_path, "")
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from rookery.cli import main; main()",
         "import-graph", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert "No valid follows" in result.stderr
