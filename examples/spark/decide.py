#!/usr/bin/env python3
"""Decides every profile of a data set with `tailor serve`, as the filter of Spark's RDD.pipe.

On a laptop (Spark's default master is local[*]):

    python decide.py profiles.jsonl --rules rules.json --tailor ./tailor --output decisions/

On a cluster, the rules document and the binary travel with the job and land in
each executor's working directory:

    spark-submit --master yarn --files rules.json,tailor decide.py \\
        's3://lake/profiles/2026-12-06/*.parquet' --output s3://lake/decisions/2026-12-06/

Each partition is piped through one `tailor serve --profile-lines` process: a
profile line goes in unchanged (JSON text is never parsed in Python; Parquet
rows become JSON text in the JVM), one answer line comes out, and Spark's JSON
reader turns the answers into rows. The output has one row per profile and
decision, partitioned by decision:

    id, decision, variant, rule, reason, matches, error, message, line

`id` is the profile's --id-field (a string, or the JSON text of another value).
A `mode: all` decision's row carries its first match in variant/rule/reason
and every match in `matches`. A line that is not a readable profile is one row
with `decision` null and `error` set to the protocol's code (`bad_json`,
`bad_request`, `too_deep`, `line_too_long`), `message` and `line` (its line
number within its partition). The summary printed at the end counts rows per
decision and variant (for `mode: all`, per matched variant) and errors per code.
"""
import argparse
import os
import shlex
import sys
import time

from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
)

MATCH = StructType(
    [
        StructField("variant", StringType()),
        StructField("rule", StringType()),
        StructField("reason", StringType()),
    ]
)
# One answer line of `tailor serve`: every field Spark's JSON reader needs, as
# strings where the protocol allows any JSON (the id), so nothing is coerced.
ANSWER = StructType(
    [
        StructField("id", StringType()),
        StructField(
            "decisions",
            MapType(
                StringType(),
                StructType(
                    [
                        StructField("variant", StringType()),
                        StructField("rule", StringType()),
                        StructField("reason", StringType()),
                        StructField("matches", ArrayType(MATCH)),
                    ]
                ),
            ),
        ),
        StructField(
            "error",
            StructType(
                [
                    StructField("code", StringType()),
                    StructField("message", StringType()),
                    StructField("line", LongType()),
                ]
            ),
        ),
    ]
)

# The rows written: one per profile and decision, or one per bad line.
ROWS = StructType(
    [
        StructField("id", StringType()),
        StructField("decision", StringType()),
        StructField("variant", StringType()),
        StructField("rule", StringType()),
        StructField("reason", StringType()),
        StructField("matches", ArrayType(MATCH)),
        StructField("error", StringType()),
        StructField("message", StringType()),
        StructField("line", LongType()),
    ]
)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Decide every profile with tailor serve inside Spark."
    )
    parser.add_argument("input", help="profiles: a path or glob of JSON lines or Parquet")
    parser.add_argument("--output", required=True, help="directory for the decision rows")
    parser.add_argument("--rules", default="rules.json", help="the rules document")
    parser.add_argument("--tailor", default="tailor", help="the tailor binary (a Linux executable)")
    parser.add_argument("--id-field", default="userId", help="the profile field that names it")
    parser.add_argument(
        "--input-format",
        choices=["auto", "json", "parquet"],
        default="auto",
        help="auto: Parquet when the path ends in .parquet, else JSON lines",
    )
    parser.add_argument(
        "--format", choices=["parquet", "json"], default="parquet", help="output format"
    )
    parser.add_argument("--now", help="evaluate schedules at this ISO-8601 instant")
    parser.add_argument("--partitions", type=int, help="repartition the input into this many")
    parser.add_argument("--answers", help="also write the raw answer lines (text) here")
    parser.add_argument("--master", help="Spark master when run with python (default local[*])")
    return parser.parse_args(argv)


def ship(spark, path):
    """Ships a file to every executor and answers the directory it lands in there.

    A file given with spark-submit --files is already shipped. On a cluster,
    shipped files land in each executor's working directory; in local mode they
    land in the driver's SparkFiles directory, which the local executors share.
    """
    name = os.path.basename(path)
    shipped = spark.sparkContext.getConf().get("spark.files", "")
    if not any(os.path.basename(entry) == name for entry in shipped.split(",") if entry):
        spark.sparkContext.addFile(os.path.abspath(path))
    if spark.sparkContext.master.startswith("local"):
        return os.path.dirname(SparkFiles.get(name))
    return "."


