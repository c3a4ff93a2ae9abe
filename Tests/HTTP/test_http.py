"""The tailor-http test: real OpenFeature clients and raw HTTP against the built server.

    python Tests/HTTP/test_http.py TAILOR_HTTP TAILOR WORKDIR

Starts `tailor-http` on loopback (several times, with different options) and checks:
OpenFeature's Python SDK with the OFREP provider (boolean, string and object values,
an unknown flag, a split without targeting key, a type mismatch), bulk evaluation with
ETag and 304, reloads by POST /admin/reload and SIGHUP between two evaluations,
`/v1/decide` byte for byte against `tailor serve`, bad input (malformed JSON, wrong
content type, a body over --max-body-bytes, unknown routes, a slow client, a storm of
connections) with the server still serving, API keys, /metrics and graceful shutdown.
Every check that fails is printed; the exit status is 1 if any failed.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason

HERE = os.path.dirname(os.path.abspath(__file__))
FAILURES = []
CHECKS = 0


def check(condition, what, detail=""):
    global CHECKS
    CHECKS += 1
    if condition:
        print(f"ok   {what}")
    else:
        FAILURES.append(what)
        print(f"FAIL {what} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, rules, workdir, *args, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, f"server-{self.port}.log")
        self.log = open(self.log_path, "w")
        environment = dict(os.environ)
        environment.update(env or {})
        self.process = subprocess.Popen(
            [binary, "--rules", rules, "--port", str(self.port), *args],
            stdout=self.log, stderr=subprocess.STDOUT, env=environment,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tailor-http exited: {open(self.log_path).read()}")
            try:
                urllib.request.urlopen(self.base + "/readyz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("tailor-http did not become ready")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode

    def alive(self):
        return self.process.poll() is None


def http(method, url, body=None, headers=None, timeout=10):
    """(status, headers, body bytes) for one request; HTTP errors are answers, not exceptions."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None and "Content-Type" not in (headers or {}):
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def still_serving(server, after):
    status, _, body = http("GET", server.base + "/healthz")
    check(status == 200 and server.alive(), f"still serving after {after}", f"{status} {body!r}")


def sdk_checks(server):
    api.set_provider(OFREPProvider(server.base))
    client = api.get_client()

    beta = EvaluationContext(targeting_key="u-1", attributes={"beta": True})
    details = client.get_boolean_details("new-checkout", False, beta)
    check(details.value is True and details.variant == "on"
          and details.reason == Reason.TARGETING_MATCH
          and details.flag_metadata.get("rule") == "beta-users",
          "boolean flag: targeting match", details)
    details = client.get_boolean_details("new-checkout", True, EvaluationContext("u-2", {}))
    check(details.value is False and details.variant == "off" and details.reason == Reason.DEFAULT
          and details.error_code is None, "boolean flag: the decision's default", details)

    details = client.get_string_details("hero-copy", "fallback",
                                        EvaluationContext("u-3", {"country": "ES"}))
    check(details.value == "Spring is here" and details.variant == "spring",
          "string flag", details)

    details = client.get_object_details("homepage-hero", {},
                                        EvaluationContext("u-4", {"tier": "gold"}))
    check(details.value == {"image": "hero/vip.jpg"} and details.variant == "vip"
          and details.flag_metadata.get("rule") == "gold", "object flag", details)

    details = client.get_string_details("no-such-flag", "code default", EvaluationContext("u-5"))
    check(details.value == "code default" and details.error_code == ErrorCode.FLAG_NOT_FOUND,
          "unknown flag: the SDK's default with FLAG_NOT_FOUND", details)

    details = client.get_string_details("button-test", "grey", EvaluationContext(None, {}))
    check(details.value == "grey" and details.error_code == ErrorCode.TARGETING_KEY_MISSING,
          "split without targetingKey: TARGETING_KEY_MISSING", details)
    details = client.get_string_details("button-test", "grey", EvaluationContext("u-6", {}))
    check(details.value in ("green", "blue") and details.reason == Reason.SPLIT
          and details.error_code is None, "split with targetingKey: SPLIT", details)
    # The targeting key is the `id` attribute: the same user lands in the same variant as the pipe.
    again = client.get_string_details("button-test", "grey",
                                      EvaluationContext(None, {"id": "u-6"}))
    check(again.value == details.value, "targetingKey is the `id` attribute", again)

    details = client.get_object_details(
        "offers", {}, EvaluationContext("u-7", {"tier": "gold", "country": "ES"}))
    matches = details.value.get("matches", []) if isinstance(details.value, dict) else []
    check([m.get("variant") for m in matches] == ["free-delivery", "ten-off"]
          and details.variant == "free-delivery,ten-off"
          and details.flag_metadata.get("rule") == "gold-delivery,spain-ten",
          "mode all: an object listing the matches", details)

    details = client.get_boolean_details("hero-copy", False, EvaluationContext("u-8"))
    check(details.value is False and details.error_code == ErrorCode.TYPE_MISMATCH,
          "a string flag read as boolean: TYPE_MISMATCH", details)

    status, _, body = http("POST", server.base + "/ofrep/v1/evaluate/flags/no-default",
                           {"context": {"targetingKey": "u-9"}})
    answer = json.loads(body)
    check(status == 200 and "value" not in answer and "variant" not in answer
          and answer.get("reason") == "DEFAULT",
          "nothing served and no default: no value (the client's code default)", body)
    api.shutdown()


