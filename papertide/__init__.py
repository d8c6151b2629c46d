"""papertide: trending research papers, searchable, in your inbox, self-hosted."""

__version__ = "0.1.0"
