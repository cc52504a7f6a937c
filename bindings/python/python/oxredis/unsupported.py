"""redis-py names that oxredis does not implement yet: importable, and constructing one
raises ``NotImplementedError`` naming it."""


def _placeholder(name: str, what: str) -> type:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(f"oxredis: {name} is not implemented yet ({what})")

    return type(name, (), {"__init__": __init__, "__doc__": f"Not implemented yet: {what}."})


Sentinel = _placeholder(
    "Sentinel", "the Rust core has a Sentinel client (oxredis::Sentinel) but the Python "
    "binding does not wire it yet")
Connection = _placeholder("Connection", "connections are managed in Rust")
SSLConnection = _placeholder("SSLConnection", "TLS is not exposed to Python yet")
UnixDomainSocketConnection = _placeholder("UnixDomainSocketConnection", "use unix_socket_path=")
