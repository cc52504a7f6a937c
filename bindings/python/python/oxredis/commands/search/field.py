"""Schema fields for ``create_index`` / ``alter_schema_add`` (redis-py's
``redis.commands.search.field``)."""

from typing import List, Optional

from ...exceptions import DataError


class Field:
    """A field of an index schema; ``redis_args()`` is its part of FT.CREATE's SCHEMA."""

    NUMERIC = "NUMERIC"
    TEXT = "TEXT"
    WEIGHT = "WEIGHT"
    GEO = "GEO"
    TAG = "TAG"
    VECTOR = "VECTOR"
    SORTABLE = "SORTABLE"
    NOINDEX = "NOINDEX"
    AS = "AS"
    GEOSHAPE = "GEOSHAPE"
    INDEX_MISSING = "INDEXMISSING"
    INDEX_EMPTY = "INDEXEMPTY"

    def __init__(self, name: str, args: Optional[List] = None, sortable: bool = False,
                 no_index: bool = False, index_missing: bool = False,
                 index_empty: bool = False, as_name: Optional[str] = None):
        self.name = name
        self.args = [] if args is None else args
        self.as_name = as_name
        suffix = []
        if no_index:
            suffix.append(Field.NOINDEX)
        if index_missing:
            suffix.append(Field.INDEX_MISSING)
        if index_empty:
            suffix.append(Field.INDEX_EMPTY)
        if sortable:
            suffix.append(Field.SORTABLE)
        self.args_suffix = suffix
        if no_index and not sortable:
            raise ValueError("Non-Sortable non-Indexable fields are ignored")

    def append_arg(self, value) -> None:
        self.args.append(value)

    def redis_args(self) -> list:
        head = [self.name, self.AS, self.as_name] if self.as_name else [self.name]
        return head + self.args + self.args_suffix


class TextField(Field):
    """TEXT, with its WEIGHT (1.0), NOSTEM, PHONETIC (``dm:en``, ``dm:fr``, ``dm:pt``,
    ``dm:es``) and WITHSUFFIXTRIE."""

    NOSTEM = "NOSTEM"
    PHONETIC = "PHONETIC"

    def __init__(self, name: str, weight: float = 1.0, no_stem: bool = False,
                 phonetic_matcher: Optional[str] = None, withsuffixtrie: bool = False,
                 **kwargs):
        Field.__init__(self, name, args=[Field.TEXT, Field.WEIGHT, weight], **kwargs)
        if no_stem:
            self.append_arg(self.NOSTEM)
        if phonetic_matcher in ("dm:en", "dm:fr", "dm:pt", "dm:es"):
            self.args += [self.PHONETIC, phonetic_matcher]
        if withsuffixtrie:
            self.append_arg("WITHSUFFIXTRIE")


class NumericField(Field):
    """NUMERIC."""

    def __init__(self, name: str, **kwargs):
        Field.__init__(self, name, args=[Field.NUMERIC], **kwargs)


class GeoShapeField(Field):
    """GEOSHAPE, in the ``SPHERICAL`` or ``FLAT`` coordinate system."""

    SPHERICAL = "SPHERICAL"
    FLAT = "FLAT"

    def __init__(self, name: str, coord_system=None, **kwargs):
        args = [Field.GEOSHAPE] + ([coord_system] if coord_system else [])
        Field.__init__(self, name, args=args, **kwargs)


class GeoField(Field):
    """GEO."""

    def __init__(self, name: str, **kwargs):
        Field.__init__(self, name, args=[Field.GEO], **kwargs)


class TagField(Field):
    """TAG, with its SEPARATOR (``,``), CASESENSITIVE and WITHSUFFIXTRIE."""

    SEPARATOR = "SEPARATOR"
    CASESENSITIVE = "CASESENSITIVE"

    def __init__(self, name: str, separator: str = ",", case_sensitive: bool = False,
                 withsuffixtrie: bool = False, **kwargs):
        args = [Field.TAG, self.SEPARATOR, separator]
        if case_sensitive:
            args.append(self.CASESENSITIVE)
        if withsuffixtrie:
            args.append("WITHSUFFIXTRIE")
        Field.__init__(self, name, args=args, **kwargs)


class VectorField(Field):
    """VECTOR with ``algorithm`` ``FLAT``, ``HNSW`` or ``SVS-VAMANA`` and its
    ``attributes`` (``{"TYPE": "FLOAT32", "DIM": 2, "DISTANCE_METRIC": "L2"}``)."""

    def __init__(self, name: str, algorithm: str, attributes: dict, **kwargs):
        if kwargs.get("sortable", False) or kwargs.get("no_index", False):
            raise DataError("Cannot set 'sortable' or 'no_index' in Vector fields.")
        if algorithm.upper() not in ("FLAT", "HNSW", "SVS-VAMANA"):
            raise DataError("Realtime vector indexing supporting 3 Indexing Methods:"
                            "'FLAT', 'HNSW', and 'SVS-VAMANA'.")
        flat = [x for pair in attributes.items() for x in pair]
        Field.__init__(self, name, args=[Field.VECTOR, algorithm, len(flat), *flat],
                       **kwargs)
