#!/usr/bin/env python3
"""Variants of the campaign workload, for workloads its generator does not make.

    scripts/campaign_variant.py prefix|coarse|anchored|strings|all|elem|or|numbers SOURCE_DIR TARGET_DIR [LINES]

SOURCE_DIR holds `rules.json` and `requests.jsonl` as `tailor-profile
emit-campaign N LINES DIR` writes them (scripts/bench-serve.sh leaves them in
.build/bench/campaign/N); TARGET_DIR receives the variant's (the first LINES
requests, default all).

prefix: every `{"$endsWith": S}` becomes `{"$startsWith": reverse(S)}` and every
`email` in the requests is reversed, character by character. A value ends with
S exactly when its reverse starts with S reversed, so the prefix filters answer
the questions the suffix filters answer in the original, with the same
selectivity (the `$regex` tests are left as written and see reversed addresses).

coarse: thresholds repeat as hand-written rules' do: `$gte`/`$lt`/`$gt`/`$lte`
operands above 100 rounded to fifties and the others to whole numbers,
`$after`/`$before` moved to the first of their month. The rules stay about as
narrow, but are no longer plainly diverse (fewer distinct comparisons than
half the rules). Requests are copied unchanged.

anchored: every `$regex` is written as whole-address authors write it,
`"^[^@ ]+" + P` for the generator's `P` (`"@(a\\.com|b\\.de)$"`): the same
matches among the addresses, with a literal ending after a part that is not
literal. Requests are copied unchanged.

strings: every `{"$after": S}` becomes `{"$gt": S}` and every `{"$before": S}`
`{"$lt": S}`, as authors who compare ISO dates as strings write them (GrowthBook
has no date operators). The generator's instants and the requests' dates are
all `YYYY-MM-DDTHH:MM:SSZ`, so the string order is the time order and the
rules keep their selectivity. Requests are copied unchanged.

all: every `{"tags": {"$in": [T]}}` of one tag becomes `{"$all": [T]}`, which
holds for the same arrays. Requests are copied unchanged.

elem: the same one-tag tests become `{"$elemMatch": {"$eq": T}}` (T is never
empty, so the same arrays match). Requests are copied unchanged.

or: in each rule, the first `$in` of several strings on an attribute other
than `tags` becomes an `$or` of equalities, `{"$or": [{"country": "ES"},
{"country": "PT"}]}`: the same profiles match. Requests are copied unchanged.

numbers: every `age` range of whole numbers, `{"$gte": A, "$lt": B}` with B - A
at most 16 (beside `"$exists": true` or not), becomes `{"$in": [A, ..., B - 1]}`,
as authors who list ages write it. The generator's ages are whole numbers, so
the same profiles match. Requests are copied unchanged.

Compare two builds on a variant (their answers must be byte-identical), for
example by instructions per line with scripts/serve-instructions.sh, or time
`tailor serve --rules TARGET_DIR/rules.json < /dev/null` for the start-up.
"""
import json
import os
import sys


def rewrite(value, change):
    """Walks objects and arrays in place: a member for which `change(key, item)` returns
    a `(key, item)` pair is replaced by it (where it stands when the key is the same, at
    the end of its object when not); the others are walked. Returns how many it replaced."""
    count = 0
    if isinstance(value, dict):
        for key in list(value):
            replaced = change(key, value[key])
            if replaced is None:
                count += rewrite(value[key], change)
                continue
            if replaced[0] != key:
                del value[key]
            value[replaced[0]] = replaced[1]
            count += 1
    elif isinstance(value, list):
        for item in value:
            count += rewrite(item, change)
    return count


def flip(condition):
    """Rewrites `$endsWith` operands in place; returns how many it rewrote."""
    return rewrite(
        condition,
        lambda key, value: ("$startsWith", value[::-1])
        if key == "$endsWith" and isinstance(value, str)
        else None,
    )


def coarsen(condition):
    """Rounds comparison thresholds and moves instants to the first of their month, in place."""

    def change(key, value):
        if key in ("$gte", "$lt", "$gt", "$lte") and isinstance(value, (int, float)):
            return key, round(value / 50) * 50 if value > 100 else round(value)
        if key in ("$after", "$before") and isinstance(value, str):
            return key, value[:7] + "-01T00:00:00Z"
        return None

    rewrite(condition, change)


def anchor(condition):
    """Writes each `$regex` as a whole-address pattern, in place; returns how many."""
    return rewrite(
        condition,
        lambda key, value: (key, "^[^@ ]+" + value)
        if key == "$regex" and isinstance(value, str) and value.startswith("@")
        else None,
    )


