"""Real Mastodon clients against a live Rookery: Mastodon.py as a library, toot as a CLI.

Neither library is patched. The only concession to plain-http localhost is the documented one:
Mastodon.py's ``allow_http=True`` on ``log_in``, and toot's ``--instance`` with a full URL.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mastodon import Mastodon
from PIL import Image

from tests.factories import UserFactory

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
SCOPES = ["read", "write", "follow"]


def _logged_in(base_url: str, email: str) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Rookery test", api_base_url=base_url, scopes=SCOPES
    )
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url)
    api.log_in(email, PASSWORD, scopes=SCOPES, allow_http=True)
    return api


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 90)).save(out, format="PNG")
    return out.getvalue()


def test_mastodon_py_round_trip(live_server):
    UserFactory(username="alice", email="alice@example.test")
    UserFactory(username="bob", email="bob@example.test")
    alice = _logged_in(live_server.url, "alice@example.test")
    bob = _logged_in(live_server.url, "bob@example.test")

    assert alice.account_verify_credentials()["username"] == "alice"
    bob_account = bob.me()
    relationship = alice.account_follow(bob_account["id"])
    assert relationship["following"] is True

    posts = [bob.status_post(f"Post number {n} about #python") for n in range(5)]
    reply = alice.status_post("Nice one", in_reply_to_id=posts[-1]["id"])
    assert reply["in_reply_to_id"] == posts[-1]["id"]

    favourited = alice.status_favourite(posts[0]["id"])
    assert favourited["favourited"] is True and favourited["favourites_count"] == 1
    boost = alice.status_reblog(posts[1]["id"])
    assert boost["reblog"]["id"] == posts[1]["id"]

    # Home timeline, two at a time, walking back through the Link headers.
    page = alice.timeline_home(limit=2)
    seen = [s["id"] for s in page]
    while (page := alice.fetch_next(page)) is not None and len(page):
        seen.extend(s["id"] for s in page)
    assert len(seen) == len(set(seen))
    assert {p["id"] for p in posts} | {reply["id"], boost["id"]} <= set(seen)

    kinds = {n["type"] for n in bob.notifications()}
    assert {"follow", "favourite", "reblog", "mention"} <= kinds

    found = alice.search("python", result_type="statuses")
    assert {s["id"] for s in found["statuses"]} & {p["id"] for p in posts}
    assert alice.search("bob", result_type="accounts")["accounts"][0]["username"] == "bob"

    media = alice.media_post(_png(), mime_type="image/png", description="A red square")
    assert media["type"] == "image" and media["description"] == "A red square"
    with_image = alice.status_post("Look at this", media_ids=[media["id"]])
    assert with_image["media_attachments"][0]["id"] == media["id"]
    assert with_image["media_attachments"][0]["meta"]["original"]["width"] == 64

    context = bob.status_context(posts[-1]["id"])
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]

    alice.revoke_access_token(allow_http=True)
    with pytest.raises(Exception, match="401"):
        alice.account_verify_credentials()


def _toot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "toot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_toot_cli_logs_in_posts_and_reads(live_server, tmp_path):
    UserFactory(username="carol", email="carol@example.test")
    login = _toot(
        tmp_path,
        "login_cli",
        "--instance",
        live_server.url,
        "--email",
        "carol@example.test",
        "--password",
        PASSWORD,
    )
    assert login.returncode == 0, login.stdout + login.stderr
    assert "Successfully logged in" in login.stdout

    posted = _toot(tmp_path, "post", "Hello from the toot CLI #rookery")
    assert posted.returncode == 0, posted.stdout + posted.stderr

    timeline = _toot(tmp_path, "timeline", "--once")
    assert timeline.returncode == 0, timeline.stdout + timeline.stderr
    assert "Hello from the toot CLI" in timeline.stdout

    whoami = _toot(tmp_path, "whoami")
    assert whoami.returncode == 0, whoami.stdout + whoami.stderr
    assert "carol" in whoami.stdout
