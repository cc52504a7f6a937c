"""``Query`` and its filters (redis-py's ``redis.commands.search.query``): a FT.SEARCH
query built by chained calls (``Query("hello").sort_by("price").paging(0, 5)``)."""

from typing import List, Optional, Union

from .dialect import DEFAULT_DIALECT


class Query:
    """A search query: the query string and FT.SEARCH's options (``get_args()``)."""

    def __init__(self, query_string: str) -> None:
        self._query_string = query_string
        self._offset = 0
        self._num = 10
        self._no_content = False
        self._no_stopwords = False
        self._fields: Optional[List[str]] = None
        self._verbatim = False
        self._with_payloads = False
        self._with_scores = False
        self._scorer: Optional[str] = None
        self._filters: List = []
        self._ids = None
        self._slop = -1
        self._timeout = None
        self._in_order = False
        self._sortby: Optional[SortbyField] = None
        self._return_fields: List = []
        self._return_fields_decode_as: dict = {}
        self._summarize_fields: List = []
        self._highlight_fields: List = []
        self._language: Optional[str] = None
        self._expander: Optional[str] = None
        self._dialect = DEFAULT_DIALECT

    def query_string(self) -> str:
        """The query text."""
        return self._query_string

    def limit_ids(self, *ids) -> "Query":
        """INKEYS: only these documents."""
        self._ids = ids
        return self

    def return_fields(self, *fields) -> "Query":
        """RETURN: only these fields."""
        for field in fields:
            self.return_field(field)
        return self

    def return_field(self, field: str, as_field: Optional[str] = None,
                     decode_field: Optional[bool] = True,
                     encoding: Optional[str] = "utf8") -> "Query":
        """RETURN one more field (``AS as_field``); ``decode_field=False`` keeps its values
        ``bytes``."""
        self._return_fields.append(field)
        self._return_fields_decode_as[field] = encoding if decode_field else None
        if as_field is not None:
            self._return_fields += ("AS", as_field)
        return self

    @staticmethod
    def _field_list(fields) -> list:
        if not fields:
            return []
        return [fields] if isinstance(fields, str) else list(fields)

    def summarize(self, fields=None, context_len=None, num_frags=None, sep=None) -> "Query":
        """SUMMARIZE the ``fields`` (all by default)."""
        args = ["SUMMARIZE"]
        fields = self._field_list(fields)
        if fields:
            args += ["FIELDS", str(len(fields)), *fields]
        if context_len is not None:
            args += ["LEN", str(context_len)]
        if num_frags is not None:
            args += ["FRAGS", str(num_frags)]
        if sep is not None:
            args += ["SEPARATOR", sep]
        self._summarize_fields = args
        return self

    def highlight(self, fields=None, tags=None) -> "Query":
        """HIGHLIGHT the ``fields`` (all by default) between the two ``tags``."""
        args = ["HIGHLIGHT"]
        fields = self._field_list(fields)
        if fields:
            args += ["FIELDS", str(len(fields)), *fields]
        if tags:
            args += ["TAGS", *tags]
        self._highlight_fields = args
        return self

    def language(self, language: str) -> "Query":
        """LANGUAGE of the query (stemming)."""
        self._language = language
        return self

    def slop(self, slop: int) -> "Query":
        """SLOP: how many words may come between the query's terms."""
        self._slop = slop
        return self

    def timeout(self, timeout: float) -> "Query":
        """TIMEOUT in milliseconds."""
        self._timeout = timeout
        return self

    def in_order(self) -> "Query":
        """INORDER: the terms in the query's order."""
        self._in_order = True
        return self

    def scorer(self, scorer: str) -> "Query":
        """SCORER (``TFIDF``, ``BM25``...)."""
        self._scorer = scorer
        return self

    def get_args(self) -> list:
        """FT.SEARCH's arguments after the index name."""
        args = [self._query_string, *self._get_args_tags()]
        args += self._summarize_fields + self._highlight_fields
        args += ["LIMIT", self._offset, self._num]
        return args

    def _get_args_tags(self) -> list:
        args: list = []
        if self._no_content:
            args.append("NOCONTENT")
        if self._fields:
            args += ["INFIELDS", len(self._fields), *self._fields]
        if self._verbatim:
            args.append("VERBATIM")
        if self._no_stopwords:
            args.append("NOSTOPWORDS")
        for flt in self._filters:
            if not isinstance(flt, Filter):
                raise AttributeError("Did not receive a Filter object.")
            args += flt.args
        if self._with_payloads:
            args.append("WITHPAYLOADS")
        if self._scorer:
            args += ["SCORER", self._scorer]
        if self._with_scores:
            args.append("WITHSCORES")
        if self._ids:
            args += ["INKEYS", len(self._ids), *self._ids]
        if self._slop >= 0:
            args += ["SLOP", self._slop]
        if self._timeout is not None:
            args += ["TIMEOUT", self._timeout]
        if self._in_order:
            args.append("INORDER")
        if self._return_fields:
            args += ["RETURN", len(self._return_fields), *self._return_fields]
        if self._sortby:
            if not isinstance(self._sortby, SortbyField):
                raise AttributeError("Did not receive a SortByField.")
            args += ["SORTBY", *self._sortby.args]
        if self._language:
            args += ["LANGUAGE", self._language]
        if self._expander:
            args += ["EXPANDER", self._expander]
        if self._dialect:
            args += ["DIALECT", self._dialect]
        return args

    def paging(self, offset: int, num: int) -> "Query":
        """LIMIT: ``num`` results from ``offset`` (10 from 0 by default)."""
        self._offset = offset
        self._num = num
        return self

    def verbatim(self) -> "Query":
        """VERBATIM: no stemming."""
        self._verbatim = True
        return self

    def no_content(self) -> "Query":
        """NOCONTENT: the ids only."""
        self._no_content = True
        return self

    def no_stopwords(self) -> "Query":
        """NOSTOPWORDS."""
        self._no_stopwords = True
        return self

    def with_payloads(self) -> "Query":
        """WITHPAYLOADS."""
        self._with_payloads = True
        return self

    def with_scores(self) -> "Query":
        """WITHSCORES: each document's ``score``."""
        self._with_scores = True
        return self

    def limit_fields(self, *fields: str) -> "Query":
        """INFIELDS: search these fields only."""
        self._fields = list(fields)
        return self

    def add_filter(self, flt: "Filter") -> "Query":
        """A ``NumericFilter`` or ``GeoFilter``."""
        self._filters.append(flt)
        return self

    def sort_by(self, field: str, asc: bool = True) -> "Query":
        """SORTBY ``field`` ASC (or DESC)."""
        self._sortby = SortbyField(field, asc)
        return self

    def expander(self, expander: str) -> "Query":
        """EXPANDER."""
        self._expander = expander
        return self

    def dialect(self, dialect: int) -> "Query":
        """DIALECT (2 by default)."""
        self._dialect = dialect
        return self


