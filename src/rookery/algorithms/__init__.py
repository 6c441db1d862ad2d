"""Pure algorithms: no Django imports.

Modules here take ids, numpy arrays and dataclasses and return the same, so they can be unit-,
property- and benchmark-tested on their own. Django code (services, selectors, tasks) loads data,
calls these, and stores the results.
"""
