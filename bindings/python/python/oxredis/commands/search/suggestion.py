"""Autocomplete suggestions (redis-py's ``redis.commands.search.suggestion``)."""

from typing import Optional

from ._util import to_string


class Suggestion:
    """A suggestion sent by ``sugadd`` or returned by ``sugget``."""

    def __init__(self, string: str, score: float = 1.0, payload: Optional[str] = None):
        self.string = to_string(string)
        self.payload = to_string(payload)
        self.score = score

    def __repr__(self) -> str:
        return self.string


class SuggestionParser:
    """FT.SUGGET's flat reply as ``Suggestion`` objects (1, 2 or 3 values each)."""

    def __init__(self, with_scores: bool, with_payloads: bool, ret):
        self.with_scores = with_scores
        self.with_payloads = with_payloads
        self._sugs = ret

    def __iter__(self):
        size = 1 + self.with_scores + self.with_payloads
        for i in range(0, len(self._sugs), size):
            score = float(self._sugs[i + 1]) if self.with_scores else 1.0
            payload = self._sugs[i + size - 1] if self.with_payloads else None
            yield Suggestion(self._sugs[i], score, payload)
