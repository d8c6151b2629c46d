"""Services behind the JSON APIs and feeds (issue 6): list queries, token checks, caching."""
