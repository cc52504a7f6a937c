"""RedisTimeSeries (redis-py's ``redis.commands.timeseries``): ``r.ts()``.

The replies are redis-py's RESP2 values on both protocols (redis-py's default,
``legacy_responses=True``): samples as ``(timestamp, float)`` tuples, TS.MGET / TS.MRANGE as
redis-py's sorted lists of ``{key: [labels, ...]}``, TS.INFO as a ``TSInfo``; RESP3's maps are
brought back to those shapes.
"""

from __future__ import annotations

from ...client import OK, RAW, RESP2
from ...exceptions import DataError
from .. import ModuleCommands, ModuleNamespace, _text
from .info import TSInfo, _labels

__all__ = ["TimeSeries", "TimeSeriesCommands", "TSInfo"]


def _native(value):
    value = _text(value)
    return None if value == "null" else value


def _range(reply) -> list:
    """Samples as ``(timestamp, float, ...)`` tuples (redis-py's ``parse_range``)."""
    if not reply:
        return []
    return [(r[0], *[float(v) for v in r[1:]]) for r in reply]


def _range_lists(reply) -> list:
    """Samples as ``[timestamp, float, ...]`` lists (redis-py's ``parse_range_unified``)."""
    if not reply:
        return []
    return [[r[0], *[float(v) for v in r[1:]]] for r in reply]


def _n_range(reply) -> list:
    """TS.NRANGE's rows: ``[[timestamp, [float...]]]``."""
    if not reply:
        return []
    return [[int(row[0]), [float(v) for v in row[1]]] for row in reply]


def _get(reply):
    return (int(reply[0]), float(reply[1])) if reply else None


def _series(reply):
    # RESP2: [[key, labels, data]...]; RESP3: {key: [labels, (metadata,) data]}.
    if isinstance(reply, dict):
        return [(k, v[0], v[1:]) for k, v in reply.items()]
    return [(item[0], item[1], item[2:]) for item in reply]


def _m_get(reply) -> list:
    out = []
    for key, labels, rest in _series(reply):
        sample = rest[-1] if rest else None
        value = [_labels(labels), int(sample[0]), float(sample[1])] if sample else [
            _labels(labels), None, None]
        out.append({_native(key): value})
    return sorted(out, key=lambda d: list(d.keys()))


def _m_range(reply) -> list:
    out = [{_native(key): [_labels(labels), _range(rest[-1])]}
           for key, labels, rest in _series(reply)]
    return sorted(out, key=lambda d: list(d.keys()))


def _to_list(reply) -> list:
    from ..bf import _to_list as parse

    return parse(reply)


