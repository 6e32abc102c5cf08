"""Renderers: the only code that writes to a terminal, stdout or stderr.

``writers`` (one writer per ``--format``: table, json, jsonl, csv), ``console`` (the stderr console, warnings,
errors, failures), ``progress``; the tables of one tender (``tender``), of rows (``rows``), of a diff, of
spending, of stations; ``layout`` (widths and wrapping of every table), ``cells`` (money and other values as
text), ``json_text`` and ``csv_text`` (the two data formats), ``plot`` (charts). They import the models and
the services' records; the services never import them.
"""