def profile_lines(spark, options):
    """The profiles as JSON text lines, one per profile."""
    parquet = options.input_format == "parquet" or (
        options.input_format == "auto" and options.input.rstrip("/*").endswith(".parquet")
    )
    if parquet:
        # Rows become JSON text in the JVM; Python only passes the strings on.
        lines = spark.read.parquet(options.input).toJSON()
    else:
        lines = spark.sparkContext.textFile(options.input)
    if options.partitions:
        lines = lines.repartition(options.partitions)
    # tailor answers non-blank lines only, so blank ones never reach it.
    return lines.filter(lambda line: line.strip() != "")


def decision_rows(spark, answers):
    """One row per profile and decision, and one row per bad line, in one pass over the answers."""
    parsed = spark.read.schema(ANSWER).option("mode", "FAILFAST").json(answers)
    # An error answer has no decisions: explode_outer keeps it as one row with decision null.
    exploded = parsed.select(
        "id", F.explode_outer("decisions").alias("decision", "answer"), "error"
    )
    first = F.col("answer.matches").getItem(0)
    return exploded.select(
        "id",
        "decision",
        F.coalesce(F.col("answer.variant"), first.getField("variant")).alias("variant"),
        F.coalesce(F.col("answer.rule"), first.getField("rule")).alias("rule"),
        F.coalesce(F.col("answer.reason"), first.getField("reason")).alias("reason"),
        F.col("answer.matches").alias("matches"),
        F.col("error.code").alias("error"),
        F.col("error.message").alias("message"),
        F.col("error.line").alias("line"),
    )


def print_summary(rows, profiles, seconds, out=sys.stdout):
    """Counts per decision and variant (per matched variant for `mode: all`), and errors per code."""
    single = rows.where(F.col("decision").isNotNull() & F.col("matches").isNull()).groupBy(
        "decision", "variant"
    ).count()
    multiple = (
        rows.where(F.col("matches").isNotNull())
        .select("decision", F.explode_outer("matches.variant").alias("variant"))
        .groupBy("decision", "variant")
        .count()
    )
    counts = single.unionByName(multiple).orderBy("decision", F.desc("count"), "variant").collect()
    errors = (
        rows.where(F.col("error").isNotNull()).groupBy("error").count().orderBy("error").collect()
    )
    # Every decided profile has one row per decision: the count of any decision's rows.
    per_decision = rows.where(F.col("decision").isNotNull()).groupBy("decision").count().collect()
    decided = max((row["count"] for row in per_decision), default=0)
    print(f"profiles: {profiles:,} in {seconds:.1f} s ({profiles / seconds:,.0f}/s)", file=out)
    print(f"decided: {decided:,}", file=out)
    current = None
    for row in counts:
        if row["decision"] != current:
            current = row["decision"]
            print(f"{current}:", file=out)
        variant = row["variant"] if row["variant"] is not None else "(none)"
        print(f"  {variant:<24} {row['count']:>12,}", file=out)
    bad = sum(row["count"] for row in errors)
    print(f"errors: {bad:,}", file=out)
    for row in errors:
        print(f"  {row['error']:<24} {row['count']:>12,}", file=out)


def run(spark, options):
    """Decides the input and writes the rows; answers the seconds that took."""
    directory = ship(spark, options.tailor)
    rules_directory = ship(spark, options.rules)
    command = [
        os.path.join(directory, os.path.basename(options.tailor)),
        "serve",
        "--rules",
        os.path.join(rules_directory, os.path.basename(options.rules)),
        "--profile-lines",
        "--id-field",
        options.id_field,
    ]
    if options.now:
        command += ["--now", options.now]

    began = time.monotonic()
    lines = profile_lines(spark, options)
    # One tailor process per partition; a non-zero exit fails the task.
    answers = lines.pipe(shlex.join(command), checkCode=True)
    if options.answers:
        # The answers are kept so that the rows and the raw text come from one run.
        answers = answers.cache()
        answers.saveAsTextFile(options.answers)
    rows = decision_rows(spark, answers)
    writer = rows.write.mode("overwrite").partitionBy("decision")
    if options.format == "parquet":
        writer.parquet(options.output)
    else:
        writer.json(options.output)
    return time.monotonic() - began


def read_rows(spark, options):
    """The rows a run wrote, in either format."""
    if options.format == "parquet":
        return spark.read.parquet(options.output)
    return spark.read.schema(ROWS).json(options.output)


def main(argv=None):
    options = parse_arguments(argv if argv is not None else sys.argv[1:])
    builder = SparkSession.builder.appName("tailor-decide")
    if options.master:
        builder = builder.master(options.master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    seconds = run(spark, options)
    # The summary counts what was written.
    written = read_rows(spark, options)
    decided = written.where(F.col("decision").isNotNull()).groupBy("decision").count().collect()
    failed = written.where(F.col("decision").isNull()).count()
    profiles = max((row["count"] for row in decided), default=0) + failed
    print_summary(written, profiles, seconds)
    spark.stop()


if __name__ == "__main__":
    main()