class TimeSeriesCommands(ModuleCommands):
    """TS.* (redis-py's ``TimeSeriesCommands``)."""

    @staticmethod
    def _options(params, retention_msecs=None, uncompressed=False, chunk_size=None,
                 duplicate_policy=None, labels=None, ignore_max_time_diff=None,
                 ignore_max_val_diff=None):
        if retention_msecs is not None:
            params += ["RETENTION", retention_msecs]
        if uncompressed:
            params += ["ENCODING", "UNCOMPRESSED"]
        if chunk_size is not None:
            params += ["CHUNK_SIZE", chunk_size]
        if duplicate_policy is not None:
            params += ["DUPLICATE_POLICY", duplicate_policy]
        if labels:
            params.append("LABELS")
            for k, v in labels.items():
                params += [k, v]
        if (ignore_max_time_diff is None) != (ignore_max_val_diff is None):
            raise ValueError("Both ignore_max_time_diff and ignore_max_val_diff must be set.")
        if ignore_max_time_diff is not None:
            params += ["IGNORE", str(ignore_max_time_diff), str(ignore_max_val_diff)]
        return params

    def create(self, key, retention_msecs=None, uncompressed=False, labels=None,
               chunk_size=None, duplicate_policy=None, ignore_max_time_diff=None,
               ignore_max_val_diff=None):
        """TS.CREATE; ``True``."""
        params = self._options([key], retention_msecs, uncompressed, chunk_size,
                               duplicate_policy, labels, ignore_max_time_diff,
                               ignore_max_val_diff)
        return self._send(None, OK, "TS.CREATE", *params)

    def alter(self, key, retention_msecs=None, labels=None, chunk_size=None,
              duplicate_policy=None, ignore_max_time_diff=None, ignore_max_val_diff=None):
        """TS.ALTER; ``True``."""
        params = self._options([key], retention_msecs, False, chunk_size, duplicate_policy,
                               labels, ignore_max_time_diff, ignore_max_val_diff)
        return self._send(None, OK, "TS.ALTER", *params)

    def add(self, key, timestamp, value, retention_msecs=None, uncompressed=False,
            labels=None, chunk_size=None, duplicate_policy=None, ignore_max_time_diff=None,
            ignore_max_val_diff=None, on_duplicate=None):
        """TS.ADD (``timestamp`` ``"*"`` for the server's clock); the sample's timestamp."""
        params = self._options([key, timestamp, value], retention_msecs, uncompressed,
                               chunk_size, duplicate_policy, labels, ignore_max_time_diff,
                               ignore_max_val_diff)
        if on_duplicate is not None:
            params += ["ON_DUPLICATE", on_duplicate]
        return self._send(None, RAW, "TS.ADD", *params)

    def madd(self, ktv_tuples):
        """TS.MADD of ``(key, timestamp, value)`` tuples; each timestamp (or the error in
        its place)."""
        params = []
        for ktv in ktv_tuples:
            params.extend(ktv)
        return self._send(None, RAW, "TS.MADD", *params)

    def _incr(self, command, key, value, timestamp, retention_msecs, uncompressed, labels,
              chunk_size, duplicate_policy, ignore_max_time_diff, ignore_max_val_diff):
        params = [key, value]
        if timestamp is not None:
            params += ["TIMESTAMP", timestamp]
        params = self._options(params, retention_msecs, uncompressed, chunk_size,
                               duplicate_policy, labels, ignore_max_time_diff,
                               ignore_max_val_diff)
        return self._send(None, RAW, command, *params)

    def incrby(self, key, value, timestamp=None, retention_msecs=None, uncompressed=False,
               labels=None, chunk_size=None, duplicate_policy=None, ignore_max_time_diff=None,
               ignore_max_val_diff=None):
        """TS.INCRBY; the sample's timestamp."""
        return self._incr("TS.INCRBY", key, value, timestamp, retention_msecs, uncompressed,
                          labels, chunk_size, duplicate_policy, ignore_max_time_diff,
                          ignore_max_val_diff)

    def decrby(self, key, value, timestamp=None, retention_msecs=None, uncompressed=False,
               labels=None, chunk_size=None, duplicate_policy=None, ignore_max_time_diff=None,
               ignore_max_val_diff=None):
        """TS.DECRBY; the sample's timestamp."""
        return self._incr("TS.DECRBY", key, value, timestamp, retention_msecs, uncompressed,
                          labels, chunk_size, duplicate_policy, ignore_max_time_diff,
                          ignore_max_val_diff)

    def delete(self, key, from_time, to_time):
        """TS.DEL: how many samples were deleted."""
        return self._send(int, RAW, "TS.DEL", key, from_time, to_time)

    def createrule(self, source_key, dest_key, aggregation_type, bucket_size_msec,
                   align_timestamp=None):
        """TS.CREATERULE; ``True``."""
        params = [source_key, dest_key, *self._aggregation(aggregation_type,
                                                           bucket_size_msec)]
        if align_timestamp is not None:
            params.append(align_timestamp)
        return self._send(None, OK, "TS.CREATERULE", *params)

    def deleterule(self, source_key, dest_key):
        """TS.DELETERULE; ``True``."""
        return self._send(None, OK, "TS.DELETERULE", source_key, dest_key)

    @staticmethod
    def _aggregation(aggregation_type, bucket_size_msec) -> list:
        if aggregation_type is None:
            return []
        if isinstance(aggregation_type, list):
            aggregation_type = ",".join(aggregation_type)
        return ["AGGREGATION", aggregation_type, bucket_size_msec]

    def _filters(self, params, latest, filter_by_ts, filter_by_min_value,
                 filter_by_max_value):
        if latest:
            params.append("LATEST")
        if filter_by_ts is not None:
            params += ["FILTER_BY_TS", *filter_by_ts]
        if filter_by_min_value is not None and filter_by_max_value is not None:
            params += ["FILTER_BY_VALUE", filter_by_min_value, filter_by_max_value]

    def _tail(self, params, count, align, aggregation_type, bucket_size_msec,
              bucket_timestamp, empty):
        if count is not None:
            params += ["COUNT", count]
        if align is not None:
            params += ["ALIGN", align]
        params += self._aggregation(aggregation_type, bucket_size_msec)
        if bucket_timestamp is not None:
            params += ["BUCKETTIMESTAMP", bucket_timestamp]
        if empty:
            params.append("EMPTY")

    def _range_params(self, key, from_time, to_time, count, aggregation_type,
                      bucket_size_msec, filter_by_ts, filter_by_min_value,
                      filter_by_max_value, align, latest, bucket_timestamp, empty):
        params = [key, from_time, to_time]
        self._filters(params, latest, filter_by_ts, filter_by_min_value, filter_by_max_value)
        self._tail(params, count, align, aggregation_type, bucket_size_msec, bucket_timestamp,
                   empty)
        return params

    def range(self, key, from_time, to_time, count=None, aggregation_type=None,
              bucket_size_msec=0, filter_by_ts=None, filter_by_min_value=None,
              filter_by_max_value=None, align=None, latest=False, bucket_timestamp=None,
              empty=False):
        """TS.RANGE: ``[(timestamp, float)]``."""
        params = self._range_params(key, from_time, to_time, count, aggregation_type,
                                    bucket_size_msec, filter_by_ts, filter_by_min_value,
                                    filter_by_max_value, align, latest, bucket_timestamp,
                                    empty)
        return self._send(_range, RESP2, "TS.RANGE", *params)

    def revrange(self, key, from_time, to_time, count=None, aggregation_type=None,
                 bucket_size_msec=0, filter_by_ts=None, filter_by_min_value=None,
                 filter_by_max_value=None, align=None, latest=False, bucket_timestamp=None,
                 empty=False):
        """TS.REVRANGE: ``[(timestamp, float)]``, newest first."""
        params = self._range_params(key, from_time, to_time, count, aggregation_type,
                                    bucket_size_msec, filter_by_ts, filter_by_min_value,
                                    filter_by_max_value, align, latest, bucket_timestamp,
                                    empty)
        return self._send(_range, RESP2, "TS.REVRANGE", *params)

    def _mrange_params(self, aggregation_type, bucket_size_msec, count, filters, from_time,
                       to_time, with_labels, filter_by_ts, filter_by_min_value,
                       filter_by_max_value, groupby, reduce, select_labels, align, latest,
                       bucket_timestamp, empty, exclude_empty):
        if (groupby is not None and isinstance(aggregation_type, list)
                and len(aggregation_type) > 1):
            raise DataError("GROUPBY is not allowed when multiple aggregators are specified")
        if exclude_empty and groupby is not None:
            raise DataError("EXCLUDEEMPTY is not allowed with GROUPBY")
        params = [from_time, to_time]
        self._filters(params, latest, filter_by_ts, filter_by_min_value, filter_by_max_value)
        self._labels_option(params, with_labels, select_labels)
        self._tail(params, count, align, aggregation_type, bucket_size_msec, bucket_timestamp,
                   empty)
        if exclude_empty:
            params.append("EXCLUDEEMPTY")
        params += ["FILTER", *filters]
        if groupby is not None and reduce is not None:
            params += ["GROUPBY", groupby, "REDUCE", reduce.upper()]
        return params

    @staticmethod
    def _labels_option(params, with_labels, select_labels):
        if with_labels and select_labels:
            raise DataError("with_labels and select_labels cannot be provided together.")
        if with_labels:
            params.append("WITHLABELS")
        if select_labels:
            params += ["SELECTED_LABELS", *select_labels]

    def mrange(self, from_time, to_time, filters, count=None, aggregation_type=None,
               bucket_size_msec=0, with_labels=False, filter_by_ts=None,
               filter_by_min_value=None, filter_by_max_value=None, groupby=None, reduce=None,
               select_labels=None, align=None, latest=False, bucket_timestamp=None,
               empty=False, exclude_empty=False):
        """TS.MRANGE: ``[{key: [labels, [(timestamp, float)]]}]`` sorted by key."""
        params = self._mrange_params(aggregation_type, bucket_size_msec, count, filters,
                                     from_time, to_time, with_labels, filter_by_ts,
                                     filter_by_min_value, filter_by_max_value, groupby, reduce,
                                     select_labels, align, latest, bucket_timestamp, empty,
                                     exclude_empty)
        return self._send(_m_range, RAW, "TS.MRANGE", *params)

    def mrevrange(self, from_time, to_time, filters, count=None, aggregation_type=None,
                  bucket_size_msec=0, with_labels=False, filter_by_ts=None,
                  filter_by_min_value=None, filter_by_max_value=None, groupby=None,
                  reduce=None, select_labels=None, align=None, latest=False,
                  bucket_timestamp=None, empty=False, exclude_empty=False):
        """TS.MREVRANGE: as ``mrange``, samples newest first."""
        params = self._mrange_params(aggregation_type, bucket_size_msec, count, filters,
                                     from_time, to_time, with_labels, filter_by_ts,
                                     filter_by_min_value, filter_by_max_value, groupby, reduce,
                                     select_labels, align, latest, bucket_timestamp, empty,
                                     exclude_empty)
        return self._send(_m_range, RAW, "TS.MREVRANGE", *params)

    def get(self, key, latest=False):
        """TS.GET: the last sample ``(timestamp, float)``, or ``None``."""
        params = [key, "LATEST"] if latest else [key]
        return self._send(_get, RESP2, "TS.GET", *params)

    def mget(self, filters, with_labels=False, select_labels=None, latest=False):
        """TS.MGET: ``[{key: [labels, timestamp, float]}]`` sorted by key."""
        params = ["LATEST"] if latest else []
        self._labels_option(params, with_labels, select_labels)
        params += ["FILTER", *filters]
        return self._send(_m_get, RAW, "TS.MGET", *params)

    def info(self, key):
        """TS.INFO as a ``TSInfo``."""
        return self._send(TSInfo, RAW, "TS.INFO", key)

    def _n_range_params(self, keys, from_time, to_time, count, aggregators, bucket_size_msec,
                        filter_by_ts, filter_by_min_value, filter_by_max_value, align, latest,
                        bucket_timestamp, empty):
        if not keys:
            raise DataError("At least one key must be provided.")
        params = [len(keys), *keys, from_time, to_time]
        self._filters(params, latest, filter_by_ts, filter_by_min_value, filter_by_max_value)
        if count is not None:
            params += ["COUNT", count]
        if align is not None:
            params += ["ALIGN", align]
        if aggregators is not None:
            specs = [aggregators] if isinstance(aggregators, str) else list(aggregators)
            if len(specs) != len(keys):
                raise DataError(
                    "AGGREGATION requires exactly one aggregation spec per key (expected "
                    f"{len(keys)}, got {len(specs)}); a spec may list multiple "
                    "comma-separated aggregators.")
            params += ["AGGREGATION", *specs, bucket_size_msec]
        if bucket_timestamp is not None:
            params += ["BUCKETTIMESTAMP", bucket_timestamp]
        if empty:
            params.append("EMPTY")
        return params

    def nrange(self, keys, from_time, to_time, count=None, aggregators=None,
               bucket_size_msec=0, filter_by_ts=None, filter_by_min_value=None,
               filter_by_max_value=None, align=None, latest=False, bucket_timestamp=None,
               empty=False):
        """TS.NRANGE (RedisTimeSeries 1.16+): the samples of several series side by side,
        ``[[timestamp, [float per key]]]``."""
        params = self._n_range_params(keys, from_time, to_time, count, aggregators,
                                      bucket_size_msec, filter_by_ts, filter_by_min_value,
                                      filter_by_max_value, align, latest, bucket_timestamp,
                                      empty)
        return self._send(_n_range, RESP2, "TS.NRANGE", *params)

    def nrevrange(self, keys, from_time, to_time, count=None, aggregators=None,
                  bucket_size_msec=0, filter_by_ts=None, filter_by_min_value=None,
                  filter_by_max_value=None, align=None, latest=False, bucket_timestamp=None,
                  empty=False):
        """TS.NREVRANGE: as ``nrange``, newest first."""
        params = self._n_range_params(keys, from_time, to_time, count, aggregators,
                                      bucket_size_msec, filter_by_ts, filter_by_min_value,
                                      filter_by_max_value, align, latest, bucket_timestamp,
                                      empty)
        return self._send(_n_range, RESP2, "TS.NREVRANGE", *params)

    def read(self, key, timestamp, block_milliseconds=None, block_min_count=None,
             max_count=None):
        """TS.READ (RedisTimeSeries 1.16+): the samples after ``timestamp`` (waiting up to
        ``block_milliseconds`` for ``block_min_count`` of them), ``[[timestamp, float]]``."""
        params = [key, timestamp]
        if block_milliseconds is None:
            if block_min_count is not None:
                raise DataError("block_min_count requires block_milliseconds to be set; the "
                                "BLOCK group is all-or-nothing.")
        else:
            params += ["BLOCK", block_milliseconds,
                       1 if block_min_count is None else block_min_count]
        if max_count is not None:
            params += ["MAX_COUNT", max_count]
        return self._send(_range_lists, RESP2, "TS.READ", *params)

    def querylabels(self, label=None, filters=None):
        """TS.QUERYLABELS (RedisTimeSeries 1.16+): the label names (or ``label``'s values)
        of the series matching ``filters`` (all series when ``None``), as a ``set``."""
        params = ["LABELS"] if label is None else ["VALUES", label]
        if filters is not None:
            filters = list(filters)
            if not filters:
                raise DataError("filters cannot be an empty collection; pass None to query "
                                "all indexed series.")
            params += ["FILTER", *filters]
        return self._send(lambda r: set(r) if r else set(), RESP2, "TS.QUERYLABELS", *params)

    def queryindex(self, filters):
        """TS.QUERYINDEX: the keys matching ``filters`` (``str``)."""
        return self._send(_to_list, RESP2, "TS.QUERYINDEX", *filters)


class TimeSeries(TimeSeriesCommands, ModuleNamespace):
    """``r.ts()``: the TimeSeries commands on ``r``."""

    _COMMANDS = TimeSeriesCommands
