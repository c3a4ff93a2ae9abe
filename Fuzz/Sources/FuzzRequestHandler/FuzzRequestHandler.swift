#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import FuzzSupport
@_spi(Benchmarks) import Tailor
import TailorServer

// Arbitrary bytes as request lines for the server's `RequestHandler`, which
// answers from a fixed rules document. The input is split at each `\n`, as the
// server frames its input, and every non-blank line (one with a byte other than
// space, tab and `\r`) is answered in turn, numbered from 1 like input lines.
// `stats` and `load` come back as control requests; a `load` of a path never
// reads the file, and a `load` of inline rules is loaded and asked one request.
//
// Invariants (any violation traps):
// - a control request writes nothing; every other outcome appends exactly one
//   line to the output, leaving what was there: it ends with `\n`, holds no
//   other `\n`, and is a JSON object whose first key is "id", with no repeated
//   key outside the echoed id;
// - an answer is {"id", "decisions"} or {"id", "ok": true}; an error is
//   {"id", "error": {"code", "message", "line"[, "offset"]}} with the
//   outcome's code, the line's number and an offset inside the line;
// - a line that the JSON reader rejects at the handler's depth limit is always
//   an error, never an answer or a control request;
// - a line that the reader accepts is never `bad_json` or `too_deep`, and its
//   answer echoes its `id` (null when it has none); a control request's id is
//   the same value, and its inline rules are the bytes of the `rules` value;
// - a valid request with a profile object and no `op` is answered with
//   "decisions" or "error"; `ok` answers only `ping`;
// - the decisions answered are those requested (once each, in the order asked)
//   or else all of them in document order, and each is what the reference
//   interpreter decides for the profile at `now` (or the clock), with its trace
//   when `explain` is true;
// - a loaded inline document answers a request with every decision, each as
//   the interpreter decides it.

/// The handler's depth limit: small, so that the fuzzer reaches it with short lines.
let maxDepth = 8

