#!/usr/bin/env python3
"""The campaign workload with its e-mail suffixes turned into prefixes.

    scripts/prefix_variant.py SOURCE_DIR TARGET_DIR [LINES]

SOURCE_DIR holds `rules.json` and `requests.jsonl` as `tailor-profile
emit-campaign N LINES DIR` writes them (scripts/bench-serve.sh leaves them in
.build/bench/campaign/N). TARGET_DIR receives the same rules with every
`{"$endsWith": S}` written as `{"$startsWith": reverse(S)}` and the same
requests (the first LINES, default all) with every `email` reversed, character
by character. A value ends with S exactly when its reverse starts with S
reversed, so the variant asks the prefix filters the questions the suffix
filters answer in the original, with the same selectivity; the rules' `$regex`
tests are left as written (they now see reversed addresses).

Compare two builds on the variant (their answers must be byte-identical), for
example by instructions per line with scripts/serve-instructions.sh.
"""
import json
import os
import sys


def flip(condition):
    """Rewrites `$endsWith` operands in place; returns how many it rewrote."""
    count = 0
    if isinstance(condition, dict):
        for key in list(condition):
            value = condition[key]
            if key == "$endsWith" and isinstance(value, str):
                del condition[key]
                condition["$startsWith"] = value[::-1]
                count += 1
            else:
                count += flip(value)
    elif isinstance(condition, list):
        for item in condition:
            count += flip(item)
    return count


def reverse_emails(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "email" and isinstance(item, str):
                value[key] = item[::-1]
            else:
                reverse_emails(item)
    elif isinstance(value, list):
        for item in value:
            reverse_emails(item)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    source, target = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) == 4 else None
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(source, "rules.json"), encoding="utf-8") as file:
        document = json.load(file)
    flipped = flip(document)
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
            reverse_emails(request)
            out.write(json.dumps(request, separators=(",", ":"), ensure_ascii=False) + "\n")
            lines += 1
    print(f"{flipped} $endsWith tests now $startsWith; {lines} requests")


if __name__ == "__main__":
    main()
