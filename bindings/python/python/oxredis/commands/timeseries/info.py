"""``TSInfo`` (redis-py's ``redis.commands.timeseries.info``)."""

from .. import _text

_FIELD_ALIASES = {
    "sourceKey": "source_key", "chunkCount": "chunk_count", "memoryUsage": "memory_usage",
    "totalSamples": "total_samples", "retentionTime": "retention_msecs",
    "lastTimestamp": "last_timestamp", "firstTimestamp": "first_timestamp",
    "maxSamplesPerChunk": "max_samples_per_chunk", "chunkSize": "chunk_size",
    "duplicatePolicy": "duplicate_policy",
}


def _labels(value) -> dict:
    # RESP2: [[name, value]...]; RESP3: a map. Names and values as str.
    if not value:
        return {}
    pairs = value.items() if isinstance(value, dict) else value
    return {_text(k): _text(v) for k, v in pairs}


def _rules(value) -> list:
    # RESP2: [[dest, bucket, aggregation, align]...]; RESP3: {dest: [bucket, ...]}.
    if not value:
        return []
    if isinstance(value, dict):
        return [[k, *v] for k, v in value.items()]
    return value


class TSInfo:
    """TS.INFO: ``rules`` (``[[dest key, bucket, aggregation, align]]``), ``labels`` (a dict
    of ``str``), ``source_key``, ``chunk_count``, ``memory_usage``, ``total_samples``,
    ``retention_msecs``, ``last_timestamp``, ``first_timestamp``, ``chunk_size``,
    ``duplicate_policy`` (``str`` or ``None``); ``info["totalSamples"]`` by the server's
    names too."""

    rules = []
    labels = []
    source_key = chunk_count = memory_usage = total_samples = retention_msecs = None
    last_timestamp = first_timestamp = max_samples_per_chunk = chunk_size = None
    duplicate_policy = None

    def __init__(self, args):
        if isinstance(args, dict):
            response = {_text(k): v for k, v in args.items()}
        else:
            response = {_text(k): v for k, v in zip(args[::2], args[1::2])}
        self.rules = _rules(response.get("rules"))
        self.labels = _labels(response.get("labels"))
        self.source_key = response.get("sourceKey")
        self.chunk_count = response.get("chunkCount")
        self.memory_usage = response.get("memoryUsage")
        self.total_samples = response.get("totalSamples")
        self.retention_msecs = response.get("retentionTime")
        self.last_timestamp = response.get("lastTimestamp")
        self.first_timestamp = response.get("firstTimestamp")
        if "maxSamplesPerChunk" in response:
            self.max_samples_per_chunk = response["maxSamplesPerChunk"]
            self.chunk_size = self.max_samples_per_chunk * 16
        if "chunkSize" in response:
            self.chunk_size = response["chunkSize"]
        if "duplicatePolicy" in response:
            self.duplicate_policy = _text(response["duplicatePolicy"])

    def get(self, item):
        """The field ``item``, or ``None``."""
        try:
            return self[item]
        except AttributeError:
            return None

    def __getitem__(self, item):
        return getattr(self, _FIELD_ALIASES.get(item, item))
