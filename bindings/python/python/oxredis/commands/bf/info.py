"""The INFO replies of the probabilistic structures as objects (redis-py's
``redis.commands.bf.info``): ``BFInfo(reply).capacity``, ``info["capacity"]``."""

from .. import _text


def _fields(reply) -> dict:
    # RESP2's flat [name, value, ...] (RESP3's map arrives flattened too); names as str.
    if isinstance(reply, dict):
        return {_text(k): v for k, v in reply.items()}
    return {_text(k): v for k, v in zip(reply[::2], reply[1::2])}


class _Info:
    # attribute -> the server's field name
    _FIELDS: dict = {}

    def __init__(self, args):
        fields = _fields(args)
        for attr, name in self._FIELDS.items():
            setattr(self, attr, fields[name])

    def get(self, item):
        """The attribute ``item``, or ``None``."""
        try:
            return self[item]
        except AttributeError:
            return None

    def __getitem__(self, item):
        return getattr(self, item)

    def __repr__(self) -> str:
        inner = ", ".join(f"{a}={getattr(self, a)!r}" for a in self._FIELDS)
        return f"{type(self).__name__}({inner})"


class BFInfo(_Info):
    """BF.INFO: ``capacity``, ``size``, ``filterNum``, ``insertedNum``, ``expansionRate``."""

    capacity = size = filterNum = insertedNum = expansionRate = None
    _FIELDS = {"capacity": "Capacity", "size": "Size", "filterNum": "Number of filters",
               "insertedNum": "Number of items inserted", "expansionRate": "Expansion rate"}


class CFInfo(_Info):
    """CF.INFO: ``size``, ``bucketNum``, ``filterNum``, ``insertedNum``, ``deletedNum``,
    ``bucketSize``, ``expansionRate``, ``maxIteration``."""

    size = bucketNum = filterNum = insertedNum = deletedNum = None
    bucketSize = expansionRate = maxIteration = None
    _FIELDS = {"size": "Size", "bucketNum": "Number of buckets",
               "filterNum": "Number of filters", "insertedNum": "Number of items inserted",
               "deletedNum": "Number of items deleted", "bucketSize": "Bucket size",
               "expansionRate": "Expansion rate", "maxIteration": "Max iterations"}


class CMSInfo(_Info):
    """CMS.INFO: ``width``, ``depth``, ``count``."""

    width = depth = count = None
    _FIELDS = {"width": "width", "depth": "depth", "count": "count"}


class TopKInfo(_Info):
    """TOPK.INFO: ``k``, ``width``, ``depth``, ``decay`` (the decay as the server's RESP2
    text, as redis-py gives it)."""

    k = width = depth = decay = None
    _FIELDS = {"k": "k", "width": "width", "depth": "depth", "decay": "decay"}


class TDigestInfo(_Info):
    """TDIGEST.INFO: ``compression``, ``capacity``, ``merged_nodes``, ``unmerged_nodes``,
    ``merged_weight``, ``unmerged_weight``, ``total_compressions``, ``memory_usage``."""

    compression = capacity = merged_nodes = unmerged_nodes = None
    merged_weight = unmerged_weight = total_compressions = memory_usage = None
    _FIELDS = {"compression": "Compression", "capacity": "Capacity",
               "merged_nodes": "Merged nodes", "unmerged_nodes": "Unmerged nodes",
               "merged_weight": "Merged weight", "unmerged_weight": "Unmerged weight",
               "total_compressions": "Total compressions", "memory_usage": "Memory usage"}
