#!/usr/bin/env python3
"""Soak and reload checks for `tailor serve` (bounded in time; loopback pipes only).

  scripts/soak.py TAILOR [--lines 10000000] [--reload-lines 1000000] [--loads 100]
                         [--garbage-lines 1000000]

1. RSS: streams --lines requests (a seeded set of profiles, repeated) through one
   server, samples its resident size every half second, and reports growth after
   warm-up (the first 10 % of lines). Fails if it grew by more than 10 %.
2. Reloads: streams --reload-lines requests with --loads `load` ops interleaved,
   alternating two documents whose two decisions answer `a1`/`a2` and `b1`/`b2`.
   Every line must be answered once, in order, and every answer must come wholly
   from the rules loaded at that point of the stream.
3. Garbage: streams --garbage-lines requests of which 1 % are garbage (bad JSON,
   wrong types, unknown decisions, lines over 1 MiB, bad `now`); each line gets
   exactly one answer, in order, and exactly the garbage lines get errors.
"""
import argparse, json, os, subprocess, sys, tempfile, threading, time

def rules(tag):
    return {"tailor": 1, "decisions": {
        "first": {"variants": {f"{tag}1": 1, "other": 2}, "default": f"{tag}1",
                  "rules": [{"id": "never", "when": {"country": "ZZ"}, "serve": "other"}]},
        "second": {"variants": {f"{tag}2": 1, "other": 2}, "default": f"{tag}2",
                   "rules": [{"id": "never", "when": {"tier": "none"}, "serve": "other"}]}}}

def profile(i):
    return {"userId": f"u-{i}", "country": ["ES", "PT", "FR", "DE"][i % 4], "tier": ["gold", "free"][i % 2],
            "age": 18 + i % 60, "tags": ["news", "sports"][: i % 3], "device": "web"}

def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None

def soak(tailor, directory, lines):
    path = os.path.join(directory, "a.json")
    with open(path, "w") as f: json.dump(rules("a"), f)
    base = [json.dumps({"id": i, "profile": profile(i)}).encode() + b"\n" for i in range(1000)]
    server = subprocess.Popen([tailor, "serve", "--rules", path], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    samples, answered, done = [], [0], threading.Event()
    def read():
        for _ in server.stdout: answered[0] += 1
        done.set()
    threading.Thread(target=read, daemon=True).start()
    def sample():
        while not done.is_set():
            value = rss_kb(server.pid)
            if value: samples.append((answered[0], value))
            time.sleep(0.5)
    threading.Thread(target=sample, daemon=True).start()
    started = time.time()
    block = b"".join(base)
    for _ in range(lines // len(base)): server.stdin.write(block)
    server.stdin.write(b"".join(base[: lines % len(base)]))
    server.stdin.close()
    done.wait(); server.wait()
    elapsed = time.time() - started
    warm = [rss for (n, rss) in samples if n >= lines // 10] or [s[1] for s in samples]
    first, peak, last = warm[0], max(warm), warm[-1]
    growth = (peak - first) * 100 / first
    print(f"soak: {lines} lines in, {answered[0]} out, {elapsed:.1f} s ({lines / elapsed:,.0f} lines/s); "
          f"RSS after warm-up {first} KB, peak {peak} KB, last {last} KB ({growth:+.1f} %), {len(samples)} samples")
    return answered[0] == lines and growth <= 10

def reloads(tailor, directory, lines, loads):
    paths = {}
    for tag in "ab":
        paths[tag] = os.path.join(directory, f"{tag}.json")
        with open(paths[tag], "w") as f: json.dump(rules(tag), f)
    requests, expected = [], []
    every = lines // (loads + 1)
    tag = "a"
    for i in range(lines):
        if i and i % every == 0 and len([r for r in requests if b'"op"' in r]) < loads:
            tag = "b" if tag == "a" else "a"
            requests.append(json.dumps({"id": f"load-{i}", "op": "load", "path": paths[tag]}).encode() + b"\n")
            expected.append(("load", None))
        requests.append(json.dumps({"id": i, "profile": profile(i)}).encode() + b"\n")
        expected.append((i, tag))
    started = time.time()
    result = subprocess.run([tailor, "serve", "--rules", paths["a"]], input=b"".join(requests),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.time() - started
    answers = result.stdout.splitlines()
    ok = len(answers) == len(requests)
    mixed = wrong = 0
    for line, (request_id, tag) in zip(answers, expected):
        answer = json.loads(line)
        if request_id == "load":
            ok = ok and answer.get("ok") is True
            continue
        if answer.get("id") != request_id: wrong += 1; continue
        variants = {answer["decisions"]["first"]["variant"][0], answer["decisions"]["second"]["variant"][0]}
        if len(variants) != 1: mixed += 1
        elif variants != {tag}: wrong += 1
    loads_done = sum(1 for (r, _) in expected if r == "load")
    print(f"reloads: {len(requests)} lines in ({loads_done} loads), {len(answers)} out, {elapsed:.1f} s; "
          f"answers mixing old and new rules: {mixed}; answers from the wrong rules or out of order: {wrong}")
    return ok and mixed == 0 and wrong == 0

def garbage(tailor, directory, lines):
    """`lines` requests of which 1 % are garbage: each gets exactly one answer, in
    order, and exactly the garbage lines get errors."""
    path = os.path.join(directory, "a.json")
    bad = [b'{"id": %d, "profile": {"country": "ES",', b'{"id": %d, "profile": [1, 2]}',
           b'{"id": %d, "profile": {}, "decisions": ["nope"]}',
           b'not json %d', b'{"id": %d, "profile": {}, "now": 7}']
    # A line just over the 1 MiB limit, one garbage line in 60 (so memory stays small).
    overlong = b'{"id": %d, "profile": {"x": "' + b"y" * (1 << 20) + b'"}}'
    requests, is_bad = [], []
    for i in range(lines):
        if i % 100 == 37:
            kind = overlong if (i // 100) % 60 == 0 else bad[(i // 100) % len(bad)]
            requests.append(kind.replace(b"%d", str(i).encode(), 1) + b"\n")
            is_bad.append(True)
        else:
            requests.append(json.dumps({"id": i, "profile": profile(i)}).encode() + b"\n")
            is_bad.append(False)
    started = time.time()
    result = subprocess.run([tailor, "serve", "--rules", path], input=b"".join(requests),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.time() - started
    answers = result.stdout.splitlines()
    errors = [b'"error"' in line for line in answers]
    in_order = all(json.loads(a).get("id") == i for i, a in enumerate(answers) if not errors[i]) if len(answers) == lines else False
    exact = errors == is_bad
    print(f"garbage: {lines} lines in ({sum(is_bad)} garbage), {len(answers)} out, {elapsed:.1f} s; "
          f"errors exactly for the garbage: {exact}; other answers in order: {in_order}")
    return len(answers) == lines and exact and in_order

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tailor")
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--reload-lines", type=int, default=1_000_000)
    parser.add_argument("--loads", type=int, default=100)
    parser.add_argument("--garbage-lines", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        good = soak(args.tailor, directory, args.lines)
        good = reloads(args.tailor, directory, args.reload_lines, args.loads) and good
        good = garbage(args.tailor, directory, args.garbage_lines) and good
    sys.exit(0 if good else 1)

if __name__ == "__main__":
    main()
