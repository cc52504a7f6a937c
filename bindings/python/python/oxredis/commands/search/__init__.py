"""RediSearch (redis-py's ``redis.commands.search``): ``r.ft(index_name="idx")`` is a
``Search`` whose methods send FT.* commands for that index through ``r``.

Replies are redis-py's RESP2 objects on both protocols (redis-py's default,
``legacy_responses=True``): FT.SEARCH a ``Result`` of ``Document`` objects (in a pipeline, the
RESP2 reply as sent, as redis-py gives it), FT.AGGREGATE an ``AggregateResult`` whose rows are
flat ``[field, value...]`` lists, FT.INFO a dict with ``str`` keys; RESP3's maps are brought back
to those shapes.
"""

from __future__ import annotations

import itertools
import time
import warnings

from ...client import BYTES as _BYTES
from ...client import RAW, RESP2
from .. import ModuleCommands, PipelineNamespace, _text
from ._util import to_string
from .aggregation import AggregateRequest, AggregateResult, Cursor
from .document import Document
from .profile_information import ProfileInformation
from .query import Query
from .result import Result
from .suggestion import SuggestionParser

__all__ = ["Search", "SearchCommands", "Result", "Document", "Query"]


def _deprecated(name: str, version: str, reason: str) -> None:
    warnings.warn(f"Call to deprecated {name}. ({reason}) -- Deprecated since version "
                  f"{version}.", DeprecationWarning, stacklevel=3)


def _schema(fields) -> list:
    try:
        return list(itertools.chain(*(f.redis_args() for f in fields)))
    except TypeError:
        return fields.redis_args()


def _profile_resp2(profile):
    """FT.PROFILE's profile as RESP2 sends it, from RESP3's map: ``[[name, value]...]``, a
    warning of ``None`` as ``[b"Warning"]`` alone, the iterators and result processors as flat
    ``[key, value...]`` lists after their name (their ``Child iterators`` likewise)."""
    if not isinstance(profile, dict):
        return profile
    out = []
    for name, value in profile.items():
        if _text(name) == "Warning" and _text(value) == "None":
            out.append([name])
        elif isinstance(value, list):
            out.append([name, *(_flat_map(v) for v in value)])
        else:
            out.append([name, value])
    return out


def _flat_map(value):
    """One iterator's or result processor's map as RESP2's flat list."""
    if not isinstance(value, dict):
        return value
    out = []
    for key, item in value.items():
        if isinstance(item, list) and item and isinstance(item[0], dict):
            out += [key, *(_flat_map(child) for child in item)]
        else:
            out += [key, item]
    return out


def _resp3_search_to_resp2(res, with_scores, has_payload, has_content) -> list:
    """RESP3's FT.SEARCH map as RESP2's flat reply (for pipelines)."""
    res = {_text(k): v for k, v in res.items()}
    out = [res.get("total_results", 0)]
    for item in res.get("results", []):
        item = {_text(k): v for k, v in item.items()}
        out.append(item.get("id"))
        if with_scores:
            out.append(item.get("score"))
        if has_payload:
            out.append(item.get("payload"))
        if has_content:
            attrs = item.get("extra_attributes") or {}
            out.append([x for pair in attrs.items() for x in pair])
    return out


def _aggregate_rows_resp3(data):
    data = {_text(k): v for k, v in (data or {}).items()}
    rows = []
    for item in data.get("results", []):
        item = {_text(k): v for k, v in item.items()}
        attrs = item.get("extra_attributes") or {}
        rows.append([x for pair in attrs.items() for x in pair])
    return rows, data.get("total_results", 0), [_text(w) for w in data.get("warning", [])]


