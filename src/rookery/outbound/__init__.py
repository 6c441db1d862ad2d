"""Outbound HTTP: the single guarded client (``client``) and link-card metadata (``linkmeta``)."""
