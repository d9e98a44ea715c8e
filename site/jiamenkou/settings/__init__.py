"""Settings: ``base`` is shared; ``dev``, ``production`` and ``test`` adjust it."""
