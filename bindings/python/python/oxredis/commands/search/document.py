class Document:
    """One document of a search result: ``id``, ``payload``, and each returned field as an
    attribute (``doc.title``, ``doc["title"]``)."""

    def __init__(self, id, payload=None, **fields):
        self.id = id
        self.payload = payload
        for key, value in fields.items():
            setattr(self, key, value)

    def __repr__(self) -> str:
        return f"Document {self.__dict__}"

    def __getitem__(self, item):
        return getattr(self, item)