class SearchCommands(ModuleCommands):
    """The FT.* command methods of one index (redis-py's ``SearchCommands``)."""

    # --- index ---------------------------------------------------------------------------
    def create_index(self, fields, no_term_offsets=False, no_field_flags=False,
                     stopwords=None, definition=None, max_text_fields=False, temporary=None,
                     no_highlight=False, no_term_frequencies=False, skip_initial_scan=False):
        """FT.CREATE of the index with the schema ``fields`` (``TextField``...) and the
        ``definition`` (``IndexDefinition``); ``b"OK"``."""
        args = ["FT.CREATE", self.index_name]
        if definition is not None:
            args += definition.args
        if max_text_fields:
            args.append("MAXTEXTFIELDS")
        if temporary is not None and isinstance(temporary, int):
            args += ["TEMPORARY", temporary]
        if no_term_offsets:
            args.append("NOOFFSETS")
        if no_highlight:
            args.append("NOHL")
        if no_field_flags:
            args.append("NOFIELDS")
        if no_term_frequencies:
            args.append("NOFREQS")
        if skip_initial_scan:
            args.append("SKIPINITIALSCAN")
        if stopwords is not None and isinstance(stopwords, (list, tuple, set)):
            args += ["STOPWORDS", len(stopwords), *stopwords]
        args += ["SCHEMA", *_schema(fields)]
        return self._send(None, RAW, *args)

    def alter_schema_add(self, fields):
        """FT.ALTER ... SCHEMA ADD ``fields``; ``b"OK"``."""
        return self._send(None, RAW, "FT.ALTER", self.index_name, "SCHEMA", "ADD",
                          *_schema(fields))

    def dropindex(self, delete_documents=False):
        """FT.DROPINDEX (DD: with the documents); ``b"OK"``."""
        args = ["FT.DROPINDEX", self.index_name]
        if delete_documents is True:
            args.append("DD")
        return self._send(None, RAW, *args)

    def info(self):
        """FT.INFO as a dict with ``str`` keys (top-level values as ``str`` too; nested
        lists as sent, RESP3's maps as RESP2's flat lists)."""
        def post(res):
            it = map(_text, res)
            return dict(zip(it, it))
        return self._send(post, RESP2, "FT.INFO", self.index_name)

    # --- queries -------------------------------------------------------------------------
    def get_params_args(self, query_params) -> list:
        """PARAMS for ``query_params`` (``{"lo": 5}``: ``$lo`` in the query)."""
        if not query_params:
            return []
        args = ["PARAMS", len(query_params) * 2]
        for key, value in query_params.items():
            args += [key, value]
        return args

    def _mk_query_args(self, query, query_params):
        if isinstance(query, str):
            query = Query(query)
        if not isinstance(query, Query):
            raise ValueError(f"Bad query type {type(query)}")
        return [self.index_name, *query.get_args(), *self.get_params_args(query_params)], query

    def search(self, query, query_params=None):
        """FT.SEARCH with a ``Query`` (or query text): a ``Result``."""
        args, query = self._mk_query_args(query, query_params)
        with_scores, has_payload = query._with_scores, query._with_payloads
        has_content = not query._no_content
        if self._is_pipeline:
            # As redis-py: a pipeline gives the reply as RESP2 sends it.
            def raw(res):
                if isinstance(res, dict):
                    return _resp3_search_to_resp2(res, with_scores, has_payload, has_content)
                return res
            return self._send(raw, RAW, "FT.SEARCH", *args)
        start = time.monotonic()
        encodings = query._return_fields_decode_as

        def post(res):
            duration = (time.monotonic() - start) * 1000.0
            if isinstance(res, dict):
                return Result.from_resp3(res, duration=duration, with_scores=with_scores,
                                         field_encodings=encodings, has_payload=has_payload)
            return Result(res, has_content, duration=duration, has_payload=has_payload,
                          with_scores=with_scores, field_encodings=encodings)
        # Values stay bytes (redis-py's NEVER_DECODE): Result decodes them, except the
        # fields asked for with decode_field=False.
        return self._send(post, _BYTES, "FT.SEARCH", *args)

    def profile(self, query, limited=False, query_params=None):
        """FT.PROFILE of a ``Query`` (FT.SEARCH) or an ``AggregateRequest`` (FT.AGGREGATE):
        ``(result, ProfileInformation)``, the result as ``search``/``aggregate`` give it, the
        profile in RESP2's nested lists on both protocols (timings as each protocol sends
        them: text in RESP2, ``float`` in RESP3); ``limited``: without the reader iterators'
        details."""
        start = time.monotonic()
        cmd = ["FT.PROFILE", self.index_name, ""]
        if limited:
            cmd.append("LIMITED")
        cmd.append("QUERY")
        if isinstance(query, AggregateRequest):
            cmd[2] = "AGGREGATE"
            cmd += query.build_args()
        elif isinstance(query, Query):
            cmd[2] = "SEARCH"
            cmd += query.get_args()
            cmd += self.get_params_args(query_params)
        else:
            raise ValueError("Must provide AggregateRequest object or Query object.")

        def post(res):
            duration = (time.monotonic() - start) * 1000.0
            if isinstance(res, dict):
                # RESP3: the results' map with the profile under its own key.
                results = {k: v for k, v in res.items() if _text(k).lower() != "profile"}
                profile = next((v for k, v in res.items() if _text(k).lower() == "profile"),
                               None)
            else:
                results, profile = res[0], res[1]
            info = ProfileInformation(_profile_resp2(profile))
            if isinstance(query, AggregateRequest):
                if isinstance(results, dict):
                    rows, total, warns = _aggregate_rows_resp3(results)
                    return AggregateResult(rows, None, None, total=total, warnings=warns), info
                return AggregateResult(results[1:], None, None, total=results[0]), info
            if isinstance(results, dict):
                return Result.from_resp3(results, duration=duration,
                                         with_scores=query._with_scores,
                                         field_encodings=query._return_fields_decode_as,
                                         has_payload=query._with_payloads), info
            return Result(results, not query._no_content, duration=duration,
                          has_payload=query._with_payloads, with_scores=query._with_scores,
                          field_encodings=query._return_fields_decode_as), info
        # A search's values stay bytes (see `search`); an aggregation's are decoded as usual.
        return self._send(post, RAW if cmd[2] == "AGGREGATE" else _BYTES, *cmd)

    def explain(self, query, query_params=None):
        """FT.EXPLAIN: the query's execution plan (text)."""
        args, _ = self._mk_query_args(query, query_params)
        return self._send(None, RAW, "FT.EXPLAIN", *args)

    def explain_cli(self, query):
        """Not implemented (as in redis-py)."""
        raise NotImplementedError("EXPLAINCLI will not be implemented.")

    def aggregate(self, query, query_params=None):
        """FT.AGGREGATE of an ``AggregateRequest`` (or FT.CURSOR READ of a ``Cursor``): an
        ``AggregateResult``."""
        if isinstance(query, AggregateRequest):
            has_cursor = bool(query._cursor)
            cmd = ["FT.AGGREGATE", self.index_name, *query.build_args()]
        elif isinstance(query, Cursor):
            has_cursor = True
            cmd = ["FT.CURSOR", "READ", self.index_name, *query.build_args()]
        else:
            raise ValueError("Bad query", query)
        cmd += self.get_params_args(query_params)

        def post(raw):
            cursor = None
            if has_cursor:
                if isinstance(query, Cursor):
                    query.cid = raw[1]
                    cursor = query
                else:
                    cursor = Cursor(raw[1])
                raw = raw[0]
            if isinstance(raw, dict):
                rows, total, warns = _aggregate_rows_resp3(raw)
                return AggregateResult(rows, cursor, None, total=total, warnings=warns)
            if isinstance(query, AggregateRequest) and query._with_schema:
                return AggregateResult(raw[2:], cursor, raw[0], total=raw[1])
            return AggregateResult(raw[1:], cursor, None, total=raw[0])
        return self._send(post, RAW, *cmd)

    def spellcheck(self, query, distance=None, include=None, exclude=None):
        """FT.SPELLCHECK: ``{term: [{"score": text, "suggestion": text}]}``."""
        cmd = ["FT.SPELLCHECK", self.index_name, query]
        if distance:
            cmd += ["DISTANCE", distance]
        if include:
            cmd += ["TERMS", "INCLUDE", include]
        if exclude:
            cmd += ["TERMS", "EXCLUDE", exclude]
        return self._send(_spellcheck, RAW, *cmd)

    def tagvals(self, tagfield):
        """FT.TAGVALS: the values of a TAG field."""
        return self._send(None, RESP2, "FT.TAGVALS", self.index_name, tagfield)

    # --- dictionaries, aliases, synonyms -------------------------------------------------
    def dict_add(self, name, *terms):
        """FT.DICTADD: how many terms were new."""
        return self._send(None, RAW, "FT.DICTADD", name, *terms)

    def dict_del(self, name, *terms):
        """FT.DICTDEL: how many terms were deleted."""
        return self._send(None, RAW, "FT.DICTDEL", name, *terms)

    def dict_dump(self, name):
        """FT.DICTDUMP: the dictionary's terms."""
        return self._send(None, RESP2, "FT.DICTDUMP", name)

    def aliasadd(self, alias):
        """FT.ALIASADD ``alias`` for this index; ``b"OK"``."""
        return self._send(None, RAW, "FT.ALIASADD", alias, self.index_name)

    def aliasupdate(self, alias):
        """FT.ALIASUPDATE: ``alias`` now names this index; ``b"OK"``."""
        return self._send(None, RAW, "FT.ALIASUPDATE", alias, self.index_name)

    def aliasdel(self, alias):
        """FT.ALIASDEL; ``b"OK"``."""
        return self._send(None, RAW, "FT.ALIASDEL", alias)

    def synupdate(self, groupid, skipinitial=False, *terms):
        """FT.SYNUPDATE: adds ``terms`` to the synonym group ``groupid``; ``b"OK"``."""
        cmd = ["FT.SYNUPDATE", self.index_name, groupid]
        if skipinitial:
            cmd.append("SKIPINITIALSCAN")
        return self._send(None, RAW, *cmd, *terms)

    def syndump(self):
        """FT.SYNDUMP: ``{term: [group ids]}``."""
        def post(res):
            if isinstance(res, dict):
                return dict(res)
            return dict(zip(res[::2], res[1::2]))
        return self._send(post, RAW, "FT.SYNDUMP", self.index_name)

    # --- suggestions ---------------------------------------------------------------------
    def sugadd(self, key, *suggestions, **kwargs):
        """FT.SUGADD of each ``Suggestion`` (``increment=True``: INCR); the dictionary's
        size after the last one."""
        reply = None
        for sug in suggestions:
            args = ["FT.SUGADD", key, sug.string, sug.score]
            if kwargs.get("increment"):
                args.append("INCR")
            if sug.payload:
                args += ["PAYLOAD", sug.payload]
            reply = self._send(None, RAW, *args)
        return reply

    def suglen(self, key):
        """FT.SUGLEN."""
        return self._send(None, RAW, "FT.SUGLEN", key)

    def sugdel(self, key, string):
        """FT.SUGDEL: 1 if ``string`` was there, else 0."""
        return self._send(None, RAW, "FT.SUGDEL", key, string)

    def sugget(self, key, prefix, fuzzy=False, num=10, with_scores=False,
               with_payloads=False):
        """FT.SUGGET: ``Suggestion`` objects completing ``prefix``."""
        args = ["FT.SUGGET", key, prefix, "MAX", num]
        if fuzzy:
            args.append("FUZZY")
        if with_scores:
            args.append("WITHSCORES")
        if with_payloads:
            args.append("WITHPAYLOADS")

        def post(res):
            return list(SuggestionParser(with_scores, with_payloads, res)) if res else []
        return self._send(post, RESP2, *args)

    # --- documents -----------------------------------------------------------------------
    def load_document(self, id, field_encodings=None):
        """The hash ``id`` as a ``Document`` (HGETALL; values decoded unless
        ``field_encodings`` maps a field to ``None``)."""
        def post(res):
            pairs = res.items() if isinstance(res, dict) else zip(res[::2], res[1::2])
            fields = {}
            for k, v in pairs:
                k = to_string(k)
                if field_encodings is not None and k in field_encodings:
                    enc = field_encodings[k]
                    fields[k] = v if enc is None else to_string(v, enc)
                else:
                    fields[k] = to_string(v)
            fields.pop("id", None)
            return Document(id=id, **fields)
        return self._send(post, _BYTES, "HGETALL", id)

    def add_document(self, doc_id, nosave=False, score=1.0, payload=None, replace=False,
                     partial=False, language=None, no_create=False, **fields):
        """FT.ADD (removed in RediSearch 2.0: use ``hset``)."""
        _deprecated("add_document", "2.0.0", "deprecated since redisearch 2.0, call hset "
                    "instead")
        if partial or no_create:
            replace = True
        args = ["FT.ADD", self.index_name, doc_id, score]
        if nosave:
            args.append("NOSAVE")
        if payload is not None:
            args += ["PAYLOAD", payload]
        if replace:
            args.append("REPLACE")
            if partial:
                args.append("PARTIAL")
            if no_create:
                args.append("NOCREATE")
        if language:
            args += ["LANGUAGE", language]
        args += ["FIELDS", *itertools.chain(*fields.items())]
        return self._send(None, RAW, *args)

    def delete_document(self, doc_id, conn=None, delete_actual_document=False):
        """FT.DEL (removed in RediSearch 2.0: use ``delete``)."""
        _deprecated("delete_document", "2.0.0", "deprecated since redisearch 2.0")
        args = ["FT.DEL", self.index_name, doc_id]
        if delete_actual_document:
            args.append("DD")
        if conn is not None:
            return conn.execute_command(*args)
        return self._send(None, RAW, *args)

    def get(self, *ids):
        """FT.MGET (deprecated by redis-py): each document's fields as a flat list, or
        ``None``."""
        _deprecated("get", "2.0.0", "deprecated since redisearch 2.0")
        return self._send(None, RESP2, "FT.MGET", self.index_name, *ids)

    def config_set(self, option, value):
        """FT.CONFIG SET (deprecated by redis-py for CONFIG SET). As redis-py, ``True`` only
        when the reply compares equal to ``"OK"``: with ``decode_responses`` off the reply is
        ``b"OK"`` and this is ``False``."""
        _deprecated("config_set", "8.0.0", "deprecated since Redis 8.0, call config_set from "
                    "core module instead")
        return self._send(lambda r: r == "OK", RAW, "FT.CONFIG", "SET", option, value)

    def config_get(self, option):
        """FT.CONFIG GET (deprecated by redis-py for CONFIG GET): ``{option: value}``."""
        _deprecated("config_get", "8.0.0", "deprecated since Redis 8.0, call config_get from "
                    "core module instead")

        def post(res):
            if isinstance(res, dict):
                return dict(res)
            return {kv[0]: kv[1] for kv in res} if res else {}
        return self._send(post, RAW, "FT.CONFIG", "GET", option)


