def to_string(s, encoding: str = "utf-8"):
    """``bytes`` as ``str`` (undecodable bytes dropped, as redis-py); anything else as it
    is."""
    if isinstance(s, bytes):
        return s.decode(encoding, "ignore")
    return s