def stringify(condition):
    """Writes `$after`/`$before` as string `$gt`/`$lt`, in place; returns how many."""
    return rewrite(
        condition,
        lambda key, value: ("$gt" if key == "$after" else "$lt", value)
        if key in ("$after", "$before") and isinstance(value, str)
        else None,
    )


def all_of_one(condition, element=False):
    """Writes each one-tag `$in` on `tags` as `$all` (or `$elemMatch`), in place; returns how many."""

    def change(key, value):
        if (
            key == "tags"
            and isinstance(value, dict)
            and list(value) == ["$in"]
            and isinstance(value["$in"], list)
            and len(value["$in"]) == 1
        ):
            return key, {"$elemMatch": {"$eq": value["$in"][0]}} if element else {"$all": value["$in"]}
        return None

    return rewrite(condition, change)


def or_of_equalities(document):
    """Writes each rule's first multi-string `$in` (not on `tags`) as an `$or`; returns how many."""
    count = 0
    for decision in document.get("decisions", {}).values():
        for rule in decision.get("rules", []):
            when = rule.get("when") if isinstance(rule, dict) else None
            if not isinstance(when, dict):
                continue
            for key in list(when):
                value = when[key]
                if (
                    key != "tags"
                    and not key.startswith("$")
                    and isinstance(value, dict)
                    and list(value) == ["$in"]
                    and isinstance(value["$in"], list)
                    and len(value["$in"]) > 1
                    and all(isinstance(item, str) for item in value["$in"])
                ):
                    del when[key]
                    when["$or"] = [{key: item} for item in value["$in"]]
                    count += 1
                    break
    return count


def listed_ages(condition):
    """Writes short whole-number `age` ranges as `$in` lists, in place; returns how many."""

    def change(key, value):
        if key != "age" or not isinstance(value, dict) or set(value) - {"$gte", "$lt", "$exists"}:
            return None
        low, high = value.get("$gte"), value.get("$lt")
        if not all(isinstance(bound, int) and not isinstance(bound, bool) for bound in (low, high)):
            return None
        if not 0 < high - low <= 16:
            return None
        listed = {name: operand for name, operand in value.items() if name == "$exists"}
        listed["$in"] = list(range(low, high))
        return key, listed

    return rewrite(condition, change)


def reverse_emails(value):
    """Reverses every `email` string in place."""
    rewrite(
        value,
        lambda key, item: (key, item[::-1]) if key == "email" and isinstance(item, str) else None,
    )


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ("prefix", "coarse", "anchored", "strings", "all", "elem", "or", "numbers"):
        sys.exit(__doc__)
    mode, source, target = sys.argv[1], sys.argv[2], sys.argv[3]
    limit = int(sys.argv[4]) if len(sys.argv) == 5 else None
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(source, "rules.json"), encoding="utf-8") as file:
        document = json.load(file)
    if mode == "prefix":
        summary = f"{flip(document)} $endsWith tests now $startsWith"
    elif mode == "anchored":
        summary = f"{anchor(document)} $regex tests anchored at the start"
    elif mode == "strings":
        summary = f"{stringify(document)} instant tests now string comparisons"
    elif mode == "all":
        summary = f"{all_of_one(document)} one-tag $in tests now $all"
    elif mode == "elem":
        summary = f"{all_of_one(document, element=True)} one-tag $in tests now $elemMatch"
    elif mode == "or":
        summary = f"{or_of_equalities(document)} $in tests now $or of equalities"
    elif mode == "numbers":
        summary = f"{listed_ages(document)} age ranges now $in lists"
    else:
        coarsen(document)
        summary = "thresholds and instants coarsened"
    with open(os.path.join(target, "rules.json"), "w", encoding="utf-8") as file:
        json.dump(document, file, separators=(",", ":"), ensure_ascii=False)
    lines = 0
    with open(os.path.join(source, "requests.jsonl"), encoding="utf-8") as requests, open(
        os.path.join(target, "requests.jsonl"), "w", encoding="utf-8"
    ) as out:
        for line in requests:
            if limit is not None and lines >= limit:
                break
            request = json.loads(line)
            if mode == "prefix":
                reverse_emails(request)
            out.write(json.dumps(request, separators=(",", ":"), ensure_ascii=False) + "\n")
            lines += 1
    print(f"{summary}; {lines} requests")


if __name__ == "__main__":
    main()
