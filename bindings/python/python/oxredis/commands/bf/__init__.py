"""RedisBloom (redis-py's ``redis.commands.bf``): ``r.bf()``, ``r.cf()``, ``r.cms()``,
``r.topk()``, ``r.tdigest()``.

The replies are redis-py's RESP2 values on both protocols (redis-py's default,
``legacy_responses=True``; on RESP3 redis-py itself passes RESP3's booleans, maps and doubles
through): each reply is read in its RESP2 form (RESP3's booleans as 1/0, maps as flat lists,
doubles as their ``%.17g`` text) and shaped as redis-py's RESP2 callbacks shape it.
"""

from __future__ import annotations

from ...client import BYTES, OK, RESP2
from .. import ModuleCommands, ModuleNamespace, _text
from .info import BFInfo, CFInfo, CMSInfo, TDigestInfo, TopKInfo

__all__ = ["BFBloom", "CFBloom", "CMSBloom", "TOPKBloom", "TDigestBloom", "BFInfo", "CFInfo",
           "CMSInfo", "TopKInfo", "TDigestInfo"]

_SPECIAL = {"infinity", "nan", "-infinity"}


def _to_list(reply) -> list:
    """redis-py's ``parse_to_list``: each item as ``int``, else ``float``, else ``str``
    (``nan`` and ``infinity`` stay text); ``None`` stays."""
    out = []
    if reply is None:
        return out
    for item in reply:
        if item is None or isinstance(item, float):
            out.append(item)
            continue
        text = _text(item)
        if isinstance(text, str) and text.lower() in _SPECIAL:
            out.append(text)
            continue
        try:
            out.append(int(item))
        except (ValueError, OverflowError, TypeError):
            try:
                out.append(float(item))
            except (ValueError, TypeError):
                out.append(text)
    return out


def _float(reply):
    return float(reply)


class _BloomCommands(ModuleCommands):
    def _run(self, post, *args):
        return self._send(post, RESP2, *args)


class BFCommands(_BloomCommands):
    """BF.* (redis-py's ``BFCommands``)."""

    def create(self, key, errorRate, capacity, expansion=None, noScale=None):
        """BF.RESERVE; ``True``."""
        params = [key, errorRate, capacity]
        if expansion is not None:
            params += ["EXPANSION", expansion]
        if noScale is not None:
            params.append("NONSCALING")
        return self._send(None, OK, "BF.RESERVE", *params)

    reserve = create

    def add(self, key, item):
        """BF.ADD: 1 if ``item`` was added, 0 if it may have been there."""
        return self._run(None, "BF.ADD", key, item)

    def madd(self, key, *items):
        """BF.MADD: a 1 or 0 per item."""
        return self._run(None, "BF.MADD", key, *items)

    def insert(self, key, items, capacity=None, error=None, noCreate=None, expansion=None,
               noScale=None):
        """BF.INSERT: adds ``items`` (creating the filter unless ``noCreate``); a 1 or 0 per
        item."""
        params = [key]
        if capacity is not None:
            params += ["CAPACITY", capacity]
        if error is not None:
            params += ["ERROR", error]
        if expansion is not None:
            params += ["EXPANSION", expansion]
        if noCreate is not None:
            params.append("NOCREATE")
        if noScale is not None:
            params.append("NONSCALING")
        return self._run(None, "BF.INSERT", *params, "ITEMS", *items)

    def exists(self, key, item):
        """BF.EXISTS: 1 if ``item`` may be in the filter, else 0."""
        return self._run(None, "BF.EXISTS", key, item)

    def mexists(self, key, *items):
        """BF.MEXISTS: a 1 or 0 per item."""
        return self._run(None, "BF.MEXISTS", key, *items)

    def scandump(self, key, iter):
        """BF.SCANDUMP: ``[next iter, data bytes]`` (``[0, None]`` at the end); the data
        stays ``bytes`` when decoding."""
        return self._send(None, BYTES, "BF.SCANDUMP", key, iter)

    def loadchunk(self, key, iter, data):
        """BF.LOADCHUNK: restores one chunk of ``scandump``."""
        return self._run(None, "BF.LOADCHUNK", key, iter, data)

    def info(self, key):
        """BF.INFO as a ``BFInfo``."""
        return self._run(BFInfo, "BF.INFO", key)

    def card(self, key):
        """BF.CARD: the number of items added."""
        return self._run(None, "BF.CARD", key)