let rules: Rules = {
  do {
    return try Rules(
      json: #"""
        {"tailor": 1,
         "attributes": {"country": "string", "age": "number", "tags": "array"},
         "groups": {"beta": ["u-1", "u-2", 7]},
         "segments": {"eu": {"country": {"$in": ["ES", "PT", "FR"]}}, "adult": {"age": {"$gte": 18}},
                      "eu-adult": {"$segment": ["eu", "adult"]}},
         "decisions": {
           "hero": {"variants": {"standard": {"image": "a.jpg"}, "vip": {"image": "v.jpg", "sizes": [1, 2.5, -0]},
                                 "summer": "s\"é\n", "new": null},
             "default": "standard",
             "rules": [
               {"id": "vip", "when": {"$segment": "eu-adult", "tier": "gold"}, "serve": "vip"},
               {"id": "summer", "when": {"country": {"$in": ["ES", "PT"]}},
                "active": {"from": "2026-06-01T00:00:00Z", "until": "2026-09-01T00:00:00+02:00"}, "serve": "summer"},
               {"id": "web-split", "when": {"device": "web"},
                "split": {"by": "userId", "seed": "hero", "coverage": 0.5, "weights": {"standard": 0.5, "new": 0.5}}},
               {"id": "new-rollout", "rollout": {"by": "userId", "percent": 10}, "serve": "new"}]},
           "offers": {"mode": "all", "limit": 2, "variants": {"a": 1, "b": 2.5, "c": [3], "d": {"n": -1e-7}},
             "default": "d",
             "rules": [
               {"id": "beta", "when": {"userId": {"$inGroup": "beta"}}, "serve": "a"},
               {"id": "name", "when": {"name": {"$regex": "^[a-z]+(-[a-z]+)*$"}}, "serve": "b"},
               {"id": "app", "when": {"app.version": {"$vgte": "2.1.0", "$vlt": "3.0.0-rc.1"}}, "serve": "c"},
               {"id": "score", "when": {"score": {"$gt": 0.5, "$lte": 100}, "tags": {"$elemMatch": {"$eq": "vip"}}},
                "serve": "d"}]},
           "gated": {"variants": {"on": true, "off": false}, "default": "off",
             "requires": {"$decision": {"hero": "vip"}},
             "rules": [{"id": "signup", "when": {"signup": {"$after": "2025-01-01T00:00:00+01:00"}}, "serve": "on"}]},
           "banner/é \"x\"": {"variants": {"yes": "🙂", "no": ""},
             "rules": [
               {"id": "young", "when": {"$or": [{"age": {"$lt": 25}}, {"name": {"$regexi": "^ANA"}}],
                                        "$nor": [{"country": "US"}], "email": {"$endsWith": "@example.com"}},
                "serve": "yes"},
               {"id": "early", "when": {"signup": {"$before": "2020-01-01T00:00:00Z"}, "tags": {"$size": {"$gt": 1}}},
                "serve": "no"}]}}}
        """#
    )
  } catch {
    fatalError("the fixed rules document does not load: \(error)")
  }
}()

let handler = RequestHandler(rules: ServedRules(rules, file: nil), maxDepth: maxDepth)

/// One scratch for every line of every input, as a server thread keeps one:
/// a line must never see what an earlier one left in it. libFuzzer calls in
/// on one thread.
nonisolated(unsafe) let scratch = RequestScratch()

let newline = UInt8(ascii: "\n")

/// An answer already in the output buffer, which each response must leave as it is.
let earlier = Array(#"{"id":0,"ok":true}"#.utf8) + [newline]

func text<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String { String(decoding: Array(bytes), as: UTF8.self) }

/// Whether an object's keys are `keys`, in order, comparing bytes.
func hasKeys(_ object: JSONObject, _ keys: [String]) -> Bool {
  object.keys.map { Array($0.utf8) } == keys.map { Array($0.utf8) }
}

/// Reads one response line, trapping unless it is a single line holding a JSON
/// object whose first key is `id` and whose only repeated keys are in the id.
func readResponse(_ written: ArraySlice<UInt8>) -> JSONObject {
  require(written.last == newline, "a response without a final newline: \(text(written))")
  let body = Array(written.dropLast())
  require(!body.contains(newline), "a response of more than one line: \(text(written))")
  let read: (value: JSONValue, duplicates: [Diagnostic])
  do {
    read = try JSONReader(duplicateKeys: .report).read(body)
  } catch {
    fatalError("a response that is not JSON (\(error)): \(text(body))")
  }
  guard case .object(let response) = read.value else { fatalError("a response that is not an object: \(text(body))") }
  require(response.keys.first == "id", "a response whose first key is not `id`: \(text(body))")
  for duplicate in read.duplicates {
    require(
      duplicate.location.pointer.tokens.first?.text == "id",
      "a repeated key outside the id (\(duplicate.location.pointer)): \(text(body))"
    )
  }
  return response
}

/// Checks an error body against the outcome's code, the line number and the line's length.
func checkError(_ response: JSONObject, code: ProtocolError, number: Int, length: Int) {
  require(hasKeys(response, ["id", "error"]), "an error response without `error` alone: \(response.keys)")
  guard case .object(let error)? = response["error"] else { fatalError("`error` is not an object") }
  let keys = error.keys.map { Array($0.utf8) }
  require(
    keys == ["code", "message", "line"].map { Array($0.utf8) }
      || keys == ["code", "message", "line", "offset"].map { Array($0.utf8) },
    "unexpected error fields \(error.keys)"
  )
  require(error["code"] == .string(code.rawValue), "error code \(String(describing: error["code"])) for \(code)")
  require(error["message"]?.stringValue.map { !$0.isEmpty } == true, "an error without a message")
  require(error["line"] == .number(Double(number)), "error on line \(String(describing: error["line"])), not \(number)")
  if let offset = error["offset"] {
    require(
      offset.numberValue.map { $0 >= 0 && $0 <= Double(length) && $0 == $0.rounded() } == true,
      "error offset \(offset) outside a line of \(length) bytes"
    )
  }
}

/// Checks answered decisions against the reference interpreter.
func checkDecisions(_ answer: JSONValue?, of rules: Rules, for request: JSONObject, clock: Double) {
  guard case .object(let decisions)? = answer else { fatalError("`decisions` is not an object") }
  guard let profile = request["profile"], profile.objectValue != nil else {
    fatalError("decisions answered without a profile object")
  }
  var now = clock
  if let value = request["now"] {
    guard let seconds = value.stringValue.flatMap(Rules.seconds(parsing:)) else {
      fatalError("decisions answered at an invalid `now`: \(value.jsonText)")
    }
    now = seconds
  }
  var explain = false
  if let value = request["explain"] {
    guard let flag = value.boolValue else { fatalError("decisions answered with `explain`: \(value.jsonText)") }
    explain = flag
  }
  var expected = rules.decisionNames
  if let value = request["decisions"] {
    guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count else {
      fatalError("decisions answered for `decisions`: \(value.jsonText)")
    }
    expected = []
    for name in names {
      guard let known = rules.decisionNames.first(where: { $0.utf8.elementsEqual(name.utf8) }) else {
        fatalError("an answer for unknown decision `\(name)`")
      }
      if !expected.contains(where: { $0.utf8.elementsEqual(known.utf8) }) { expected.append(known) }
    }
  }
  require(hasKeys(decisions, expected), "answered decisions \(decisions.keys), expected \(expected)")
  for (name, answered) in decisions.pairs {
    let decision = rules.interpretedDecision(name, for: profile, now: now, explain: explain)
    require(
      decision?.json == answered,
      "decision `\(name)` at \(now) for \(profile.jsonText):\n  answered:    \(answered.jsonText)\n"
        + "  interpreter: \(decision?.json.jsonText ?? "nil")"
    )
  }
}

/// Loads inline rules as `load` would, and asks the loaded rules one request.
func checkLoad(_ bytes: [UInt8]) {
  switch RequestHandler.load(.inline(bytes)) {
  case .success(let served):
    let loaded = RequestHandler(rules: served, maxDepth: maxDepth)
    let line = Array(#"{"id":"probe","profile":{},"now":"2026-07-01T12:00:00Z"}"#.utf8)
    let request = JSONObject([("id", "probe"), ("profile", .object(JSONObject())), ("now", "2026-07-01T12:00:00Z")])
    var output: [UInt8] = []
    let outcome = line.withUnsafeBufferPointer { loaded.respond(to: $0, lineNumber: 1, into: &output) }
    require(outcome == .answered, "loaded rules did not answer a request: \(outcome)")
    let response = readResponse(output[...])
    require(hasKeys(response, ["id", "decisions"]), "loaded rules answered \(response.keys)")
    require(response["id"] == "probe", "loaded rules answered id \(String(describing: response["id"]))")
    checkDecisions(response["decisions"], of: served.rules, for: request, clock: 0)
  case .failure(let error):
    require(!error.errors.isEmpty, "inline rules failed to load without an error: \(error.diagnostics)")
  }
}

/// Answers one non-blank line and checks the outcome.
func check(_ line: [UInt8], number: Int) {
  let clock = Date().timeIntervalSince1970
  var output = earlier
  let outcome = line.withUnsafeBufferPointer {
    handler.respond(to: $0, lineNumber: number, into: &output, scratch: scratch)
  }
  require(output.starts(with: earlier), "a response changed the output before it")
  let written = output[earlier.count...]
  // The request as the JSON reader sees it: `nil` when it is not JSON or nests too deeply.
  let request = try? JSONReader(maxDepth: maxDepth).read(line).value
  let fields = request?.objectValue

  let response: JSONObject
  switch outcome {
  case .control(let control, let id):
    require(written.isEmpty, "a control request wrote \(text(written))")
    guard let fields else { fatalError("a control request from a line the reader rejects: \(text(line))") }
    if let id {
      require(id.lowerBound >= 0 && id.upperBound <= line.count, "an id range \(id) outside the line")
      require((try? JSONReader.parse(Array(line[id]))) == fields["id"], "a control request with the wrong id")
    } else {
      require(fields["id"] == nil, "a control request without its id")
    }
    switch control {
    case .stats:
      require(fields["op"] == "stats", "`stats` from \(text(line))")
    case .load(.file(let path)):
      require(fields["op"] == "load" && fields["path"] == .string(path), "`load` of `\(path)` from \(text(line))")
    case .load(.inline(let bytes)):
      require(fields["op"] == "load", "`load` from \(text(line))")
      require((try? JSONReader.parse(bytes)) == fields["rules"], "inline rules that are not the `rules` value")
      checkLoad(bytes)
    }
    return
  case .failed(let code):
    response = readResponse(written)
    checkError(response, code: code, number: number, length: line.count)
    if request != nil {
      require(code != .badJSON && code != .tooDeep, "\(code) for a line the reader accepts: \(text(line))")
      require(response["id"] == (fields?["id"] ?? .null), "an error that does not echo the id: \(text(written))")
    }
  case .answered:
    response = readResponse(written)
    guard let fields else { fatalError("an answer to a line the reader rejects: \(text(line))") }
    require(response["id"] == (fields["id"] ?? .null), "an answer that does not echo the id: \(text(written))")
    if hasKeys(response, ["id", "ok"]) {
      require(response["ok"] == true && fields["op"] == "ping", "`ok` answered \(text(line))")
    } else {
      require(hasKeys(response, ["id", "decisions"]), "an answer with fields \(response.keys)")
      require(fields["op"] == nil, "decisions answered a request with `op`: \(text(line))")
      checkDecisions(response["decisions"], of: rules, for: fields, clock: clock)
    }
  }
  if let fields, fields["op"] == nil, fields["profile"]?.objectValue != nil {
    let second = response.keys.dropFirst().first
    require(second == "decisions" || second == "error", "a valid request answered with `\(second ?? "nothing")`")
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = bytes(data, size)
  for (index, line) in input.split(separator: newline, omittingEmptySubsequences: false).enumerated()
  where !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
    check(Array(line), number: index + 1)
  }
  return 0
}

@main enum Main {
  static func main() { runFuzzer { data, size in fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) } }
}
