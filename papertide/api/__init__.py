"""Services behind the JSON APIs and feeds: list queries, token checks, caching."""
