"""FT.AGGREGATE requests (redis-py's ``redis.commands.search.aggregation``):
``AggregateRequest("*").group_by("@tag", reducers.count().alias("n")).sort_by(Desc("@n"))``."""

from typing import List, Optional, Union

from .dialect import DEFAULT_DIALECT

# ``reducer.alias(FIELDNAME)``: the reducer's field without its ``@``.
FIELDNAME = object()


class Limit:
    """LIMIT ``offset`` ``count`` (nothing when ``count`` is 0)."""

    def __init__(self, offset: int = 0, count: int = 0) -> None:
        self.offset = offset
        self.count = count

    def build_args(self) -> list:
        return ["LIMIT", str(self.offset), str(self.count)] if self.count else []


class Reducer:
    """A GROUPBY reducer (see ``reducers``): its NAME, arguments and alias."""

    NAME: Optional[str] = None

    def __init__(self, *args: str) -> None:
        self._args = args
        self._field: Optional[str] = None
        self._alias: Optional[str] = None

    def alias(self, alias) -> "Reducer":
        """AS ``alias`` (``FIELDNAME``: the field's name)."""
        if alias is FIELDNAME:
            if not self._field:
                raise ValueError("Cannot use FIELDNAME alias with no field")
            alias = self._field.removeprefix("@")
        self._alias = alias
        return self

    @property
    def args(self):
        return self._args


class SortDirection:
    """A field to sort by, in the direction of the subclass."""

    DIRSTRING: Optional[str] = None

    def __init__(self, field: str) -> None:
        self.field = field


class Asc(SortDirection):
    """Ascending."""

    DIRSTRING = "ASC"


class Desc(SortDirection):
    """Descending."""

    DIRSTRING = "DESC"


class AggregateRequest:
    """An FT.AGGREGATE pipeline over the documents matching ``query``."""

    def __init__(self, query: str = "*") -> None:
        self._query = query
        self._aggregateplan: List = []
        self._loadfields: List = []
        self._loadall = False
        self._max = 0
        self._with_schema = False
        self._verbatim = False
        self._cursor: List = []
        self._dialect = DEFAULT_DIALECT
        self._add_scores = False
        self._scorer = "TFIDF"

    def load(self, *fields: str) -> "AggregateRequest":
        """LOAD these fields (all of them without arguments)."""
        if fields:
            self._loadfields.extend(fields)
        else:
            self._loadall = True
        return self

    def group_by(self, fields: Union[str, List[str]], *reducers: Reducer) -> "AggregateRequest":
        """GROUPBY ``fields`` with ``reducers``."""
        fields = [fields] if isinstance(fields, str) else fields
        plan = ["GROUPBY", str(len(fields)), *fields]
        for reducer in reducers:
            plan += ["REDUCE", reducer.NAME, str(len(reducer.args)), *reducer.args]
            if reducer._alias is not None:
                plan += ["AS", reducer._alias]
        self._aggregateplan.extend(plan)
        return self

    def apply(self, **kwexpr) -> "AggregateRequest":
        """APPLY ``expression`` AS each keyword (``apply(double="@price*2")``)."""
        for alias, expr in kwexpr.items():
            plan = ["APPLY", expr]
            if alias is not None:
                plan += ["AS", alias]
            self._aggregateplan.extend(plan)
        return self

    def limit(self, offset: int, num: int) -> "AggregateRequest":
        """LIMIT."""
        self._aggregateplan.extend(Limit(offset, num).build_args())
        return self

    def sort_by(self, *fields, **kwargs) -> "AggregateRequest":
        """SORTBY fields (``"@f"``, ``Asc("@f")``, ``Desc("@f")``), ``max=`` MAX."""
        args = []
        for f in fields:
            args += [f.field, f.DIRSTRING] if isinstance(f, (Asc, Desc)) else [f]
        plan = ["SORTBY", str(len(args)), *args]
        max = kwargs.get("max", 0)
        if max > 0:
            plan += ["MAX", str(max)]
        self._aggregateplan.extend(plan)
        return self

    def filter(self, expressions: Union[str, List[str]]) -> "AggregateRequest":
        """FILTER each expression."""
        if isinstance(expressions, str):
            expressions = [expressions]
        for expression in expressions:
            self._aggregateplan.extend(["FILTER", expression])
        return self

    def with_schema(self) -> "AggregateRequest":
        """WITHSCHEMA."""
        self._with_schema = True
        return self

    def add_scores(self) -> "AggregateRequest":
        """ADDSCORES."""
        self._add_scores = True
        return self

    def scorer(self, scorer: str) -> "AggregateRequest":
        """SCORER (TFIDF by default)."""
        self._scorer = scorer
        return self

    def verbatim(self) -> "AggregateRequest":
        """VERBATIM."""
        self._verbatim = True
        return self

    def cursor(self, count: int = 0, max_idle: float = 0.0) -> "AggregateRequest":
        """WITHCURSOR: rows ``count`` at a time; read on with ``aggregate(result.cursor)``."""
        args = ["WITHCURSOR"]
        if count:
            args += ["COUNT", str(count)]
        if max_idle:
            args += ["MAXIDLE", str(max_idle * 1000)]
        self._cursor = args
        return self

    def build_args(self) -> list:
        """FT.AGGREGATE's arguments after the index name."""
        args = [self._query]
        if self._with_schema:
            args.append("WITHSCHEMA")
        if self._verbatim:
            args.append("VERBATIM")
        if self._scorer:
            args += ["SCORER", self._scorer]
        if self._add_scores:
            args.append("ADDSCORES")
        args += self._cursor
        if self._loadall:
            args += ["LOAD", "*"]
        elif self._loadfields:
            args += ["LOAD", str(len(self._loadfields)), *self._loadfields]
        if self._dialect:
            args += ["DIALECT", str(self._dialect)]
        args += self._aggregateplan
        return args

    def dialect(self, dialect: int) -> "AggregateRequest":
        """DIALECT (2 by default)."""
        self._dialect = dialect
        return self


class Cursor:
    """An aggregation cursor (FT.CURSOR READ): ``aggregate(cursor)`` reads the next rows."""

    def __init__(self, cid: int) -> None:
        self.cid = cid
        self.max_idle = 0
        self.count = 0

    def build_args(self) -> list:
        args = [str(self.cid)]
        if self.max_idle:
            args += ["MAXIDLE", str(self.max_idle)]
        if self.count:
            args += ["COUNT", str(self.count)]
        return args


class AggregateResult:
    """FT.AGGREGATE's reply: ``rows`` (each a flat ``[field, value, ...]`` list),
    ``cursor`` (a ``Cursor``, its ``cid`` 0 once exhausted, or ``None``), ``schema``,
    ``total``, ``warnings``."""

    def __init__(self, rows, cursor, schema, total=0, warnings=None) -> None:
        self.rows = rows
        self.cursor = cursor
        self.schema = schema
        self.total = total
        self.warnings = warnings or []

    def __repr__(self) -> str:
        cid = self.cursor.cid if self.cursor else -1
        return (f"<{type(self).__name__} at 0x{id(self):x} Rows={len(self.rows)}, "
                f"Cursor={cid}>")
