"""Where the check runs.

``embedded`` (default) uses polars on this machine; ``spark`` runs the whole check on Apache
Spark for data that does not fit one machine (pyspark is an optional extra):
:mod:`.spark_read` reads the log, :mod:`.spark` orders cases, extracts and aligns variants,
:mod:`.spark_check` runs the remaining stages and writes the result (``docs/spark.md``). Results
are identical whichever engine ran. Cases whose events name no unit get
:data:`fvmprocess._shared.vocab.NO_UNIT` on both.
"""
