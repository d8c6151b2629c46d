"""Tables of each capability, one module per area, registered on ``schema.metadata``.

Each module here defines its ``sa.Table`` objects on :data:`papertide.storage.schema.metadata`;
``schema`` imports them all so the metadata (and the migration check) sees every table.
"""