def bulk_checks(server):
    url = server.base + "/ofrep/v1/evaluate/flags"
    context = {"context": {"targetingKey": "u-1", "tier": "gold", "country": "ES"}}
    status, headers, body = http("POST", url, context)
    flags = json.loads(body).get("flags", []) if status == 200 else []
    tag = headers.get("ETag")
    check(status == 200 and tag and [f["key"] for f in flags] == [
        "new-checkout", "hero-copy", "homepage-hero", "button-test", "offers", "no-default"],
        "bulk: every flag in document order, with an ETag", f"{status} {body!r}")
    by_key = {f["key"]: f for f in flags}
    check(by_key.get("homepage-hero", {}).get("value") == {"image": "hero/vip.jpg"},
          "bulk: values as in single evaluation", by_key.get("homepage-hero"))
    status, again, body = http("POST", url, context, {"If-None-Match": tag,
                                                       "Content-Type": "application/json"})
    check(status == 304 and body == b"" and again.get("ETag") == tag,
          "bulk: 304 on a repeat with If-None-Match", f"{status} {body!r}")
    status, _, _ = http("POST", url, context, {"If-None-Match": '"other", ' + tag,
                                               "Content-Type": "application/json"})
    check(status == 304, "bulk: If-None-Match with a list of tags", status)
    status, other, _ = http("POST", url, {"context": {"targetingKey": "u-2"}},
                            {"If-None-Match": tag, "Content-Type": "application/json"})
    check(status == 200 and other.get("ETag") != tag, "bulk: another context, another ETag", status)
    status, _, body = http("POST", url, {"context": {"tier": "gold"}})
    flags = {f["key"]: f for f in json.loads(body).get("flags", [])}
    check(flags.get("button-test", {}).get("errorCode") == "TARGETING_KEY_MISSING"
          and flags.get("homepage-hero", {}).get("variant") == "vip",
          "bulk: a per-flag failure in place", body)
    return tag


def reader_checks(server):
    """The fast context reader (`{"context":…}` alone) and the full one answer the same."""
    import random
    random_ = random.Random(15)
    url = server.base + "/ofrep/v1/evaluate/flags"
    differences = []
    for number in range(300):
        context = {}
        if random_.random() < 0.8:
            context["targetingKey"] = random_.choice([f"u-{number}", None, "", "ü-ß"])
        if random_.random() < 0.3:
            context["id"] = random_.choice([f"x-{number}", None, 3])
        for name, values in [("beta", [True, False, None, 1]), ("country", ["ES", "FR", None]),
                             ("tier", ["gold", "silver", ["gold"], {"t": 1}])]:
            if random_.random() < 0.6:
                context[name] = random_.choice(values)
        if random_.random() < 0.2:
            context["nested"] = {"a": [1, {"b": "}]\\\""}], "c": None}
        fast = json.dumps({"context": context}, indent=random_.choice([None, 1]))
        full = json.dumps({"context": context, "other": 0})
        answers = [http("POST", url, body.encode())[2] for body in (fast, full)]
        if answers[0] != answers[1]:
            differences.append((context, answers))
    check(not differences, "the fast and the full context readers answer the same (300 contexts)",
          differences[:1])


