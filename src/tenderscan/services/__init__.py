"""Services: the workflows behind the commands, one call each, returning models, rows or frames (never
printing, never exiting). ``show``, ``listing``, ``formats``, ``search``, ``diff``, ``stations``, ``export/``,
``spending/``; ``ingest`` and ``fetch`` write to the store."""