class CFCommands(_BloomCommands):
    """CF.* (redis-py's ``CFCommands``)."""

    def create(self, key, capacity, expansion=None, bucket_size=None, max_iterations=None):
        """CF.RESERVE; ``True``."""
        params = [key, capacity]
        if expansion is not None:
            params += ["EXPANSION", expansion]
        if bucket_size is not None:
            params += ["BUCKETSIZE", bucket_size]
        if max_iterations is not None:
            params += ["MAXITERATIONS", max_iterations]
        return self._send(None, OK, "CF.RESERVE", *params)

    reserve = create

    def add(self, key, item):
        """CF.ADD: 1."""
        return self._run(None, "CF.ADD", key, item)

    def addnx(self, key, item):
        """CF.ADDNX: 1 if added, 0 if ``item`` may be there already."""
        return self._run(None, "CF.ADDNX", key, item)

    def _insert(self, command, key, items, capacity, nocreate):
        params = [key]
        if capacity is not None:
            params += ["CAPACITY", capacity]
        if nocreate is not None:
            params.append("NOCREATE")
        return self._run(None, command, *params, "ITEMS", *items)

    def insert(self, key, items, capacity=None, nocreate=None):
        """CF.INSERT: a 1 per item added."""
        return self._insert("CF.INSERT", key, items, capacity, nocreate)

    def insertnx(self, key, items, capacity=None, nocreate=None):
        """CF.INSERTNX: a 1 or 0 per item."""
        return self._insert("CF.INSERTNX", key, items, capacity, nocreate)

    def exists(self, key, item):
        """CF.EXISTS: 1 if ``item`` may be there, else 0."""
        return self._run(None, "CF.EXISTS", key, item)

    def mexists(self, key, *items):
        """CF.MEXISTS: a 1 or 0 per item."""
        return self._run(None, "CF.MEXISTS", key, *items)

    def delete(self, key, item):
        """CF.DEL: 1 if one copy of ``item`` was deleted, else 0."""
        return self._run(None, "CF.DEL", key, item)

    def count(self, key, item):
        """CF.COUNT: how many times ``item`` may have been added."""
        return self._run(None, "CF.COUNT", key, item)

    def scandump(self, key, iter):
        """CF.SCANDUMP: ``[next iter, data]`` (``[0, None]`` at the end)."""
        return self._run(None, "CF.SCANDUMP", key, iter)

    def loadchunk(self, key, iter, data):
        """CF.LOADCHUNK: restores one chunk of ``scandump``."""
        return self._run(None, "CF.LOADCHUNK", key, iter, data)

    def info(self, key):
        """CF.INFO as a ``CFInfo``."""
        return self._run(CFInfo, "CF.INFO", key)


class CMSCommands(_BloomCommands):
    """CMS.* (redis-py's ``CMSCommands``)."""

    def initbydim(self, key, width, depth):
        """CMS.INITBYDIM; ``True``."""
        return self._send(None, OK, "CMS.INITBYDIM", key, width, depth)

    def initbyprob(self, key, error, probability):
        """CMS.INITBYPROB; ``True``."""
        return self._send(None, OK, "CMS.INITBYPROB", key, error, probability)

    def incrby(self, key, items, increments):
        """CMS.INCRBY: each item's count after the increment."""
        params = [key]
        for item, increment in zip(items, increments):
            params += [item, increment]
        return self._run(None, "CMS.INCRBY", *params)

    def query(self, key, *items):
        """CMS.QUERY: each item's count."""
        return self._run(None, "CMS.QUERY", key, *items)

    def merge(self, destKey, numKeys, srcKeys, weights=[]):  # noqa: B006 - redis-py's
        """CMS.MERGE of ``srcKeys`` into ``destKey`` (with ``weights``); ``True``."""
        params = [destKey, numKeys, *srcKeys]
        if len(weights) > 0:
            params += ["WEIGHTS", *weights]
        return self._send(None, OK, "CMS.MERGE", *params)

    def info(self, key):
        """CMS.INFO as a ``CMSInfo``."""
        return self._run(CMSInfo, "CMS.INFO", key)


class TOPKCommands(_BloomCommands):
    """TOPK.* (redis-py's ``TOPKCommands``)."""

    def reserve(self, key, k, width, depth, decay):
        """TOPK.RESERVE; ``True``."""
        return self._send(None, OK, "TOPK.RESERVE", key, k, width, depth, decay)

    def add(self, key, *items):
        """TOPK.ADD: per item, the item it pushed out of the top k (``str``), or ``None``."""
        return self._run(_to_list, "TOPK.ADD", key, *items)

    def incrby(self, key, items, increments):
        """TOPK.INCRBY: per item, the item it pushed out, or ``None``."""
        params = [key]
        for item, increment in zip(items, increments):
            params += [item, increment]
        return self._run(_to_list, "TOPK.INCRBY", *params)

    def query(self, key, *items):
        """TOPK.QUERY: a 1 or 0 per item (whether it is in the top k)."""
        return self._run(None, "TOPK.QUERY", key, *items)

    def count(self, key, *items):
        """TOPK.COUNT (deprecated by RedisBloom): each item's estimated count."""
        import warnings

        warnings.warn("Call to deprecated count. (deprecated since redisbloom 2.4.0) -- Deprecated since version 4.4.0.",
                      DeprecationWarning, stacklevel=2)
        return self._run(None, "TOPK.COUNT", key, *items)

    def list(self, key, withcount=False):
        """TOPK.LIST: the top k items (``str``), with their counts after each when
        ``withcount``."""
        params = [key, "WITHCOUNT"] if withcount else [key]
        return self._run(_to_list, "TOPK.LIST", *params)

    def info(self, key):
        """TOPK.INFO as a ``TopKInfo``."""
        return self._run(TopKInfo, "TOPK.INFO", key)


