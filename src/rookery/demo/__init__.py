"""Generating a believable demo network (``rookery demo``); not a Django app."""
