#!/usr/bin/env python3
"""Seeded generator for the `tailor serve` benchmark.

Writes a rules document (default 1,000 rules: 20 decisions x 50 rules, 30
segments, rollouts, splits, schedules, a few regexes) and a JSON-lines request
file whose profiles are realistic and about 450 bytes per line. The same seed
always gives the same files.

    scripts/bench_data.py --out .build/bench --lines 200000 --rules 1000 --seed 1
"""
import argparse
import json
import os
import random

COUNTRIES = ["ES", "PT", "FR", "DE", "IT", "GB", "IE", "NL", "BE", "US", "CA", "MX", "BR", "AR",
             "JP", "KR", "IN", "AU", "SE", "PL"]
LANGUAGES = ["es-ES", "pt-PT", "fr-FR", "de-DE", "it-IT", "en-GB", "en-US", "nl-NL", "es-MX", "pt-BR",
             "ja-JP", "ko-KR", "sv-SE", "pl-PL"]
DEVICES = ["ios", "android", "web", "mobile-web"]
TIERS = ["none", "silver", "gold", "platinum"]
TAGS = ["sale", "outdoor", "kids", "premium", "running", "yoga", "tech", "books", "garden", "pets",
        "travel", "beauty", "gaming", "music", "cooking", "fashion", "home", "cycling", "camping", "art"]
CITIES = ["Madrid", "Barcelona", "Lisbon", "Paris", "Berlin", "Milan", "London", "Dublin", "Amsterdam",
          "Brussels", "New York", "Toronto", "Mexico City", "Sao Paulo", "Tokyo", "Seoul", "Mumbai"]
SOURCES = ["google", "newsletter", "facebook", "instagram", "direct", "affiliate", "tiktok"]
PLANS = ["free", "plus", "family", "business"]


def predicate(rng, segments):
    kind = rng.randrange(12)
    if kind == 0:
        return {"country": {"$in": rng.sample(COUNTRIES, rng.randint(2, 6))}}
    if kind == 1:
        return {"tier": rng.choice(TIERS[1:])}
    if kind == 2:
        low = rng.randint(18, 60)
        return {"age": {"$gte": low, "$lt": low + rng.randint(5, 20)}}
    if kind == 3:
        return {"device": rng.choice(DEVICES)}
    if kind == 4:
        return {"appVersion": {"$vgte": f"3.{rng.randint(0, 9)}.0"}}
    if kind == 5:
        return {"tags": {"$in": rng.sample(TAGS, 2)}}
    if kind == 6:
        return {"visits": {"$gt": rng.randint(1, 150)}}
    if kind == 7 and segments:
        return {"$segment": rng.choice(segments)}
    if kind == 8 and rng.random() < 0.3:
        return {"geo.city": {"$regex": "^(" + "|".join(c[:3] for c in rng.sample(CITIES, 3)) + ")"}}
    if kind == 9:
        return {"language": {"$startsWith": rng.choice(LANGUAGES)[:2]}}
    if kind == 10:
        return {"cartValue": {"$gte": rng.randint(10, 300)}}
    return {"plan": {"$in": rng.sample(PLANS, 2)}}


def condition(rng, segments, count):
    merged = {}
    for _ in range(count):
        for key, value in predicate(rng, segments).items():
            merged.setdefault(key, value)
    return merged


def rules_document(rng, rule_count):
    segments = {}
    for index in range(30):
        segments[f"seg-{index:02d}"] = condition(rng, [], rng.randint(1, 2))
    names = list(segments)
    decisions = {}
    per_decision = 50
    for d in range(max(1, rule_count // per_decision)):
        variants = {f"v{v}": {"image": f"img/d{d}-v{v}.jpg", "headline": f"Headline {d}.{v}"}
                    for v in range(5)}
        rules = []
        for r in range(per_decision):
            rule = {"id": f"d{d}-r{r}", "when": condition(rng, names, rng.randint(1, 3))}
            roll = rng.random()
            if roll < 0.1:
                rule["rollout"] = {"by": "userId", "percent": rng.choice([5, 10, 25, 50])}
                rule["serve"] = rng.choice(list(variants))
            elif roll < 0.2:
                a, b = rng.sample(list(variants), 2)
                rule["split"] = {"by": "userId", "coverage": 0.8, "weights": {a: 0.5, b: 0.5}}
            else:
                rule["serve"] = rng.choice(list(variants))
            if rng.random() < 0.05:
                rule["active"] = {"from": "2026-01-01T00:00:00Z", "until": "2027-01-01T00:00:00Z"}
            rules.append(rule)
        decisions[f"d{d:02d}"] = {"variants": variants, "default": "v0", "rules": rules}
    return {"tailor": 1, "segments": segments, "decisions": decisions}


def profile(rng, index):
    return {
        "userId": f"u-{index:08d}",
        "sessionId": "s-%016x" % rng.getrandbits(64),
        "country": rng.choice(COUNTRIES),
        "language": rng.choice(LANGUAGES),
        "device": rng.choice(DEVICES),
        "tier": rng.choice(TIERS),
        "plan": rng.choice(PLANS),
        "age": rng.randint(18, 80),
        "visits": rng.randint(0, 200),
        "appVersion": f"3.{rng.randint(0, 12)}.{rng.randint(0, 20)}",
        "cartValue": round(rng.uniform(0, 400), 2),
        "tags": rng.sample(TAGS, rng.randint(2, 5)),
        "emailOptIn": rng.random() < 0.6,
        "signupDate": f"20{rng.randint(18, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
        "geo": {"city": rng.choice(CITIES), "region": f"R{rng.randint(1, 40)}"},
        "utm": {"source": rng.choice(SOURCES), "campaign": f"spring-{rng.randint(1, 30)}"},
        "lastOrderDaysAgo": rng.randint(0, 365),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=".build/bench")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--decisions-per-request", type=int, default=3,
                        help="decisions named per request; 0 asks for all of them")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    document = rules_document(rng, args.rules)
    with open(os.path.join(args.out, "rules.json"), "w") as file:
        json.dump(document, file, indent=1)
    names = list(document["decisions"])
    with open(os.path.join(args.out, "requests.jsonl"), "w") as file:
        for index in range(1, args.lines + 1):
            request = {"id": index, "profile": profile(rng, index)}
            if args.decisions_per_request:
                request["decisions"] = rng.sample(names, args.decisions_per_request)
            file.write(json.dumps(request, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
