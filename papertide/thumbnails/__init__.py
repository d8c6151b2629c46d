"""Card thumbnails: page 1 of a listed paper's arXiv PDF, rendered to a small WebP by a job.

``render`` turns PDF bytes into WebP bytes (pypdfium2 + Pillow); ``service`` fetches,
renders, stores beside the database and records each attempt; ``jobs`` schedules it.
"""

from papertide.thumbnails.service import ThumbnailService

__all__ = ["ThumbnailService"]
