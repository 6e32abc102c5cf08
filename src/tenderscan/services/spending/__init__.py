"""`spending`: ``report`` (the command as one call, the groups' rows), ``query`` (what is asked), ``frames``
(the data, from tenders or the store), ``filters``, ``groups``, ``topics`` (presets and Russian word forms),
``fx`` (exchange rates), ``series`` (helpers on the frames' columns)."""
