"""``oxredis.lock``: not implemented yet."""

from .unsupported import Lock

__all__ = ["Lock"]