class Filter:
    """A FILTER-like clause: ``keyword field args...``."""

    def __init__(self, keyword: str, field: str, *args: Union[str, float]) -> None:
        self.args = [keyword, field, *args]


class NumericFilter(Filter):
    """FILTER ``field`` between ``minval`` and ``maxval`` (``"+inf"``/``"-inf"``; exclusive
    bounds on request)."""

    INF = "+inf"
    NEG_INF = "-inf"

    def __init__(self, field: str, minval, maxval, minExclusive: bool = False,
                 maxExclusive: bool = False) -> None:
        lo = f"({minval}" if minExclusive else minval
        hi = f"({maxval}" if maxExclusive else maxval
        Filter.__init__(self, "FILTER", field, lo, hi)


class GeoFilter(Filter):
    """GEOFILTER ``field`` within ``radius`` ``unit`` of ``(lon, lat)``."""

    METERS = "m"
    KILOMETERS = "km"
    FEET = "ft"
    MILES = "mi"

    def __init__(self, field: str, lon: float, lat: float, radius: float,
                 unit: str = KILOMETERS) -> None:
        Filter.__init__(self, "GEOFILTER", field, lon, lat, radius, unit)


class SortbyField:
    """SORTBY's ``field ASC|DESC``."""

    def __init__(self, field: str, asc=True) -> None:
        self.args = [field, "ASC" if asc else "DESC"]
