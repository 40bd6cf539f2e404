"""Built-in checkers, one module per part of the course; each docstring is a contract."""
