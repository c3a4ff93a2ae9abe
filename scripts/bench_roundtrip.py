#!/usr/bin/env python3
"""Idle round-trip latency of `tailor serve`: send one request, wait for its
answer, repeat. Reports p50/p99/p999 in microseconds (client-side, through pipes).

    scripts/bench_roundtrip.py TAILOR RULES REQUESTS [COUNT]
"""
import io
import json
import subprocess
import sys
import time


def main():
    tailor, rules, requests = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
    with open(requests, "rb") as file:
        lines = [next(file) for _ in range(min(count, 10_000))]
    server = subprocess.Popen([tailor, "serve", "--rules", rules], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    # Requests go out unbuffered; answers are read through a buffer (a raw
    # pipe's readline would read one byte per system call).
    answers = io.BufferedReader(server.stdout)
    samples = []
    for index in range(count):
        line = lines[index % len(lines)]
        began = time.perf_counter_ns()
        server.stdin.write(line)
        answer = answers.readline()
        samples.append(time.perf_counter_ns() - began)
        if not answer.endswith(b"\n"):
            sys.exit("no answer for request %d" % index)
    server.stdin.write(b'{"id":"stats","op":"stats"}\n')
    stats = json.loads(answers.readline())["stats"]["latencyMicros"]
    server.stdin.close()
    server.wait()
    samples.sort()

    def percentile(q):
        return samples[min(len(samples) - 1, int(q * len(samples)))] / 1000

    print("idle round trip (client, through pipes): %d requests  p50 %.1f us  p99 %.1f us  p999 %.1f us"
          % (count, percentile(0.5), percentile(0.99), percentile(0.999)))
    print("server time per request (op stats):      p50 %.1f us  p99 %.1f us  p999 %.1f us"
          % (stats["p50"], stats["p99"], stats["p999"]))


if __name__ == "__main__":
    main()
