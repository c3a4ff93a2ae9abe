#!/usr/bin/env python3
"""Writes seeded customer profiles as JSON lines, with some bad lines among them.

    generate_profiles.py COUNT OUTPUT [--bad N] [--seed S] [--files K]

Every good line is one profile object with a unique `userId` (`u-<n>`). The bad
lines are spread through the file: truncated objects that still carry a
`userId` (`bad-<n>`), text that is not JSON, and JSON that is not an object.
With --files, the lines go to K files OUTPUT/part-<k>.jsonl (a directory, as a
data lake holds them) instead of one file.
"""
import argparse
import json
import os
import random

COUNTRIES = ["DE", "ES", "FR", "GB", "IT", "NL", "AT", "CH", "SE", "NO", "US", "PT"]
LANGUAGES = {"DE": "de", "AT": "de", "CH": "de", "ES": "es", "FR": "fr", "IT": "it",
             "NL": "nl", "SE": "sv", "NO": "no", "PT": "pt"}
TIERS = ["none", "none", "none", "silver", "gold"]
TAGS = ["outdoor", "kids", "baby", "fashion", "home", "garden", "tech", "books"]


def profile(rng, number):
    country = rng.choice(COUNTRIES)
    record = {
        "userId": f"u-{number}",
        "email": f"customer{number}@example.com",
        "country": country,
        "language": LANGUAGES.get(country, "en"),
        "tier": rng.choice(TIERS),
        "emailOptIn": rng.random() < 0.9,
        "orders": rng.randint(0, 40) if rng.random() < 0.85 else 0,
        "daysSinceLastOrder": rng.randint(0, 400),
        "cartValue": round(rng.random() * 120, 2) if rng.random() < 0.3 else 0,
        "tags": rng.sample(TAGS, rng.randint(0, 3)),
        "signupDate": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        "device": {"os": rng.choice(["ios", "android", "web"]), "app": f"5.{rng.randint(0, 9)}.0"},
    }
    if rng.random() < 0.8:
        record["opensAtHour"] = rng.randint(0, 23)
    return json.dumps(record, separators=(",", ":"))


def bad_line(rng, number):
    kind = number % 3
    if kind == 0:
        return f'{{"userId":"bad-{number}","country":"DE","orders":}}'
    if kind == 1:
        return f"not a profile {number}"
    return f'["bad-{number}"]'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="good profiles")
    parser.add_argument("output", help="a file, or a directory with --files")
    parser.add_argument("--bad", type=int, default=0, help="bad lines among them")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--files", type=int, default=0, help="split into this many files")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    total = options.count + options.bad
    bad_at = set(rng.sample(range(total), options.bad))
    lines = []
    good = bad = 0
    for index in range(total):
        if index in bad_at:
            lines.append(bad_line(rng, bad))
            bad += 1
        else:
            lines.append(profile(rng, good))
            good += 1
    if options.files:
        os.makedirs(options.output, exist_ok=True)
        per = -(-total // options.files)
        for part in range(options.files):
            chunk = lines[part * per:(part + 1) * per]
            with open(os.path.join(options.output, f"part-{part:03d}.jsonl"), "w") as out:
                out.write("".join(line + "\n" for line in chunk))
    else:
        with open(options.output, "w") as out:
            out.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