class TDigestCommands(_BloomCommands):
    """TDIGEST.* (redis-py's ``TDigestCommands``)."""

    def create(self, key, compression=100):
        """TDIGEST.CREATE; ``True``."""
        return self._send(None, OK, "TDIGEST.CREATE", key, "COMPRESSION", compression)

    def reset(self, key):
        """TDIGEST.RESET: ``b"OK"`` (as sent, as redis-py gives it)."""
        return self._run(None, "TDIGEST.RESET", key)

    def add(self, key, values):
        """TDIGEST.ADD of the observations ``values``: ``b"OK"``."""
        return self._run(None, "TDIGEST.ADD", key, *values)

    def merge(self, destination_key, num_keys, *keys, compression=None, override=False):
        """TDIGEST.MERGE of ``keys`` into ``destination_key``: ``b"OK"``."""
        params = [destination_key, num_keys, *keys]
        if compression is not None:
            params += ["COMPRESSION", compression]
        if override:
            params.append("OVERRIDE")
        return self._run(None, "TDIGEST.MERGE", *params)

    def min(self, key):
        """TDIGEST.MIN as a ``float`` (``nan`` when empty)."""
        return self._run(_float, "TDIGEST.MIN", key)

    def max(self, key):
        """TDIGEST.MAX as a ``float`` (``nan`` when empty)."""
        return self._run(_float, "TDIGEST.MAX", key)

    def quantile(self, key, quantile, *quantiles):
        """TDIGEST.QUANTILE: the value at each quantile (``int`` where integral, as
        redis-py's ``parse_to_list``)."""
        return self._run(_to_list, "TDIGEST.QUANTILE", key, quantile, *quantiles)

    def cdf(self, key, value, *values):
        """TDIGEST.CDF: the fraction of observations at or below each value."""
        return self._run(_to_list, "TDIGEST.CDF", key, value, *values)

    def info(self, key):
        """TDIGEST.INFO as a ``TDigestInfo``."""
        return self._run(TDigestInfo, "TDIGEST.INFO", key)

    def trimmed_mean(self, key, low_cut_quantile, high_cut_quantile):
        """TDIGEST.TRIMMED_MEAN as a ``float``."""
        return self._run(_float, "TDIGEST.TRIMMED_MEAN", key, low_cut_quantile,
                         high_cut_quantile)

    def rank(self, key, value, *values):
        """TDIGEST.RANK: each value's estimated rank."""
        return self._run(None, "TDIGEST.RANK", key, value, *values)

    def revrank(self, key, value, *values):
        """TDIGEST.REVRANK: each value's estimated reverse rank."""
        return self._run(None, "TDIGEST.REVRANK", key, value, *values)

    def byrank(self, key, rank, *ranks):
        """TDIGEST.BYRANK: the value at each rank (``inf`` past the end)."""
        return self._run(_to_list, "TDIGEST.BYRANK", key, rank, *ranks)

    def byrevrank(self, key, rank, *ranks):
        """TDIGEST.BYREVRANK: the value at each reverse rank."""
        return self._run(_to_list, "TDIGEST.BYREVRANK", key, rank, *ranks)


class BFBloom(BFCommands, ModuleNamespace):
    """``r.bf()``: the Bloom filter commands on ``r``."""

    _COMMANDS = BFCommands


class CFBloom(CFCommands, ModuleNamespace):
    """``r.cf()``: the cuckoo filter commands on ``r``."""

    _COMMANDS = CFCommands


class CMSBloom(CMSCommands, ModuleNamespace):
    """``r.cms()``: the count-min sketch commands on ``r``."""

    _COMMANDS = CMSCommands


class TOPKBloom(TOPKCommands, ModuleNamespace):
    """``r.topk()``: the top-k commands on ``r``."""

    _COMMANDS = TOPKCommands


class TDigestBloom(TDigestCommands, ModuleNamespace):
    """``r.tdigest()``: the t-digest commands on ``r``."""

    _COMMANDS = TDigestCommands
