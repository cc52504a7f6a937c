# The query dialect sent with every FT.SEARCH / FT.AGGREGATE unless told (redis-py's).
DEFAULT_DIALECT = 2
