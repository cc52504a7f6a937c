"""redis-py names that oxredis does not implement yet: importable, and constructing one
raises ``NotImplementedError`` naming it."""


def _placeholder(name: str, what: str) -> type:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"oxredis: {name} is not implemented yet ({what})")

    return type(name, (), {"__init__": __init__, "__doc__": f"Not implemented yet: {what}."})


SentinelManagedConnection = _placeholder(
    "SentinelManagedConnection", "connections are managed in Rust; Sentinel.master_for and "
    "slave_for return clients whose connections ask the sentinels")
SentinelManagedSSLConnection = _placeholder(
    "SentinelManagedSSLConnection", "connections are managed in Rust; pass ssl=True to "
    "Sentinel or master_for/slave_for")
