"""The same model on Apache Spark (a local session; Java 17), for a national run that outgrows one
machine.

It needs no database, but a Spark session takes minutes on this 2-core machine, so it runs once in
`make test`: marked postgresql_only, it is deselected (not skipped) on the SQLite pass and runs on the
PostgreSQL pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest

from haven.linkage import model
from haven.linkage.corrupt import corrupt
from haven.linkage.linkfile import read_frame
from haven.population.generate import population


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[1]")
        .appName("haven-linkage-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setCheckpointDir(str(tmp_path_factory.mktemp("spark-checkpoints")))
    yield session
    session.stop()
    # py4j logs at interpreter exit, after pytest has closed the streams it captured.
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.mark.postgresql_only
def test_the_duckdb_model_runs_unchanged_on_spark(spark, tmp_path):
    from splink.backends.spark import SparkAPI

    people = population(1_500, seed=11, today=dt.date(2026, 6, 1))
    made = corrupt(people, 80, seed=12, today=dt.date(2026, 6, 1))
    bench = dataclasses.replace(made, records=read_frame(made.records, today=dt.date(2026, 6, 1)).frame)
    on_spark = model.link(
        bench.records,
        bench.register,
        db_api=SparkAPI(spark_session=spark, break_lineage_method="parquet"),
        em=False,
    )
    on_duckdb = model.link(bench.records, bench.register, em=False)

    truth = dict(bench.truth.itertuples(index=False, name=None))
    spark_links = on_spark[on_spark["decision"] == "link"]
    duck_links = on_duckdb[on_duckdb["decision"] == "link"]
    right = sum(
        truth.get(r) == p for r, p in zip(spark_links["record_id"], spark_links["register_id"], strict=True)
    )
    assert len(spark_links) > 0.8 * len(truth)
    assert right == len(spark_links)
    # Same comparisons and parameters estimated from the same sample size: the same decisions.
    agree = set(zip(spark_links["record_id"], spark_links["register_id"], strict=True)) & set(
        zip(duck_links["record_id"], duck_links["register_id"], strict=True)
    )
    assert len(agree) >= 0.95 * max(len(spark_links), len(duck_links))
    assert {"mw_given_name", "mw_date_of_birth", "mw_pin"} <= set(on_spark.columns)
