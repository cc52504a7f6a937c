"""``Path`` (redis-py's ``redis.commands.json.path``)."""


class Path:
    """A path in a JSON value; ``str(path)`` is its text."""

    strPath = ""

    @staticmethod
    def root_path() -> str:
        """The root path's text: ``.``."""
        return "."

    def __init__(self, path: str):
        self.strPath = path

    def __repr__(self) -> str:
        return self.strPath
