from tests.factories import make_follow, make_post


def test_alice_posts_and_bob_reads_it_at_home(alice, bob, alice_api, bob_api):
    make_follow(bob, alice)
    response = alice_api.post("/api/v1/statuses", {"status": "Hello #rookery"})
    assert response.status_code == 200, response.content
    status = response.json()
    assert status["content"]
    home = bob_api.get("/api/v1/timelines/home")
    assert home.status_code == 200, home.content
    assert [s["id"] for s in home.json()] == [status["id"]]
    make_post(alice, "second")
    assert bob_api.get("/api/v1/accounts/verify_credentials").json()["username"] == "bob"
