"""GROUPBY reducers (redis-py's ``redis.commands.search.reducers``):
``count()``, ``sum("@f")``, ``avg``, ``min``, ``max``, ``tolist``, ``count_distinct``,
``count_distinctish``, ``quantile("@f", 0.5)``, ``stddev``, ``first_value``,
``random_sample``, ``collect``."""

import builtins
from typing import Iterable, Union

from .aggregation import Asc, Desc, Reducer, SortDirection


def _at(name: str) -> str:
    return name if name.startswith("@") else "@" + name


class FieldOnlyReducer(Reducer):
    """A reducer of one field."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self._field = field


class count(Reducer):
    """COUNT."""

    NAME = "COUNT"

    def __init__(self) -> None:
        super().__init__()


class sum(FieldOnlyReducer):
    """SUM of a field."""

    NAME = "SUM"


class min(FieldOnlyReducer):
    """MIN of a field."""

    NAME = "MIN"


class max(FieldOnlyReducer):
    """MAX of a field."""

    NAME = "MAX"


class avg(FieldOnlyReducer):
    """AVG of a field."""

    NAME = "AVG"


class tolist(FieldOnlyReducer):
    """TOLIST: the distinct values of a field."""

    NAME = "TOLIST"


class count_distinct(FieldOnlyReducer):
    """COUNT_DISTINCT."""

    NAME = "COUNT_DISTINCT"


class count_distinctish(FieldOnlyReducer):
    """COUNT_DISTINCTISH (approximate)."""

    NAME = "COUNT_DISTINCTISH"


class quantile(Reducer):
    """QUANTILE ``pct`` of a field."""

    NAME = "QUANTILE"

    def __init__(self, field: str, pct: float) -> None:
        super().__init__(field, str(pct))
        self._field = field


class stddev(FieldOnlyReducer):
    """STDDEV of a field."""

    NAME = "STDDEV"


class first_value(Reducer):
    """FIRST_VALUE of a field, ordered ``BY`` the given ``Asc``/``Desc`` fields (or the
    direction class alone, for the field itself)."""

    NAME = "FIRST_VALUE"

    def __init__(self, field: str, *byfields) -> None:
        if (len(byfields) == 1 and isinstance(byfields[0], type)
                and issubclass(byfields[0], SortDirection)):
            byfields = [byfields[0](field)]
        by = [x for f in byfields for x in (f.field, f.DIRSTRING)]
        super().__init__(field, *(["BY", *by] if by else []))
        self._field = field


class random_sample(Reducer):
    """RANDOM_SAMPLE of ``size`` values of a field."""

    NAME = "RANDOM_SAMPLE"

    def __init__(self, field: str, size: int) -> None:
        super().__init__(field, str(size))
        self._field = field


class collect(Reducer):
    """COLLECT (newer servers): the ``fields`` of each row, ``distinct``, sorted, limited."""

    NAME = "COLLECT"

    def __init__(self, fields: Union[str, Iterable[str]] = "*", distinct: bool = False,
                 sort_by=None, limit=None) -> None:
        if fields == "*":
            args = ["FIELDS", "*"]
        else:
            names = [fields] if isinstance(fields, str) else builtins.list(fields)
            if not names or any(not n.strip() for n in names):
                raise ValueError("collect fields must be '*' or a non-empty list of names")
            args = ["FIELDS", str(len(names)), *[_at(n) for n in names]]
        if distinct:
            args.append("DISTINCT")
        if sort_by is not None:
            order = [sort_by] if isinstance(sort_by, (Asc, Desc)) else sort_by
            sort_args = [x for f in order for x in (_at(f.field), f.DIRSTRING)]
            if not sort_args:
                raise ValueError("collect sort_by must contain at least one field")
            args += ["SORTBY", str(len(sort_args)), *sort_args]
        if limit is not None:
            offset, n = limit
            args += ["LIMIT", str(offset), str(n)]
        super().__init__(*args)
