"""``oxredis.sentinel``: not implemented yet."""

from .unsupported import Sentinel

__all__ = ["Sentinel"]
