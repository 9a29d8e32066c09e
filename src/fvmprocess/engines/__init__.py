"""Where variant extraction and per-unit aggregation run.

``embedded`` (default) uses polars on this machine; ``spark`` runs the same group-bys on
Apache Spark for data that does not fit one machine (pyspark is an optional extra). Both return
the same two tables, so results are identical whichever engine ran. Cases whose events name
no unit get :data:`fvmprocess._shared.vocab.NO_UNIT` on both.
"""