def reload_checks(binary, rules_copy, workdir, token_file):
    server = Server(binary, rules_copy, workdir, "--admin-token-file", token_file)
    try:
        api.set_provider(OFREPProvider(server.base))
        client = api.get_client()
        context = EvaluationContext("u-1", {"country": "FR"})
        bulk_url = server.base + "/ofrep/v1/evaluate/flags"
        _, headers, _ = http("POST", bulk_url, {"context": {"targetingKey": "u-1"}})
        tag = headers.get("ETag")
        before = client.get_string_details("hero-copy", "x", context)
        document = json.load(open(rules_copy))
        document["decisions"]["hero-copy"]["variants"]["plain"] = "Hello"
        json.dump(document, open(rules_copy, "w"))
        unchanged = client.get_string_details("hero-copy", "x", context)
        check(before.value == "Welcome" and unchanged.value == "Welcome",
              "reload: the old rules until a reload", f"{before.value} {unchanged.value}")

        token = open(token_file).read().strip()
        status, _, _ = http("POST", server.base + "/admin/reload", b"")
        check(status == 401, "admin reload without the token: 401", status)
        status, _, _ = http("POST", server.base + "/admin/reload", b"",
                            {"Authorization": "Bearer wrong"})
        check(status == 403, "admin reload with a wrong token: 403", status)
        status, _, body = http("POST", server.base + "/admin/reload", b"",
                               {"Authorization": f"Bearer {token}"})
        after = client.get_string_details("hero-copy", "x", context)
        check(status == 200 and json.loads(body).get("rulesVersion") == 2 and after.value == "Hello",
              "POST /admin/reload between two evaluations", f"{status} {body!r} {after.value}")
        status, _, _ = http("POST", bulk_url, {"context": {"targetingKey": "u-1"}},
                            {"If-None-Match": tag, "Content-Type": "application/json"})
        check(status == 200, "bulk: 200, not 304, after the rules changed", status)

        document["decisions"]["hero-copy"]["variants"]["plain"] = "Hi"
        json.dump(document, open(rules_copy, "w"))
        server.process.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        value = None
        while time.time() < deadline:
            value = client.get_string_details("hero-copy", "x", context).value
            if value == "Hi":
                break
            time.sleep(0.1)
        check(value == "Hi", "SIGHUP reloads the rules file", value)

        open(rules_copy, "w").write('{"tailor": 1, "decisions": {"broken": {"variants": 3}}}')
        status, _, body = http("POST", server.base + "/admin/reload", b"",
                               {"Authorization": f"Bearer {token}"})
        value = client.get_string_details("hero-copy", "x", context).value
        check(status == 422 and value == "Hi",
              "an invalid document is refused and the old rules stay", f"{status} {value}")

        status, _, body = http("GET", server.base + "/metrics")
        text = body.decode()
        check(status == 200 and re.search(r"^tailor_http_rules_version 3(\.0)?$", text, re.M)
              and 'tailor_http_reloads_total{result="ok",trigger="admin"} 1' in text
              and 'tailor_http_reloads_total{result="ok",trigger="sighup"} 1' in text
              and 'tailor_http_reloads_total{result="failed",trigger="admin"} 1' in text
              and "tailor_http_request_duration_seconds_bucket" in text
              and 'tailor_http_requests_total{route="/ofrep/v1/evaluate/flags/{key}",code="200"}' in text,
              "GET /metrics: rules version, reloads, requests by route and code, latency", text[:400])
        api.shutdown()
        # A request in flight when SIGTERM arrives is answered before the server exits.
        body = json.dumps({"context": {"targetingKey": "u-1", "country": "ES"}}).encode()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"POST /ofrep/v1/evaluate/flags/hero-copy HTTP/1.1\r\nHost: t\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                      + body[:10])
            time.sleep(0.3)
            server.process.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            s.sendall(body[10:])
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.endswith(b"}"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        check(reply.startswith(b"HTTP/1.1 200") and b'"value":"Spring is here"' in reply,
              "SIGTERM: a request in flight is answered", reply[:80])
    finally:
        code = server.stop()
    check(code == 0, "SIGTERM: graceful shutdown, exit 0", code)


def decide_checks(server, tailor):
    lines = []
    profiles = [
        {"id": "u-1", "beta": True, "tier": "gold", "country": "ES"},
        {"id": "u-2", "country": "FR"},
        {"tier": "gold"},
        {},
    ]
    for number, profile in enumerate(profiles):
        lines.append(json.dumps({"id": number, "profile": profile}))
        lines.append(json.dumps({"id": f"d{number}", "profile": profile,
                                 "decisions": ["hero-copy", "offers"]}))
        lines.append(json.dumps({"id": [number], "profile": profile, "explain": True,
                                 "now": "2026-07-01T12:00:00Z"}))
    lines += [
        "not json",
        '{"id": 5}',
        '{"id": 6, "profile": {}, "decisions": ["nope"]}',
        '{"id": 7, "op": "ping"}',
        '{"id": 8, "profile": 3}',
        "",
        '{"id": 9, "profile": {"a": [[[[[[[[[[1]]]]]]]]]]}}',
    ]
    text = ("\n".join(lines) + "\n").encode()
    status, headers, body = http("POST", server.base + "/v1/decide", text,
                                 {"Content-Type": "application/x-ndjson"})
    piped = subprocess.run([tailor, "serve", "--rules", os.path.join(HERE, "rules.json")],
                           input=text, capture_output=True, check=True).stdout
    check(status == 200 and headers.get("Content-Type") == "application/x-ndjson"
          and body == piped and body.count(b"\n") == len([l for l in lines if l.strip()]),
          "/v1/decide answers lines byte for byte as tailor serve",
          f"{status}\nhttp: {body[:300]!r}\npipe: {piped[:300]!r}")

    status, headers, body = http("POST", server.base + "/v1/decide",
                                 json.dumps({"id": 1, "profile": {"country": "ES"},
                                             "decisions": ["hero-copy"]}, indent=2).encode())
    answer = json.loads(body) if status == 200 else {}
    check(status == 200 and answer.get("decisions", {}).get("hero-copy", {}).get("variant") == "spring",
          "/v1/decide: one request object (pretty-printed) as application/json", body)
    status, _, body = http("POST", server.base + "/v1/decide", b'{"id": 2, "profile": ')
    check(status == 400 and json.loads(body).get("error", {}).get("code") == "bad_json",
          "/v1/decide: bad JSON is 400 with the protocol's error", body)
    status, _, body = http("POST", server.base + "/v1/decide",
                           b'{"id": 3, "op": "load", "path": "/etc/passwd"}')
    check(status == 400 and json.loads(body).get("error", {}).get("code") == "bad_request",
          "/v1/decide: op load is refused over HTTP", body)
    status, _, _ = http("POST", server.base + "/v1/decide", b"{}", {"Content-Type": "text/plain"})
    check(status == 415, "/v1/decide: wrong content type is 415", status)


def bad_input_checks(server):
    flag = server.base + "/ofrep/v1/evaluate/flags/hero-copy"
    status, _, body = http("POST", flag, b'{"context": {"a": ')
    check(status == 400 and json.loads(body).get("errorCode") == "PARSE_ERROR"
          and json.loads(body).get("key") == "hero-copy", "malformed JSON: 400 PARSE_ERROR", body)
    still_serving(server, "malformed JSON")
    status, _, body = http("POST", flag, b'{"context": [1]}')
    check(status == 400 and json.loads(body).get("errorCode") == "INVALID_CONTEXT",
          "a context that is not an object: 400 INVALID_CONTEXT", body)
    status, _, body = http("POST", flag, b'{"context": {"targetingKey": 7}}')
    check(status == 400 and json.loads(body).get("errorCode") == "INVALID_CONTEXT",
          "a targetingKey that is not a string: 400 INVALID_CONTEXT", body)
    status, _, body = http("POST", server.base + "/ofrep/v1/evaluate/flags", b"[]")
    check(status == 400 and json.loads(body).get("errorCode") == "PARSE_ERROR",
          "bulk: a body that is not an object: 400 PARSE_ERROR", body)
    status, _, body = http("POST", flag, b"{}", {"Content-Type": "text/plain"})
    check(status == 415 and "errorDetails" in json.loads(body), "wrong content type: 415", body)
    still_serving(server, "a wrong content type")
    big = json.dumps({"context": {"pad": "x" * 5000}}).encode()
    status, _, body = http("POST", flag, big)
    check(status == 413, "a body over --max-body-bytes: 413", f"{status} {body[:100]!r}")
    still_serving(server, "an oversized body")
    # Chunked, so no Content-Length announces the size: the limit holds while reading.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        chunk = b"x" * 3000
        s.sendall(b"POST /ofrep/v1/evaluate/flags/hero-copy HTTP/1.1\r\nHost: t\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(3):
            s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        s.sendall(b"0\r\n\r\n")
        reply = s.recv(200)
    check(reply.startswith(b"HTTP/1.1 413"), "a chunked body over the limit: 413", reply[:40])
    still_serving(server, "an oversized chunked body")
    status, _, body = http("GET", server.base + "/no/such/route")
    check(status == 404 and "errorDetails" in json.loads(body), "unknown route: 404 JSON", body)
    status, _, _ = http("GET", flag)
    check(status in (404, 405), "GET on an evaluation route: 404 or 405", status)
    still_serving(server, "unknown routes")
    status, _, body = http("POST", server.base + "/admin/reload", b"")
    check(status == 403, "admin reload without --admin-token: 403 (off)", f"{status} {body!r}")

    # A slow client: headers never finished. The idle timeout closes the connection.
    began = time.time()
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as s:
        s.sendall(b"POST /ofrep/v1/evaluate/flags/hero-copy HTTP/1.1\r\nHost: t\r\n")
        try:
            closed = s.recv(100)
        except socket.timeout:
            closed = None
    elapsed = time.time() - began
    check(closed is not None and elapsed < 10,
          "a slow client is closed by --idle-timeout", f"{closed!r} after {elapsed:.1f}s")
    still_serving(server, "a slow client")

    # A client that trickles its body, a byte every 0.5 s (never idle): 408 after --read-timeout.
    began = time.time()
    reply = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as s:
        s.sendall(b"POST /ofrep/v1/evaluate/flags/hero-copy HTTP/1.1\r\nHost: t\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 60\r\n\r\n")
        s.settimeout(0.5)
        for _ in range(40):
            try:
                s.sendall(b" ")
                reply = s.recv(100)
                if reply:
                    break
            except socket.timeout:
                continue
            except OSError:
                break
    elapsed = time.time() - began
    check(reply.startswith(b"HTTP/1.1 408") and elapsed < 10,
          "a client trickling its body: 408 after --read-timeout", f"{reply[:40]!r} {elapsed:.1f}s")
    still_serving(server, "a trickling client")

    # A storm: 400 connections at once, a third sending garbage, a third half a request.
    def storm(index):
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
                if index % 3 == 0:
                    s.sendall(b"\x00\xffGARBAGE\r\n\r\n")
                elif index % 3 == 1:
                    s.sendall(b"POST /ofrep/v1/evaluate/flags/x HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
                else:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                    s.recv(100)
        except OSError:
            pass
    threads = [threading.Thread(target=storm, args=(i,)) for i in range(400)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    still_serving(server, "a storm of 400 connections")


def connection_limit_checks(binary, workdir):
    server = Server(binary, os.path.join(HERE, "rules.json"), workdir, "--max-connections", "4")
    try:
        holders = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
        for holder in holders:
            holder.sendall(b"GET /healthz HTTP/1.1\r\n")  # headers never finished
        time.sleep(0.3)
        try:
            waited = urllib.request.urlopen(server.base + "/healthz", timeout=1).status
        except OSError:
            waited = None
        for holder in holders:
            holder.close()
        status = None
        deadline = time.time() + 10
        while time.time() < deadline and status != 200:
            try:
                status = urllib.request.urlopen(server.base + "/healthz", timeout=2).status
            except OSError:
                time.sleep(0.1)
        check(waited is None and status == 200,
              "--max-connections: a fifth connection waits until one closes", f"{waited} {status}")
    finally:
        server.stop()


def non_loopback_address():
    """This machine's first non-loopback IPv4 address, or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def admin_peer_checks(binary, workdir, token_file):
    address = non_loopback_address()
    if address is None:
        print("skip admin routes from a non-loopback peer: this machine has no such address")
        return
    for extra, expected, what in [
        ([], 403, "admin reload from a non-loopback peer: 403"),
        (["--admin-from-anywhere"], 200, "admin reload from a non-loopback peer with --admin-from-anywhere"),
    ]:
        server = Server(binary, os.path.join(HERE, "rules.json"), workdir, "--host", "0.0.0.0",
                        "--admin-token-file", token_file, *extra)
        try:
            status, _, body = http("POST", f"http://{address}:{server.port}/admin/reload", b"",
                                   {"Authorization": "Bearer t0ken"})
            check(status == expected, what, f"{status} {body!r}")
        finally:
            server.stop()


def auth_checks(binary, workdir):
    server = Server(binary, os.path.join(HERE, "rules.json"), workdir,
                    env={"TAILOR_HTTP_API_KEY": "s3cret"})
    try:
        url = server.base + "/ofrep/v1/evaluate/flags/hero-copy"
        status, _, _ = http("POST", url, {"context": {}})
        check(status == 401, "API key: 401 without credentials", status)
        status, _, _ = http("POST", url, {"context": {}}, {"X-API-Key": "nope",
                                                          "Content-Type": "application/json"})
        check(status == 403, "API key: 403 with a wrong key", status)
        status, _, _ = http("POST", url, {"context": {}}, {"Authorization": "Bearer s3cret",
                                                          "Content-Type": "application/json"})
        check(status == 200, "API key: a bearer token", status)
        status, _, _ = http("GET", server.base + "/healthz")
        check(status == 200, "API key: health needs none", status)
        api.set_provider(OFREPProvider(server.base, headers_factory=lambda: {"X-API-Key": "s3cret"}))
        details = api.get_client().get_string_details("hero-copy", "x",
                                                      EvaluationContext("u", {"country": "ES"}))
        check(details.value == "Spring is here", "API key: the SDK with X-API-Key", details)
        api.set_provider(OFREPProvider(server.base))
        details = api.get_client().get_string_details("hero-copy", "x", EvaluationContext("u"))
        check(details.value == "x" and details.error_code == ErrorCode.GENERAL,
              "API key: the SDK without it gets its default", details)
        api.shutdown()
    finally:
        server.stop()


def main():
    binary, tailor, workdir = sys.argv[1:4]
    token_file = os.path.join(workdir, "admin-token")
    with open(token_file, "w") as f:
        f.write("t0ken\n")
    server = Server(binary, os.path.join(HERE, "rules.json"), workdir,
                    "--max-body-bytes", "4096", "--idle-timeout", "2", "--read-timeout", "3")
    try:
        print("== OpenFeature SDK with the OFREP provider")
        sdk_checks(server)
        print("== bulk evaluation")
        bulk_checks(server)
        print("== context readers")
        reader_checks(server)
        print("== /v1/decide")
        decide_checks(server, tailor)
        print("== bad input")
        bad_input_checks(server)
    finally:
        server.stop()
    print("== reloads, metrics, shutdown")
    rules_copy = os.path.join(workdir, "rules.json")
    shutil.copy(os.path.join(HERE, "rules.json"), rules_copy)
    reload_checks(binary, rules_copy, workdir, token_file)
    print("== admin peers")
    admin_peer_checks(binary, workdir, token_file)
    print("== connection limit")
    connection_limit_checks(binary, workdir)
    print("== API key")
    auth_checks(binary, workdir)
    print(f"{CHECKS - len(FAILURES)} of {CHECKS} checks passed")
    if FAILURES:
        print("failed:\n  " + "\n  ".join(FAILURES))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
