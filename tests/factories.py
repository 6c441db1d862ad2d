"""factory_boy factories for the domain; posts go through the service so they're realistic."""

from __future__ import annotations

import factory

from rookery.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    display_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.django.Password("correct horse battery")


def make_post(author: User, text: str = "Hello world", **kwargs):
    from rookery.posts.services import post_create

    kwargs.setdefault("rate_limit", False)
    return post_create(author=author, text=text, **kwargs)


def make_follow(follower: User, followee: User):
    from rookery.social.services import follow_create

    return follow_create(follower=follower, followee=followee)
