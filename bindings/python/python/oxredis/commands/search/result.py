"""``Result``: FT.SEARCH's reply as ``total`` and ``docs`` (redis-py's
``redis.commands.search.result``)."""

from typing import List, Optional

from ._util import to_string
from .document import Document


def _field_value(key, value, field_encodings):
    if field_encodings is None or key not in field_encodings:
        return to_string(value)
    encoding = field_encodings[key]
    return value if encoding is None else to_string(value, encoding=encoding)


def _document(doc_id, fields: dict, score, payload, with_scores) -> Document:
    fields.pop("id", None)
    if "$" in fields:
        fields["json"] = fields.pop("$")
    if with_scores:
        return Document(doc_id, score=score, payload=payload, **fields)
    return Document(doc_id, payload=payload, **fields)


class Result:
    """A search result: ``total`` matches, ``docs`` (``Document`` objects, their fields as
    ``str`` unless ``Query.return_field(decode_field=False)``), ``duration`` (ms)."""

    def __init__(self, res, hascontent, duration=0, has_payload=False, with_scores=False,
                 field_encodings: Optional[dict] = None,
                 warnings: Optional[List[str]] = None):
        # `res` is RESP2's flat reply: [total, id, (score), (payload), (fields)...].
        self.total = res[0]
        self.duration = duration
        self.docs = []
        self.warnings = warnings or []
        step = 1 + bool(hascontent) + bool(has_payload) + bool(with_scores)
        offset = 2 if with_scores else 1
        for i in range(1, len(res), step):
            payload = to_string(res[i + offset]) if has_payload else None
            score = float(res[i + 1]) if with_scores else None
            fields = {}
            fields_at = i + offset + 1 if has_payload else i + offset
            if hascontent and res[fields_at] is not None:
                flat = res[fields_at]
                for key, value in zip(flat[::2], flat[1::2]):
                    key = to_string(key)
                    fields[key] = _field_value(key, value, field_encodings)
            self.docs.append(_document(to_string(res[i]), fields, score, payload, with_scores))

    @classmethod
    def from_resp3(cls, res, duration=0, with_scores=False, field_encodings=None,
                   has_payload=False) -> "Result":
        """From RESP3's map: ``{total_results, results: [{id, score, payload,
        extra_attributes}], warning}``."""
        self = cls.__new__(cls)
        res = {to_string(k): v for k, v in (res or {}).items()}
        self.total = res.get("total_results", 0)
        self.duration = duration
        self.warnings = [to_string(w) for w in res.get("warning", [])]
        self.docs = []
        for item in res.get("results", []):
            item = {to_string(k): v for k, v in item.items()}
            score = float(item["score"]) if with_scores and "score" in item else None
            payload = to_string(item.get("payload")) if has_payload else None
            fields = {}
            for key, value in (item.get("extra_attributes") or {}).items():
                key = to_string(key)
                fields[key] = _field_value(key, value, field_encodings)
            self.docs.append(_document(to_string(item.get("id", "")), fields, score, payload,
                                       with_scores))
        return self

    def __repr__(self) -> str:
        return f"Result{{{self.total} total, docs: {self.docs}}}"
