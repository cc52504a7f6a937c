"""``IndexDefinition`` / ``IndexType`` (redis-py's
``redis.commands.search.index_definition``): what FT.CREATE indexes (``ON HASH|JSON``,
``PREFIX``, ``FILTER``, languages, scores, payloads)."""

from enum import Enum


class IndexType(Enum):
    """The kind of keys indexed."""

    HASH = 1
    JSON = 2


class IndexDefinition:
    """FT.CREATE's options before SCHEMA; ``args`` is their arguments."""

    def __init__(self, prefix=[], filter=None, language_field=None, language=None,  # noqa: B006
                 score_field=None, score=1.0, payload_field=None, index_type=None):
        args = []
        if index_type is IndexType.HASH:
            args += ["ON", "HASH"]
        elif index_type is IndexType.JSON:
            args += ["ON", "JSON"]
        elif index_type is not None:
            raise RuntimeError(f"index_type must be one of {list(IndexType)}")
        if prefix is None:
            raise TypeError("prefix must be provided")
        if len(prefix) > 0:
            prefixes = [prefix] if isinstance(prefix, (str, bytes)) else list(prefix)
            args += ["PREFIX", len(prefixes), *prefixes]
        if filter is not None:
            args += ["FILTER", filter]
        if language_field is not None:
            args += ["LANGUAGE_FIELD", language_field]
        if language is not None:
            args += ["LANGUAGE", language]
        if score_field is not None:
            args += ["SCORE_FIELD", score_field]
        if score is not None:
            args += ["SCORE", score]
        if payload_field is not None:
            args += ["PAYLOAD_FIELD", payload_field]
        self.args = args
