"""Telemetry the whole code base shares: the id that follows work into logs, log formats, metrics.

Nothing here touches the database or the web framework, so every layer (the job runner,
search, email, the web shell) can record into it; what reads the database at scrape time
lives in ``papertide.monitoring``.
"""
