"""The Spark engine: the same SQL, transpiled from DuckDB's dialect to Spark SQL by sqlglot,
over the same Parquet datasets (``pip install 'tradegap[spark]'``; needs Java 17+).

Local mode on every core by default; ``$TRADEGAP_SPARK_MASTER`` (or ``master=``) points it at a
cluster, whose workers must then see the warehouse's path (a shared file system).
Settings that keep the results equal to DuckDB's: ANSI mode off (a division by zero is NULL, as
in the queries' guards), UTC session time zone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from tradegap.config import spark_master
from tradegap.engine.base import RESULT_PARQUET_CODEC, Engine, check_output
from tradegap.errors import TradegapError
from tradegap.warehouse.schema import SCHEMAS

#: Settings applied to every session we create (``conf=`` and the environment override them).
DEFAULT_CONF = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.adaptive.enabled": "true",
}
#: The settings above that change results; set on every session used, even one found active.
_SQL_CONF = ("spark.sql.ansi.enabled", "spark.sql.session.timeZone")
#: Driver memory in local mode (all the work runs in the driver's JVM there).
ENV_DRIVER_MEMORY = "TRADEGAP_SPARK_DRIVER_MEMORY"
DEFAULT_DRIVER_MEMORY = "4g"

_ARROW_TO_SPARK = {
    pa.string(): "STRING", pa.large_string(): "STRING", pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT", pa.int32(): "INT", pa.int64(): "BIGINT", pa.float64(): "DOUBLE",
    pa.float32(): "FLOAT", pa.bool_(): "BOOLEAN",
}


def session(master: str | None = None, conf: dict[str, str] | None = None) -> Any:
    """The process's SparkSession (created on first use with ``master`` and ``conf``)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise TradegapError(
            "the Spark engine needs pyspark",
            hint="install it with `pip install 'tradegap[spark]'` (and Java 17+)",
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.master(spark_master(master)).appName("tradegap")
    settings = {**DEFAULT_CONF,
                "spark.driver.memory": os.environ.get(ENV_DRIVER_MEMORY, DEFAULT_DRIVER_MEMORY),
                **(conf or {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("TRADEGAP_SPARK_LOG_LEVEL", "ERROR"))
    return spark


def stop() -> None:
    """Stop the process's SparkSession, if any."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return
    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


@lru_cache(maxsize=256)
def transpile(query: str) -> str:
    """``query`` (DuckDB's dialect) in Spark SQL."""
    try:
        import sqlglot
    except ImportError as exc:
        raise TradegapError("the Spark engine needs sqlglot",
                            hint="install it with `pip install 'tradegap[spark]'`") from exc
    return sqlglot.transpile(query, read="duckdb", write="spark")[0]


def _plain(kind: pa.DataType) -> pa.DataType:
    """The value type of a dictionary column; string for an all-null (empty) one."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.string() if pa.types.is_null(kind) else kind


def _join_parquet(parts: list[Path], target: Path) -> None:
    """Stream the row groups of Parquet ``parts`` into one file (empty parts are skipped)."""
    import pyarrow.parquet as pq

    writer = None
    try:
        for part in parts:
            source = pq.ParquetFile(part)
            if writer is None:
                writer = pq.ParquetWriter(target, source.schema_arrow,
                                          compression=RESULT_PARQUET_CODEC)
            for i in range(source.num_row_groups):
                writer.write_table(source.read_row_group(i))
        if writer is None:
            raise TradegapError("Spark wrote no Parquet part")
    finally:
        if writer is not None:
            writer.close()


def _join_csv(parts: list[Path], target: Path) -> None:
    """Append CSV ``parts`` (each with its header) into one file with one header."""
    with open(target, "wb") as out:
        header_written = False
        for part in parts:
            with open(part, "rb") as fh:
                header = fh.readline()
                if not header:
                    continue
                if not header_written:
                    out.write(header)
                    header_written = True
                shutil.copyfileobj(fh, out, 1 << 22)


def _ddl(schema: pa.Schema) -> str:
    return ", ".join(f"`{f.name}` {_ARROW_TO_SPARK[f.type]}" for f in schema)


class SparkEngine(Engine):
    """Runs the transpiled SQL on a SparkSession."""

    name = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self._views: list[str] = []
        for key in _SQL_CONF:  # also on a session someone else created
            spark.conf.set(key, DEFAULT_CONF[key])

    @classmethod
    def on_warehouse(cls, wh: Any, *, master: str | None = None,
                     conf: dict[str, str] | None = None) -> SparkEngine:
        """An engine whose views ``flows`` and ``demand`` are the warehouse's datasets."""
        from pyspark.sql import functions as F

        engine = cls(session(master, conf))
        infos = wh.datasets()
        for kind, schema in SCHEMAS.items():
            frame = None
            for info in (d for d in infos if d.kind == kind):
                part = engine.spark.read.parquet(str(info.path)).withColumn(
                    "dataset", F.lit(info.name))
                frame = part if frame is None else frame.unionByName(
                    part, allowMissingColumns=True)
            if frame is None:
                frame = engine.spark.createDataFrame(
                    [], _ddl(schema.append(pa.field("dataset", pa.string()))))
            frame.createOrReplaceTempView(kind)
            engine._views.append(kind)
        return engine

    def dataframe(self, query: str) -> Any:
        """The lazy Spark DataFrame of ``query`` (DuckDB dialect)."""
        return self.spark.sql(transpile(query))

    def sql(self, query: str) -> pd.DataFrame:
        return self.dataframe(query).toPandas()

    def register(self, name: str, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        schema = pa.schema([pa.field(f.name, _plain(f.type)) for f in table.schema])
        data = frame if len(frame) else []
        self.spark.createDataFrame(data, _ddl(schema)).createOrReplaceTempView(name)
        self._views.append(name)

    def write(self, query: str, path: Path) -> Path:
        """One file at ``path``: Spark writes its parts in parallel into a directory beside it;
        they are then joined into one file (Parquet row groups streamed; CSV bodies appended)
        and the directory removed."""
        path = check_output(path)
        with tempfile.TemporaryDirectory(prefix="tradegap-spark-", dir=path.parent) as tmp:
            out = Path(tmp) / "out"
            writer = self.dataframe(query).write.mode("overwrite")
            parquet = path.suffix.lower() == ".parquet"
            if parquet:
                writer.option("compression", RESULT_PARQUET_CODEC).parquet(str(out))
            else:
                writer.option("header", "true").csv(str(out))
            parts = sorted(p for p in out.iterdir() if p.name.startswith("part-"))
            staged = Path(tmp) / ("joined" + path.suffix)
            (_join_parquet if parquet else _join_csv)(parts, staged)
            os.replace(staged, path)
        return path

    def close(self) -> None:
        for name in self._views:
            if name not in SCHEMAS:
                self.spark.catalog.dropTempView(name)
        self._views = []
