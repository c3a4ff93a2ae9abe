#!/usr/bin/env python3
"""Byte-identity check for `tailor serve`: the same input must give the same output.

Generates a seeded stream of mixed request lines and pipes it through the `serve`
of each binary given, then prints the SHA-256 and line count of each output. Two
builds answer identically exactly when their hashes match; the script exits 1
when they differ and names the first line that does.

    scripts/serve-identity.py /tmp/tailor-before .build/release/tailor
    scripts/serve-identity.py --lines 100000 --keep /tmp/identity .build/release/tailor

The input (1,000,000 lines by default, the same for every seed on every machine)
mixes, in a fixed pseudo-random order:
- decision requests on `examples/homepage` and on a generated campaign-like
  document (hundreds of rules with per-rule thresholds, dates, e-mail domains,
  rollouts, splits, `mode: "all"`, prerequisites, groups, regexes), written with
  shuffled key order, varied white space, string escapes, exponents and every
  kind of `id`; with and without `decisions`, `now` and `explain`;
- `op`s: `load` (by path and inline, valid and invalid, missing and outside the
  rules directory), `stats` and `ping`;
- invalid lines: truncated requests, bytes that are not JSON or not UTF-8, lone
  surrogates, trailing commas, wrong value types, unknown fields, unknown
  decisions and ops, nesting past `--max-depth`, lines past `--max-line-bytes`,
  and blank lines (which get no answer).
A second, smaller stream runs through `serve --profile-lines`.

Every request without `now` is evaluated at `--now`. The parts of a `stats`
answer that measure time (latency, load time, uptime) are masked before
hashing; everything else is hashed byte for byte.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOW = "2026-07-01T12:00:00Z"
MAX_DEPTH = 64
MAX_LINE_BYTES = 65536

COUNTRIES = ["ES", "PT", "FR", "DE", "IT", "GB", "IE", "NL", "US", "CA", "MX", "BR", "JP", "KR",
             "IN", "AU", "SE", "PL"]
TIERS = ["none", "silver", "gold", "platinum"]
DEVICES = ["ios", "android", "web", "mobile-web", "desktop"]
DOMAINS = ["example.com", "mail.example.org", "correo.es", "post.de", "inbox.fr", "uni.edu",
           "corp.example.net", "ejemplo.mx"]
LANGUAGES = ["es-ES", "es-MX", "en-GB", "en-US", "de-DE", "de-AT", "fr-FR", "pt-BR", "ja-JP"]
TAGS = ["sale", "outdoor", "kids", "premium", "running", "yoga", "tech", "books", "garden", "pets"]
CITIES = ["Madrid", "Barcelona", "Lisboa", "Paris", "Berlin", "München", "Milano", "London",
          "Dublin", "Zürich", "São Paulo", "東京", "Kraków"]
NAMES = ["ana", "bruno", "chloé", "dmitri", "eva", "françois", "günter", "hana", "iñigo", "jo"]
CAMPAIGN_DECISIONS = ["offers", "banner", "pricing", "gated", "language"]
HOMEPAGE_DECISIONS = ["homepage-hero", "nav-promo"]


# ---------------------------------------------------------------- documents

def campaign_document(rng, rules_per_decision):
    """A campaign-like document: narrow rules whose thresholds, dates and domains are drawn per rule."""
    def day(rng):
        return "2026-%02d-%02dT%02d:00:00Z" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))

    def condition(rng):
        tests = {}
        for _ in range(rng.randint(1, 3)):
            kind = rng.randrange(12)
            if kind == 0:
                tests["email"] = {"$endsWith": "@" + rng.choice(DOMAINS)}
            elif kind == 1:
                tests["cartValue"] = {"$gte": rng.randint(5, 400)}
            elif kind == 2:
                tests["country"] = {"$in": rng.sample(COUNTRIES, rng.randint(1, 5))}
            elif kind == 3:
                tests["signupDate"] = {"$after": day(rng)}
            elif kind == 4:
                tests["tier"] = rng.choice(TIERS[1:])
            elif kind == 5:
                tests["tags"] = {"$in": rng.sample(TAGS, 2)}
            elif kind == 6:
                tests["appVersion"] = {"$vgte": "3.%d.0" % rng.randint(0, 9)}
            elif kind == 7:
                tests["geo.city"] = {"$regex": "^(" + "|".join(c[:3] for c in rng.sample(CITIES, 3)) + ")"}
            elif kind == 8:
                tests["visits"] = {"$gt": rng.randint(0, 60), "$lte": rng.randint(61, 200)}
            elif kind == 9:
                tests["language"] = {"$startsWith": rng.choice(LANGUAGES)[:2]}
            elif kind == 10:
                tests["userId"] = {"$inGroup": "beta-ids"}
            else:
                tests["$or"] = [{"device": rng.choice(DEVICES)}, {"emailOptIn": False}]
        return tests

    def rules_for(rng, prefix, variants, count):
        rules = []
        for index in range(count):
            rule = {"id": "%s-%d" % (prefix, index)}
            if rng.random() < 0.95:
                rule["when"] = condition(rng)
            if rng.random() < 0.2:
                start = day(rng)
                rule["active"] = {"from": start, "until": "2027-%s" % start[5:]}
            shape = rng.random()
            if shape < 0.1:
                rule["rollout"] = {"by": "userId", "percent": rng.choice([1, 5, 12.5, 50, 100])}
                rule["serve"] = rng.choice(variants)
            elif shape < 0.15:
                chosen = rng.sample(variants, 2)
                rule["split"] = {"by": "userId", "seed": "%s-split-%d" % (prefix, index),
                                 "coverage": rng.choice([0.5, 0.8, 1]),
                                 "weights": {chosen[0]: 0.3, chosen[1]: 0.7}}
            else:
                rule["serve"] = rng.choice(variants)
            rules.append(rule)
        return rules

    offer_variants = ["free-shipping", "ten-off", "twenty-off", "double-points", "gift", "bundle"]
    banner_variants = ["spring", "summer", "autumn", "winter", "clearance", "members"]
    return {
        "tailor": 1,
        "description": "Campaign-like rules generated by scripts/serve-identity.py.",
        "segments": {
            "members": {"tier": {"$in": ["silver", "gold", "platinum"]}},
            "lapsed": {"daysSinceLastOrder": {"$gte": 90}},
            "eu": {"country": {"$in": ["ES", "PT", "FR", "DE", "IT", "IE", "NL", "SE", "PL"]}},
        },
        "groups": {"beta-ids": ["u-%d" % n for n in range(0, 5000, 7)]},
        "decisions": {
            "offers": {
                "mode": "all", "limit": 3, "requires": {"emailOptIn": True},
                "variants": {name: {"code": name.upper(), "rank": rank}
                             for rank, name in enumerate(offer_variants)},
                "rules": rules_for(rng, "offer", offer_variants, rules_per_decision)
                + [{"id": "everyone", "serve": "bundle"}],
            },
            "banner": {
                "variants": {name: {"image": "banners/%s.jpg" % name, "alt": "Banner «%s»" % name}
                             for name in banner_variants},
                "default": "spring",
                "rules": [{"id": "members-eu", "when": {"$segment": ["members", "eu"]}, "serve": "members"}]
                + rules_for(rng, "banner", banner_variants, rules_per_decision),
            },
            "pricing": {
                "variants": {"control": 1.0, "discount": 0.9, "premium": 1.15},
                "default": "control",
                "rules": [
                    {"id": "lapsed", "when": {"$segment": "lapsed"}, "serve": "discount"},
                    {"id": "price-test", "split": {"by": "userId", "seed": "price-2026", "coverage": 0.6,
                                                   "weights": {"control": 0.5, "discount": 0.25,
                                                               "premium": 0.25}}},
                ],
            },
            "gated": {
                "variants": {"off": False, "on": True},
                "default": "off",
                "rules": [{"id": "members-banner", "when": {"$decision": {"banner": "members"}}, "serve": "on"},
                          {"id": "beta", "when": {"userId": {"$inGroup": "beta-ids"}}, "serve": "on"}],
            },
            "language": {
                "variants": {"en": "en", "es": "es", "de": "de"},
                "default": "en",
                "rules": [
                    {"id": "spanish", "when": {"language": {"$in": ["es", "es-ES", "es-MX"]}}, "serve": "es"},
                    {"id": "german", "when": {"language": {"$regexi": "^DE"}}, "serve": "de"},
                ],
            },
        },
    }


INLINE_DOCUMENTS = [
    {"tailor": 1, "decisions": {"flag": {"variants": {"off": False, "on": True}, "default": "off",
                                         "rules": [{"id": "es", "when": {"country": "ES"}, "serve": "on"}]}}},
    {"tailor": 1, "decisions": {}},
]
INVALID_INLINE_DOCUMENTS = [
    {"tailor": 1, "decisions": {"banner": {"variants": {"on": 1}, "rules": [{"id": "x", "serve": "nope"}]}}},
    {"tailor": 2},
    {"tailor": 1, "decisions": {"d": {"variants": {"a": 1}, "default": "a",
                                      "rules": [{"id": "r", "when": {"age": {"$gte": "18"}}, "serve": "a"}]}}},
]


# ---------------------------------------------------------------- writing JSON with variety

class Writer:
    """Writes JSON values as people and programs do: any key order, white space, escapes and number forms.

    Each line has one style, as a line from one client would: most are compact, some are
    spaced like Python's `json.dumps`, a few are irregular; a few use escapes no writer needs.
    """

    def __init__(self, rng):
        self.rng = rng
        self.begin_line()

    def begin_line(self):
        r = self.rng.random()
        self.style = "compact" if r < 0.6 else "spaced" if r < 0.85 else "irregular"
        self.escapes = 0.15 if self.rng.random() < 0.1 else 0.0

    def space(self, position):
        if self.style == "compact":
            return ""
        if self.style == "spaced":
            return " " if position in ("comma", "colon") else ""
        r = self.rng.random()
        if r < 0.5:
            return ""
        if r < 0.85:
            return " "
        return self.rng.choice(["  ", "\t", " \r ", "\t ", "   "])

    def string(self, text):
        rng = self.rng
        escaping = self.escapes > 0 and rng.random() < self.escapes
        out = ['"']
        for ch in text:
            code = ord(ch)
            if ch == '"':
                out.append('\\"')
            elif ch == "\\":
                out.append("\\\\")
            elif code < 0x20:
                out.append(rng.choice(["\\u%04x" % code, "\\u%04X" % code])
                           if ch not in "\n\t" else ("\\n" if ch == "\n" else "\\t"))
            elif escaping and rng.random() < 0.3:
                # Escaped although it need not be: \u forms, surrogate pairs, \/.
                if ch == "/":
                    out.append("\\/")
                elif code > 0xFFFF:
                    high = 0xD800 + ((code - 0x10000) >> 10)
                    low = 0xDC00 + ((code - 0x10000) & 0x3FF)
                    out.append("\\u%04x\\u%04x" % (high, low))
                else:
                    out.append(rng.choice(["\\u%04x", "\\u%04X"]) % code)
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)

    def number(self, value):
        rng = self.rng
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            r = rng.random()
            if r < 0.85 or value == 0:
                return str(value)
            if r < 0.9:
                return "%d.0" % value
            if r < 0.95:
                return "%de0" % value
            return repr(value / 10) + rng.choice(["e1", "E1", "e+1", "E+01"])
        text = repr(value)
        if rng.random() < 0.1 and value != 0:
            mantissa = value * 100
            return repr(mantissa) + rng.choice(["e-2", "E-2", "e-02"])
        return text

    def value(self, value):
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return self.number(value)
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list):
            s = self.space
            if not value:
                return "[" + s("open") + "]"
            elements = [self.value(v) for v in value]
            body = elements[0] + "".join("," + s("comma") + element for element in elements[1:])
            return "[" + s("open") + body + s("close") + "]"
        if isinstance(value, dict):
            items = list(value.items())
            if self.rng.random() < 0.5:
                self.rng.shuffle(items)
            s = self.space
            fields = [self.string(k) + s("before-colon") + ":" + s("colon") + self.value(v) for k, v in items]
            body = fields[0] + "".join("," + s("comma") + field for field in fields[1:]) if fields else ""
            return "{" + s("open") + body + s("close") + "}"
        raise TypeError(value)


# ---------------------------------------------------------------- requests

def profile(rng):
    user = rng.randrange(20000)
    name = rng.choice(NAMES)
    p = {"userId": "u-%d" % user}
    fields = {
        "email": lambda: "%s.%d@%s" % (name, user, rng.choice(DOMAINS)),
        "country": lambda: rng.choice(COUNTRIES),
        "tier": lambda: rng.choice(TIERS),
        "visits": lambda: rng.randint(0, 250),
        "device": lambda: rng.choice(DEVICES),
        "cartValue": lambda: rng.choice([rng.randint(0, 500), round(rng.uniform(0, 500), 2)]),
        "tags": lambda: rng.sample(TAGS, rng.randint(0, 4)),
        "appVersion": lambda: "%d.%d.%d" % (rng.randint(2, 4), rng.randint(0, 12), rng.randint(0, 9)),
        "signupDate": lambda: "20%02d-%02d-%02dT%02d:%02d:00%s" % (
            rng.randint(18, 26), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
            rng.randint(0, 59), rng.choice(["Z", "+02:00", "-05:00", ".250Z"])),
        "geo": lambda: {"city": rng.choice(CITIES), "country": rng.choice(COUNTRIES)},
        "language": lambda: rng.choice(LANGUAGES + ["es", "DE-ch"]),
        "emailOptIn": lambda: rng.random() < 0.8,
        "daysSinceLastOrder": lambda: rng.randint(0, 400),
        "name": lambda: rng.choice(["José 🎉", "O'Brien \"Jr\"", "tab\there", "back\\slash", "Zoë / ∞"]),
        "extra": lambda: {"nested": [1, {"deep": [True, None, -0.5]}], "note": "ignored"},
    }
    for key, make in fields.items():
        if rng.random() < 0.75:
            p[key] = make()
    r = rng.random()
    if r < 0.03:
        p["visits"] = str(rng.randint(0, 50))  # a number as a string
    elif r < 0.05:
        p["country"] = None
    elif r < 0.06:
        p["tags"] = "sale"  # a string where an array is expected
    elif r < 0.07:
        p["country"] = "es"  # lower case: no match
    elif r < 0.08:
        p["userId"] = rng.randint(0, 20000)  # a number as the bucketing id
    if rng.random() < 0.02:
        p["country"] = "FR"  # a repeated key: written twice below, the last one counts
    return p


def request_id(rng, n):
    r = rng.random()
    if r < 0.6:
        return n
    if r < 0.8:
        return "req-%d" % n
    if r < 0.85:
        return None
    if r < 0.9:
        return {"batch": n // 1000, "seq": [n, "x"]}
    if r < 0.95:
        return -n / 4
    return rng.choice([True, False, "é\u2028", ""])


def decision_request(rng, writer, n, decisions):
    req = {"id": request_id(rng, n), "profile": profile(rng)}
    if rng.random() < 0.08:
        del req["id"]
    r = rng.random()
    if not decisions:
        pass
    elif r < 0.4:
        req["decisions"] = rng.sample(decisions, rng.randint(1, len(decisions)))
    elif r < 0.45:
        req["decisions"] = []
    elif r < 0.47:
        req["decisions"] = [decisions[0], decisions[0]]
    if rng.random() < 0.3:
        req["now"] = rng.choice([
            "2026-01-15T08:00:00Z", "2026-06-30T23:59:59.999Z", "2026-07-01T12:00:00+02:00",
            "2026-12-24T18:30:00-05:00", "2027-03-01T00:00:00Z", "2026-09-01T00:00:00Z", "2026-03-10"])
    if rng.random() < 0.04:
        req["explain"] = rng.random() < 0.8
    line = writer.value(req)
    if '"country"' in line and rng.random() < 0.05:
        # A repeated profile key: the first value is replaced by the last.
        line = line.replace('"profile":{', '"profile":{"country":"JP",', 1)
    if rng.random() < 0.03:
        line = rng.choice([" ", "\t", "  "]) + line + rng.choice([" ", "\t", "\r"])
    return line


def invalid_line(rng, writer, n, decisions):
    valid = decision_request(rng, writer, n, decisions)
    decisions = decisions or ["none"]
    kind = rng.randrange(28)
    if kind == 0:
        return valid[:rng.randrange(1, max(2, len(valid)))]  # truncated
    if kind == 1:
        return rng.choice(["not json at all", "{", "}", "[1,2,3]", '"just a string"', "42", "null", "true",
                           "{}", "{\"id\":1}", "[]", ",", "{'id': 1}", "{\"id\":1,}", "{\"id\" 1}"])
    if kind == 2:
        return '{"id":%d,"profile":{"name":"\\ud800"}}' % n  # a lone surrogate
    if kind == 3:
        return '{"id":%d,"profile":{"name":"\\udc00\\ud800x"}}' % n
    if kind == 4:
        return '{"id":%d,"profile":{"a":1,}}' % n
    if kind == 5:
        return '{"id":%d,"profile":{"n":%s}}' % (n, rng.choice(["1e999", "-1e999", "01", "-", ".5", "1.",
                                                                 "NaN", "Infinity", "0x10", "+1", "1e"]))
    if kind == 6:
        return '{"id":%d,"profile":"%s"}' % (n, rng.choice(COUNTRIES))
    if kind == 7:
        return '{"id":%d,"profile":%s}' % (n, rng.choice(["[]", "[{}]", "1", "null", "true"]))
    if kind == 8:
        return '{"id":%d,"profile":{},"decisions":"%s"}' % (n, decisions[0])
    if kind == 9:
        return '{"id":%d,"profile":{},"decisions":[1,2]}' % n
    if kind == 10:
        return '{"id":%d,"profile":{},"now":%s}' % (n, rng.choice(["12", '"yesterday"', '"2026-13-01T00:00:00Z"',
                                                                   "null", '"2026-02-30"']))
    if kind == 11:
        return '{"id":%d,"profile":{},"explain":%s}' % (n, rng.choice(['"yes"', "1", "null", "[true]"]))
    if kind == 12:
        return '{"id":%d,"profile":{},"colour":"red"}' % n
    if kind == 13:
        return '{"id":%d,"op":%s}' % (n, rng.choice(['"explode"', "1", "null", '"LOAD"', '""']))
    if kind == 14:
        return '{"id":%d,"path":"campaign.json"}' % n
    if kind == 15:
        return '{"id":%d,"op":"ping","profile":{}}' % n
    if kind == 16:
        return '{"id":%d,"op":"stats","decisions":[]}' % n
    if kind == 17:
        return '{"id":%d,"profile":{"country":"ES"},"decisions":["%s","missing-%d"]}' % (
            n, decisions[-1], n % 7)
    if kind == 18:
        return '{"id":%d,"profile":{},"decisions":["nope"]}' % n
    if kind == 19:
        depth = rng.choice([MAX_DEPTH - 2, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 5, 200])
        return '{"id":%d,"profile":{"a":%s1%s}}' % (n, "[" * depth, "]" * depth)
    if kind == 20:
        return '{"id":%d,"profile":{"name":"\x01raw control"}}' % n
    if kind == 21:
        return '{"id":%d,"profile":{"name":"bad \\x escape"}}' % n
    if kind == 22:
        return '{"id":%d,"profile":{}}{"id":%d}' % (n, n)  # two values on one line
    if kind == 23:
        return '{"id":%d,"profile":{},"profile":{"country":"ES"}}' % n  # a repeated request field
    if kind == 24:
        return valid.replace(":", "", 1)
    if kind == 25:
        return valid[:-1]
    if kind == 26:
        return '{"id":%d,"profile":{"country":"ES"}' % n
    return '{"id":%d,"profile":{"country":"ES", "tier":"gold"},"decisions":[],}' % n


def raw_invalid_line(rng, n):
    """Lines that are not UTF-8 or hold bytes no JSON text has."""
    kind = rng.randrange(6)
    if kind == 0:
        return b'{"id":%d,"profile":{"name":"\xff\xfe"}}' % n
    if kind == 1:
        return b'{"id":%d,"profile":{"name":"\xc3\x28"}}' % n
    if kind == 2:
        return b'{"id":%d,"profile":{"name":"\xed\xa0\x80"}}' % n  # an encoded surrogate
    if kind == 3:
        return b"\x00\x01binary\x7f"
    if kind == 4:
        return b'\xef\xbb\xbf{"id":%d,"profile":{}}' % n  # a byte-order mark
    return b'{"id":%d,"profile":{"name":"\xf0\x9f\x98"}}' % n  # a cut four-byte sequence


def load_line(rng, writer, n, decisions):
    """An `op: load`; returns the line and the decisions in force after it."""
    r = rng.random()
    if r < 0.7:
        name = rng.choice(["campaign.json", "homepage.json", "./campaign.json"])
        after = CAMPAIGN_DECISIONS if "campaign" in name else HOMEPAGE_DECISIONS
        return writer.value({"id": n, "op": "load", "path": name}), after
    if r < 0.8:
        document = rng.choice(INLINE_DOCUMENTS)
        return writer.value({"id": n, "op": "load", "rules": document}), list(document["decisions"])
    if r < 0.9:
        return writer.value({"id": n, "op": "load", "rules": rng.choice(INVALID_INLINE_DOCUMENTS)}), decisions
    path = rng.choice(["invalid.json", "missing.json", "../outside.json", "/etc/hostname", "",
                       "sub/../campaign.json", "not-a-dir", 7])
    return writer.value({"id": n, "op": "load", "path": path}), decisions


def generate_requests(path, lines, seed):
    rng = random.Random(seed)
    writer = Writer(rng)
    decisions = HOMEPAGE_DECISIONS
    with open(path, "wb") as out:
        for n in range(lines):
            writer.begin_line()
            r = rng.random()
            if r < 0.0004:
                line, decisions = load_line(rng, writer, n, decisions)
                data = line.encode()
            elif r < 0.0024:
                op = "stats" if rng.random() < 0.6 else "ping"
                data = writer.value({"id": request_id(rng, n), "op": op}).encode()
            elif r < 0.08:
                data = invalid_line(rng, writer, n, decisions).encode()
            elif r < 0.085:
                data = raw_invalid_line(rng, n)
            elif r < 0.09:
                data = rng.choice([b"", b" ", b"\t", b"  \t ", b"\r"])  # blank: no answer
            elif r < 0.09005:
                data = b'{"id":%d,"profile":{"pad":"%s"}}' % (n, b"x" * (MAX_LINE_BYTES + rng.randrange(10)))
            else:
                data = decision_request(rng, writer, n, decisions).encode()
            out.write(data.replace(b"\n", b" ") + b"\n")


def generate_profile_lines(path, lines, seed):
    rng = random.Random(seed)
    writer = Writer(rng)
    with open(path, "wb") as out:
        for n in range(lines):
            writer.begin_line()
            r = rng.random()
            if r < 0.9:
                data = writer.value(profile(rng)).encode()
            elif r < 0.93:
                data = writer.value({"country": rng.choice(COUNTRIES)}).encode()  # no id field
            elif r < 0.96:
                data = invalid_line(rng, writer, n, HOMEPAGE_DECISIONS).encode()
            elif r < 0.98:
                data = raw_invalid_line(rng, n)
            else:
                data = rng.choice([b"", b" ", b"[1]", b'"x"', b'{"userId":"u\\u002d1","userId":"u-2"}'])
            out.write(data.replace(b"\n", b" ") + b"\n")


# ---------------------------------------------------------------- running and hashing

STATS_TIMING = [
    (re.compile(rb'"latencyMicros":\{[^}]*\}'), b'"latencyMicros":{}'),
    (re.compile(rb'"loadedAt":"[^"]*"'), b'"loadedAt":""'),
    (re.compile(rb'"uptimeSeconds":[0-9.e+-]+'), b'"uptimeSeconds":0'),
]


def run(tailor, directory, arguments, input_path, output_path):
    with open(input_path, "rb") as stdin, open(output_path, "wb") as stdout:
        status = subprocess.run([tailor, "serve"] + arguments, stdin=stdin, stdout=stdout,
                                stderr=subprocess.DEVNULL, cwd=directory).returncode
    digest = hashlib.sha256()
    count = 0
    with open(output_path, "rb") as output:
        for line in output:
            count += 1
            if b'"stats":{' in line:
                for pattern, replacement in STATS_TIMING:
                    line = pattern.sub(replacement, line)
            digest.update(line)
    digest.update(b"exit %d\n" % status)
    return digest.hexdigest(), count, status


def first_difference(first, second):
    with open(first, "rb") as a, open(second, "rb") as b:
        for number, (x, y) in enumerate(zip(a, b), 1):
            if x != y and not (b'"stats":{' in x and b'"stats":{' in y):
                return number
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tailor", nargs="+", help="tailor binaries to compare")
    parser.add_argument("--lines", type=int, default=1_000_000, help="request lines (default 1,000,000)")
    parser.add_argument("--profile-lines", type=int, default=100_000,
                        help="lines for the --profile-lines run (default 100,000)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--rules-per-decision", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1, help="serve --threads (default 1)")
    parser.add_argument("--keep", help="keep inputs and outputs in this directory")
    options = parser.parse_args()

    directory = options.keep or tempfile.mkdtemp(prefix="serve-identity-")
    os.makedirs(directory, exist_ok=True)
    try:
        shutil.copy(os.path.join(ROOT, "examples/homepage/rules.json"), os.path.join(directory, "homepage.json"))
        with open(os.path.join(directory, "campaign.json"), "w", encoding="utf-8") as f:
            json.dump(campaign_document(random.Random(options.seed), options.rules_per_decision), f,
                      ensure_ascii=False, indent=1)
        with open(os.path.join(directory, "invalid.json"), "w") as f:
            f.write('{"tailor": 1, "decisions": {"d": {"variants": {"a": 1}, "rules": [{"id": "r", "serve": "b"}]}}')
        os.makedirs(os.path.join(directory, "not-a-dir"), exist_ok=True)
        requests = os.path.join(directory, "requests.jsonl")
        profiles = os.path.join(directory, "profiles.jsonl")
        generate_requests(requests, options.lines, options.seed)
        generate_profile_lines(profiles, options.profile_lines, options.seed + 1)
        for name in (requests, profiles):
            with open(name, "rb") as f:
                print("input %s: sha256 %s" % (os.path.basename(name), hashlib.sha256(f.read()).hexdigest()))

        common = ["--now", NOW, "--max-depth", str(MAX_DEPTH), "--max-line-bytes", str(MAX_LINE_BYTES),
                  "--threads", str(options.threads)]
        runs = [
            ("requests", requests, ["--rules", "homepage.json", "--rules-dir", "."] + common),
            ("profile-lines", profiles, ["--rules", "campaign.json", "--profile-lines"] + common),
        ]
        results = []
        for index, tailor in enumerate(options.tailor):
            tailor = os.path.abspath(tailor)
            digests = []
            for name, source, arguments in runs:
                output = os.path.join(directory, "%s.%d.out" % (name, index))
                digest, count, status = run(tailor, directory, arguments, source, output)
                digests.append(digest)
                print("%s %s: %d lines out, exit %d, sha256 %s" % (tailor, name, count, status, digest))
            combined = hashlib.sha256(" ".join(digests).encode()).hexdigest()
            print("%s: identity %s" % (tailor, combined))
            results.append(combined)
        if len(set(results)) > 1:
            for name, _, _ in runs:
                first = os.path.join(directory, "%s.0.out" % name)
                for index in range(1, len(options.tailor)):
                    line = first_difference(first, os.path.join(directory, "%s.%d.out" % (name, index)))
                    if line:
                        print("%s: %s and %s first differ at output line %d" % (
                            name, options.tailor[0], options.tailor[index], line))
            print("DIFFERENT" + ("" if options.keep else " (rerun with --keep DIR to diff the outputs)"))
            return 1
        if len(results) > 1:
            print("IDENTICAL")
        return 0
    finally:
        if not options.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
