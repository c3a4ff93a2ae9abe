"""Writes the tailor-http load test's inputs: a rules document with DECISIONS x RULES narrow,
diverse rules (countries, tiers, age thresholds, tags, e-mail domains, app versions, rollouts
by `id`) and CONTEXTS OFREP request bodies with realistic contexts, one JSON body per line.

    python scripts/bench_http_data.py OUT_DIR [--decisions 20] [--rules 50] [--contexts 1000]
"""

import argparse
import json
import os
import random

COUNTRIES = ["ES", "PT", "FR", "DE", "IT", "NL", "BE", "US", "CA", "MX",
             "BR", "AR", "GB", "IE", "SE", "NO", "DK", "PL", "JP", "AU"]
TIERS = ["bronze", "silver", "gold", "platinum"]
DEVICES = ["desktop", "mobile-web", "ios", "android"]
TAGS = ["sports", "outdoor", "kids", "fashion", "home", "garden", "tech", "books", "music", "pets"]
DOMAINS = ["example.com", "mail.es", "corp.fr", "shop.de", "web.it", "uni.edu"]


def rule(random_, decision, index, variants):
    kind = index % 6
    if kind == 0:
        when = {"country": {"$in": random_.sample(COUNTRIES, 3)},
                "tier": random_.choice(TIERS)}
    elif kind == 1:
        when = {"age": {"$gte": random_.randint(18, 70)}, "device": random_.choice(DEVICES)}
    elif kind == 2:
        when = {"tags": {"$contains": random_.choice(TAGS)},
                "visits": {"$gt": random_.randint(1, 100)}}
    elif kind == 3:
        when = {"email": {"$endsWith": "@" + random_.choice(DOMAINS)},
                "country": random_.choice(COUNTRIES)}
    elif kind == 4:
        when = {"appVersion": {"$vgte": f"{random_.randint(1, 5)}.{random_.randint(0, 9)}.0"},
                "device": {"$in": ["ios", "android"]}}
    else:
        return {"id": f"r{index}", "when": {"tier": random_.choice(TIERS)},
                "rollout": {"by": "id", "seed": f"{decision}-{index}",
                            "percent": random_.randint(1, 30)},
                "serve": random_.choice(variants)}
    return {"id": f"r{index}", "when": when, "serve": random_.choice(variants)}


def context(random_, number):
    return {
        "targetingKey": f"u-{number}",
        "country": random_.choice(COUNTRIES),
        "tier": random_.choice(TIERS),
        "age": random_.randint(16, 80),
        "device": random_.choice(DEVICES),
        "tags": random_.sample(TAGS, random_.randint(0, 4)),
        "visits": random_.randint(0, 200),
        "email": f"user{number}@{random_.choice(DOMAINS)}",
        "appVersion": f"{random_.randint(1, 6)}.{random_.randint(0, 9)}.{random_.randint(0, 9)}",
        "session": {"referrer": random_.choice(["search", "email", "direct", "social"]),
                    "cart": random_.randint(0, 5)},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--decisions", type=int, default=20)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--contexts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    arguments = parser.parse_args()
    random_ = random.Random(arguments.seed)
    decisions = {}
    for d in range(arguments.decisions):
        name = f"slot-{d}"
        variants = [f"v{k}" for k in range(4)]
        decisions[name] = {
            "variants": {v: {"banner": f"{name}/{v}.jpg", "headline": f"Offer {v} in {name}"}
                         for v in variants},
            "default": "v0",
            "rules": [rule(random_, name, i, variants) for i in range(arguments.rules)],
        }
    document = {
        "tailor": 1,
        "attributes": {"country": "string", "tier": "string", "age": "number",
                       "tags": "array", "visits": "number", "email": "string",
                       "appVersion": "version", "device": "string"},
        "decisions": decisions,
    }
    os.makedirs(arguments.out, exist_ok=True)
    with open(os.path.join(arguments.out, "rules.json"), "w") as f:
        json.dump(document, f)
    with open(os.path.join(arguments.out, "bodies.txt"), "w") as f:
        for number in range(arguments.contexts):
            f.write(json.dumps({"context": context(random_, number)}) + "\n")


if __name__ == "__main__":
    main()
