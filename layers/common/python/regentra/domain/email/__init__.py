"""Inbound email: pure steps over one normalised message (no AWS, no I/O, no clock)."""
