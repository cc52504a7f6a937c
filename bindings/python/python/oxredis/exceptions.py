"""Exceptions, with redis-py's names and hierarchy (``redis.exceptions``)."""


class RedisError(Exception):
    """Base class of every oxredis error."""


class ConnectionError(RedisError):  # noqa: A001 - redis-py's name
    """The connection failed or broke."""


class TimeoutError(RedisError):  # noqa: A001 - redis-py's name
    """A connect or read deadline passed."""


class AuthenticationError(ConnectionError):
    """The server refused the credentials."""


class AuthorizationError(ConnectionError):
    """The user may not do this."""


class BusyLoadingError(ConnectionError):
    """The server is loading its dataset (LOADING)."""


class MasterNotFoundError(ConnectionError):
    """The sentinels know no usable primary for the service, or none of them answered
    (``redis.sentinel.MasterNotFoundError``)."""


class SlaveNotFoundError(ConnectionError):
    """Neither a replica of the service nor its primary answered
    (``redis.sentinel.SlaveNotFoundError``)."""


ReplicaNotFoundError = SlaveNotFoundError


class MaxConnectionsError(ConnectionError):
    """The connection pool is exhausted."""


class InvalidResponse(RedisError):
    """The server sent something that is not valid RESP."""


class ResponseError(RedisError):
    """The server answered with an error reply."""


class DataError(RedisError):
    """An argument cannot be sent (wrong type) or a reply cannot be converted."""


class PubSubError(RedisError):
    """Misuse of a pub/sub connection."""


class WatchError(RedisError):
    """A WATCHed key changed: the transaction was not run."""


class NoScriptError(ResponseError):
    """EVALSHA of a script the server does not have (NOSCRIPT)."""


class OutOfMemoryError(ResponseError):
    """The server is out of memory (OOM)."""


class ExecAbortError(ResponseError):
    """EXEC aborted because a queued command was rejected (EXECABORT)."""


class ReadOnlyError(ResponseError):
    """A write sent to a read-only replica (READONLY)."""


class NoPermissionError(ResponseError):
    """The ACL user lacks the permission (NOPERM)."""


class ModuleError(ResponseError):
    """A module failed to load or unload."""


class LockError(RedisError, ValueError):
    """A lock could not be acquired or released."""

    def __init__(self, message=None, lock_name=None):
        self.message = message
        self.lock_name = lock_name
        super().__init__(message)


class LockNotOwnedError(LockError):
    """The lock is no longer held by its owner."""


class ChildDeadlockedError(Exception):
    """A forked child inherited a locked pool."""


class AuthenticationWrongNumberOfArgsError(ResponseError):
    """AUTH with a username on a server without ACLs."""


class RedisClusterException(Exception):
    """Base class of cluster client errors."""


class ClusterError(RedisError):
    """The cluster could not answer."""


class ClusterDownError(ClusterError, ResponseError):
    """CLUSTERDOWN."""

    def __init__(self, resp):
        self.args = (resp,)
        self.message = resp


class AskError(ResponseError):
    """ASK redirection: ``slot host:port``."""

    def __init__(self, resp):
        self.args = (resp,)
        self.message = resp
        parts = str(resp).split(" ")
        self.slot_id, self.node_addr = (None, None)
        self.host, self.port = (None, None)
        if len(parts) >= 2:
            # "[MOVED|ASK] slot host:port" or "slot host:port"
            slot, addr = parts[-2], parts[-1]
            self.slot_id = int(slot) if slot.isdigit() else None
            host, _, port = addr.rpartition(":")
            self.host, self.port = host, int(port) if port.isdigit() else None
            self.node_addr = (self.host, self.port)


class TryAgainError(ResponseError):
    """TRYAGAIN during a cluster resharding."""


class ClusterCrossSlotError(ResponseError):
    """CROSSSLOT: keys in different slots."""

    message = "Keys in request don't hash to the same slot"


class MovedError(AskError):
    """MOVED redirection."""


class MasterDownError(ClusterDownError):
    """MASTERDOWN."""


class SlotNotCoveredError(RedisClusterException):
    """No node serves the slot."""


class CrossSlotTransactionError(RedisClusterException):
    """A cluster transaction touches several slots."""


class InvalidPipelineStack(RedisClusterException):
    """A cluster pipeline was misused."""
