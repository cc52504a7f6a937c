"""Query-string builders (redis-py's ``redis.commands.search.querystring``): nodes that
intersect, unite, negate or make optional their conditions, and field values (numeric ranges,
tags, geo circles), rendered as RediSearch query syntax by ``to_string()`` / ``str()``.

>>> querystring("hello", price=between(10, 20), tags=tags("a", "b"))
'(hello @price:[10 20] @tags:{a | b})'
"""

from __future__ import annotations


# --- field values ----------------------------------------------------------------------------
class Value:
    """A field's value in a query. ``combinable`` values of one field share a group:
    ``@f:(a|b)``; the others each get their own ``@f:...``."""

    combinable = False

    @staticmethod
    def make_value(v) -> "Value":
        """``v`` as a ``Value`` (text and numbers as ``ScalarValue``)."""
        return v if isinstance(v, Value) else ScalarValue(v)

    def to_string(self) -> str:
        raise NotImplementedError()

    def __str__(self) -> str:
        return self.to_string()


class RangeValue(Value):
    """A numeric range ``[a b]``; ``None`` bounds are infinite; an exclusive bound gets ``(``."""

    def __init__(self, a, b, inclusive_min=False, inclusive_max=False):
        self.range = [str("-inf" if a is None else a), str("inf" if b is None else b)]
        self.inclusive_min = inclusive_min
        self.inclusive_max = inclusive_max

    def to_string(self) -> str:
        low = ("" if self.inclusive_min else "(") + self.range[0]
        high = ("" if self.inclusive_max else "(") + self.range[1]
        return f"[{low} {high}]"


class ScalarValue(Value):
    """Text or a number, as written."""

    combinable = True

    def __init__(self, v):
        self.v = str(v)

    def to_string(self) -> str:
        return self.v


class TagValue(Value):
    """Any of these tags: ``{a | b}``."""

    def __init__(self, *tags):
        self.tags = tags

    def to_string(self) -> str:
        return "{" + " | ".join(map(str, self.tags)) + "}"


class GeoValue(Value):
    """Within ``radius`` ``unit`` of ``(lon, lat)``: ``[lon lat radius unit]``."""

    def __init__(self, lon, lat, radius, unit="km"):
        self.lon, self.lat, self.radius, self.unit = lon, lat, radius, unit

    def to_string(self) -> str:
        return f"[{self.lon} {self.lat} {self.radius} {self.unit}]"


def tags(*t) -> TagValue:
    """A tag field matching any of ``t``."""
    if not t:
        raise ValueError("At least one tag must be specified")
    return TagValue(*t)


def between(a, b, inclusive_min=True, inclusive_max=True) -> RangeValue:
    """A numeric field from ``a`` to ``b`` (``None``: unbounded)."""
    return RangeValue(a, b, inclusive_min=inclusive_min, inclusive_max=inclusive_max)


def equal(n) -> RangeValue:
    """A numeric field equal to ``n``."""
    return between(n, n)


def lt(n) -> RangeValue:
    """A numeric field below ``n``."""
    return between(None, n, inclusive_max=False)


def le(n) -> RangeValue:
    """A numeric field at most ``n``."""
    return between(None, n, inclusive_max=True)


def gt(n) -> RangeValue:
    """A numeric field above ``n``."""
    return between(n, None, inclusive_min=False)


def ge(n) -> RangeValue:
    """A numeric field at least ``n``."""
    return between(n, None, inclusive_min=True)


def geo(lat, lon, radius, unit="km") -> GeoValue:
    """A geo field within ``radius`` ``unit`` of ``(lat, lon)``."""
    return GeoValue(lon, lat, radius, unit)


# --- nodes -----------------------------------------------------------------------------------
class Node:
    """Conditions joined by ``JOINSTR``: positional children (nodes or query text) and
    ``field=value`` keywords (text, a number, a ``Value``, or a list of them, e.g.
    ``union(name=("bob", "john"))``)."""

    JOINSTR = " "

    def __init__(self, *children, **kwparams):
        self.params = [Node.to_node(child) for child in children]
        for field, value in kwparams.items():
            if isinstance(value, (str, int, float, Value)):
                values = [Value.make_value(value)]
            else:
                values = [Value.make_value(v) for v in value]
            self.params.extend(self.join_fields(field, values))

    def join_fields(self, key, vals) -> list:
        """The nodes of field ``key``'s values: one group for combinable ones."""
        if len(vals) == 1:
            return [BaseNode(f"@{key}:{vals[0].to_string()}")]
        if not vals[0].combinable:
            return [BaseNode(f"@{key}:{v.to_string()}") for v in vals]
        return [BaseNode(f"@{key}:({self.JOINSTR.join(v.to_string() for v in vals)})")]

    @classmethod
    def to_node(cls, obj) -> "Node":
        """``obj`` as a node (query text as a ``BaseNode``)."""
        return obj if isinstance(obj, Node) else BaseNode(obj)

    def _should_use_paren(self, optval) -> bool:
        return optval if optval is not None else len(self.params) > 1

    def to_string(self, with_parens=None) -> str:
        """The query text; in parentheses when it joins several conditions (or as asked)."""
        text = self.JOINSTR.join(n.to_string() for n in self.params)
        return f"({text})" if self._should_use_paren(with_parens) else text

    def __str__(self) -> str:
        return self.to_string()


class BaseNode(Node):
    """Query text, as written."""

    def __init__(self, s):
        super().__init__()
        self.s = str(s)

    def to_string(self, with_parens=None) -> str:
        return self.s


class IntersectNode(Node):
    """Every condition must hold."""

    JOINSTR = " "


class UnionNode(Node):
    """Any condition may hold."""

    JOINSTR = "|"


class _Prefixed(IntersectNode):
    """A node written as its conditions after ``PREFIX``."""

    PREFIX = ""

    def to_string(self, with_parens=None) -> str:
        text = self.PREFIX + super().to_string(with_parens=False)
        return f"({text})" if self._should_use_paren(with_parens) else text


class DisjunctNode(_Prefixed):
    """No condition may hold: ``-(a b)``."""

    PREFIX = "-"


class DistjunctUnion(DisjunctNode):
    """Not any of the conditions (``disjunct(union(...))``): ``-(a|b)``. (The name is
    redis-py's.)"""

    JOINSTR = "|"


class OptionalNode(_Prefixed):
    """Conditions that raise the score when they hold: ``~(a b)``."""

    PREFIX = "~"


def intersect(*args, **kwargs) -> IntersectNode:
    """Every condition must hold."""
    return IntersectNode(*args, **kwargs)


def union(*args, **kwargs) -> UnionNode:
    """Any condition may hold."""
    return UnionNode(*args, **kwargs)


def disjunct(*args, **kwargs) -> DisjunctNode:
    """No condition may hold."""
    return DisjunctNode(*args, **kwargs)


def disjunct_union(*args, **kwargs) -> DistjunctUnion:
    """Not any of the conditions."""
    return DistjunctUnion(*args, **kwargs)


def querystring(*args, **kwargs) -> str:
    """The query text of ``intersect(*args, **kwargs)``."""
    return intersect(*args, **kwargs).to_string()