def _spellcheck(res) -> dict:
    corrections = {}
    if isinstance(res, dict):
        res = {_text(k): v for k, v in res.items()}
        results = res.get("results", {})
        for term, suggestions in results.items():
            entries = []
            for suggestion in suggestions or []:
                for word, score in suggestion.items():
                    text = format(score, ".17g") if isinstance(score, float) else str(score)
                    if isinstance(word, bytes):
                        text = text.encode()
                    entries.append({"score": text, "suggestion": word})
            if entries:
                corrections[term] = entries
        return corrections
    if res == 0:
        return corrections
    for item in res:
        if isinstance(item, int) or len(item) != 3 or not item[2]:
            continue
        corrections[item[1]] = [{"score": s[0], "suggestion": s[1]} for s in item[2]]
    return corrections


class Search(SearchCommands, PipelineNamespace):
    """``r.ft(index_name)``: the Search commands of one index on ``r``."""

    _COMMANDS = SearchCommands

    class BatchIndexer:
        """Adds documents (FT.ADD) in pipelines of ``chunk_size``, sent by ``commit()`` (and
        when a chunk is full). Blocking clients only."""

        def __init__(self, client, chunk_size=1000):
            self.client = client
            self.execute_command = client.execute_command
            self._pipeline = client.pipeline(transaction=False, shard_hint=None)
            self.total = 0
            self.chunk_size = chunk_size
            self.current_chunk = 0

        def __del__(self):
            if self.current_chunk:
                self.commit()

        def add_document(self, doc_id, nosave=False, score=1.0, payload=None, replace=False,
                         partial=False, no_create=False, **fields):
            """Queues FT.ADD of one document."""
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                self._pipeline.add_document(doc_id, nosave=nosave, score=score,
                                            payload=payload, replace=replace,
                                            partial=partial, no_create=no_create, **fields)
            self.current_chunk += 1
            self.total += 1
            if self.current_chunk >= self.chunk_size:
                self.commit()

        def commit(self):
            """Sends the queued documents."""
            self._pipeline.execute()
            self.current_chunk = 0

    def __init__(self, client, index_name="idx"):
        PipelineNamespace.__init__(self, client)
        self.index_name = index_name

    def batch_indexer(self, chunk_size=100):
        """A ``BatchIndexer`` adding documents ``chunk_size`` at a time."""
        return self.BatchIndexer(self, chunk_size=chunk_size)

    def _pipeline_state(self) -> dict:
        return {**PipelineNamespace._pipeline_state(self), "index_name": self.index_name}

