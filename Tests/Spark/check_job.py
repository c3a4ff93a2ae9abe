#!/usr/bin/env python3
"""Checks a run of examples/spark/decide.py against a direct `tailor serve` run on the same input.

    check_job.py INPUT_DIR DIRECT_ANSWERS SPARK_ANSWERS_DIR SPARK_OUTPUT_DIR RULES TAILOR NOW WORK_DIR

- Every input line gets exactly one answer line from the job, and the decision
  answers are byte for byte those of the direct run (both sorted by id).
- Error answers keep their id, code, message and offset; only `line` differs
  (the job numbers lines within each partition).
- The Parquet rows hold exactly one row per good profile and decision, equal
  to rows built here, independently, from the direct run's answers, and one
  error row per bad line.
- The same job reading Parquet and writing JSON rows (decide.run, in this
  process) writes the same rows for the profiles of the first input file.
Exits 1 with the first differences when a check fails.
"""
import glob
import json
import os
import sys

from pyspark.sql import SparkSession

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples", "spark"))
import decide  # noqa: E402


def fail(message, examples=()):
    print(f"FAIL: {message}", file=sys.stderr)
    for example in list(examples)[:5]:
        print(f"  {example}", file=sys.stderr)
    sys.exit(1)


def read_lines(paths):
    lines = []
    for path in sorted(paths):
        with open(path, "rb") as file:
            lines.extend(line.rstrip(b"\n") for line in file)
    return lines


def split_answers(lines):
    """(decision answers sorted by id, error answers without `line`), from raw answer lines."""
    decided, errors = [], []
    for line in lines:
        answer = json.loads(line)
        if "error" in answer:
            error = dict(answer["error"])
            error.pop("line")
            errors.append(json.dumps([answer["id"], error], sort_keys=True))
        else:
            decided.append((json.dumps(answer["id"]), line))
    decided.sort()
    return [line for _, line in decided], sorted(errors)


def expected_rows(direct_lines, decision_names):
    """The rows decide.py must write, built from the direct run's answers."""
    rows = []
    for line in direct_lines:
        answer = json.loads(line)
        identifier = answer["id"]
        if identifier is not None and not isinstance(identifier, str):
            identifier = json.dumps(identifier, separators=(",", ":"))
        if "error" in answer:
            rows.append((identifier, None, None, None, None, None, answer["error"]["code"]))
            continue
        if list(answer["decisions"]) != decision_names:
            fail("a direct answer does not list every decision in order", [line])
        for name, result in answer["decisions"].items():
            if "matches" in result:
                matches = tuple((m["variant"], m["rule"], m["reason"]) for m in result["matches"])
                first = matches[0] if matches else (None, None, None)
                rows.append((identifier, name) + first + (matches, None))
            else:
                rows.append(
                    (identifier, name, result["variant"], result["rule"], result["reason"], None, None)
                )
    return rows


def collect_rows(frame):
    """The rows as tuples: id, decision, variant, rule, reason, matches, error."""
    rows = []
    for row in frame.select(
        "id", "decision", "variant", "rule", "reason", "matches", "error"
    ).toLocalIterator():
        matches = None
        if row["matches"] is not None:
            matches = tuple((m["variant"], m["rule"], m["reason"]) for m in row["matches"])
        rows.append(
            (row["id"], row["decision"], row["variant"], row["rule"], row["reason"], matches, row["error"])
        )
    return rows


def main():
    input_dir, direct_path, answers_dir, output_dir, rules_path, tailor, now, work = sys.argv[1:9]
    with open(rules_path) as file:
        decision_names = list(json.load(file)["decisions"])
    inputs = [line for line in read_lines(glob.glob(os.path.join(input_dir, "*"))) if line.strip()]
    direct = read_lines([direct_path])
    spark_answers = read_lines(glob.glob(os.path.join(answers_dir, "part-*")))

    if len(direct) != len(inputs):
        fail(f"the direct run answered {len(direct)} of {len(inputs)} lines")
    if len(spark_answers) != len(inputs):
        fail(f"the job answered {len(spark_answers)} of {len(inputs)} lines")
    direct_decided, direct_errors = split_answers(direct)
    spark_decided, spark_errors = split_answers(spark_answers)
    if spark_decided != direct_decided:
        differing = [
            (a, b) for a, b in zip(spark_decided, direct_decided) if a != b
        ] or ["(different counts)"]
        fail("the job's answers differ from the direct run's", differing)
    if spark_errors != direct_errors:
        fail("the job's error answers differ from the direct run's", set(spark_errors) ^ set(direct_errors))
    bad_inputs = sum(1 for line in inputs if not line.startswith(b'{"userId":"u-'))
    if len(direct_errors) != bad_inputs or bad_inputs == 0:
        fail(f"{len(direct_errors)} error answers for {bad_inputs} injected bad lines")

    spark = SparkSession.builder.master("local[2]").appName("tailor-check").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    actual = collect_rows(spark.read.parquet(output_dir))
    expected = expected_rows(direct, decision_names)

    def key(row):
        return json.dumps(row, default=str)

    actual.sort(key=key)
    expected.sort(key=key)
    if actual != expected:
        missing = set(map(key, expected)) - set(map(key, actual))
        extra = set(map(key, actual)) - set(map(key, expected))
        fail(
            f"{len(actual)} rows written, {len(expected)} expected",
            [f"missing {row}" for row in list(missing)[:3]] + [f"extra {row}" for row in list(extra)[:3]],
        )
    good = len(inputs) - bad_inputs
    per_profile = {}
    for row in actual:
        if row[1] is not None:
            per_profile.setdefault(row[0], []).append(row[1])
    if len(per_profile) != good or any(
        sorted(names) != sorted(decision_names) for names in per_profile.values()
    ):
        fail("not exactly one row per profile and decision")
    error_rows = sum(1 for row in actual if row[6] is not None)

    # Parquet in, JSON rows out: the good profiles of the first input file.
    first_file = sorted(glob.glob(os.path.join(input_dir, "*")))[0]
    good_lines = os.path.join(work, "good.jsonl")
    with open(first_file, "rb") as source, open(good_lines, "wb") as target:
        ids = set()
        for line in source:
            if line.startswith(b'{"userId":"u-'):
                target.write(line)
                ids.add(json.loads(line)["userId"])
    parquet_input = os.path.join(work, "profiles.parquet")
    spark.read.json(good_lines).write.mode("overwrite").parquet(parquet_input)
    options = decide.parse_arguments(
        [parquet_input, "--rules", rules_path, "--tailor", tailor, "--now", now,
         "--format", "json", "--output", os.path.join(work, "decisions-json")]
    )
    decide.run(spark, options)
    from_parquet = sorted(collect_rows(decide.read_rows(spark, options)), key=key)
    spark.stop()
    expected_subset = [row for row in expected if row[0] in ids]
    if from_parquet != expected_subset or not ids:
        fail(
            f"Parquet input: {len(from_parquet)} JSON rows, {len(expected_subset)} expected",
            [row for row in from_parquet if row not in expected_subset][:3],
        )
    print(
        f"ok: {len(inputs):,} lines; {good:,} profiles x {len(decision_names)} decisions "
        f"identical to the direct run; {error_rows} bad lines kept as error rows; "
        f"{len(ids):,} profiles from Parquet give the same rows as JSON"
    )


if __name__ == "__main__":
    main()
