"""``ProfileInformation``: the profile part of FT.PROFILE's reply (redis-py's
``redis.commands.search.profile_information``)."""

from typing import Any


class ProfileInformation:
    """FT.PROFILE's profile, as RESP2 sends it: ``[[name, value]...]``, the iterators' and
    result processors' details as flat ``[key, value...]`` lists (RESP3's maps are brought
    back to that form)."""

    def __init__(self, info: Any) -> None:
        self._info: Any = info

    @property
    def info(self) -> Any:
        """The profile."""
        return self._info
