"""`export`: ``tables`` (the workflow: options checked, inputs read, the file written atomically), ``columns``
(the tables and their typed columns), ``rows`` (their rows), ``text_files`` and ``binary_files`` (the
writers), ``target`` (atomic writes, leftovers of killed runs)."""
