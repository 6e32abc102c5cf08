"""The Parquet dataset: the big-data twin of the store (issue 17). Written by :func:`export_dataset` (in one
process, or on a Dask cluster), read with DuckDB by :mod:`.query` and :mod:`.spending`."""
