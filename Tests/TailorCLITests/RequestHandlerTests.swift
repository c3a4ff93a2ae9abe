import Testing

@testable import Tailor
@testable import TailorCLI
@testable import TailorServer

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Double {
  /// Seconds since the epoch as a `Date`.
  var date: Date { Date(timeIntervalSince1970: self) }
}

/// The request → response mapping, without pipes.
@Suite struct RequestHandlerTests {
  static let document = #"""
    {"tailor": 1,
     "segments": {"eu": {"country": {"$in": ["ES", "PT", "FR"]}}},
     "decisions": {
       "hero": {"variants": {"standard": {"image": "a.jpg"}, "vip": {"image": "v.jpg"}, "summer": "s"},
                "default": "standard",
                "rules": [{"id": "summer", "when": {"country": "ES"},
                           "active": {"from": "2026-06-01T00:00:00Z", "until": "2026-09-01T00:00:00Z"}, "serve": "summer"},
                          {"id": "vip-eu", "when": {"$segment": "eu", "tier": "gold"}, "serve": "vip"}]},
       "banner": {"variants": {"on": true}, "rules": [{"id": "beta", "when": {"beta": true}, "serve": "on"}]},
       "offers": {"mode": "all", "limit": 2, "variants": {"a": 1, "b": 2, "c": 3},
                  "rules": [{"id": "ra", "serve": "a"}, {"id": "rb", "when": {"tier": "gold"}, "serve": "b"},
                            {"id": "rc", "serve": "c"}]}}}
    """#

  let handler: RequestHandler

  init() throws {
    handler = RequestHandler(
      rules: ServedRules(try Rules(json: Self.document), file: nil),
      maxDepth: 8
    )
  }

  func respond(_ line: String, number: Int = 1) -> (String, RequestHandler.Disposition) {
    var output: [UInt8] = []
    let bytes = Array(line.utf8)
    let outcome = bytes.withUnsafeBufferPointer {
      handler.respond(to: $0, lineNumber: number, into: &output)
    }
    return (String(decoding: output, as: UTF8.self), outcome)
  }

  @Test func answersEveryDecisionInDocumentOrder() {
    let (response, outcome) = respond(
      #"{"id":1,"profile":{"country":"ES","tier":"gold"},"now":"2026-01-01T00:00:00Z"}"#
    )
    #expect(outcome == .answered)
    #expect(
      response == #"""
        {"id":1,"decisions":{"hero":{"variant":"vip","value":{"image":"v.jpg"},"rule":"vip-eu","reason":"match"},"banner":{"variant":null,"value":null,"rule":null,"reason":"default"},"offers":{"matches":[{"variant":"a","value":1,"rule":"ra","reason":"match"},{"variant":"b","value":2,"rule":"rb","reason":"match"}]}}}

        """#
    )
  }

  @Test func nowSelectsSchedulesAndDecisionsSelectsAndOrders() {
    let (response, _) = respond(
      #"{"decisions":["offers","hero","offers"],"now":"2026-07-01T12:00:00+02:00","profile":{"country":"ES"},"id":"a"}"#
    )
    #expect(
      response == #"""
        {"id":"a","decisions":{"offers":{"matches":[{"variant":"a","value":1,"rule":"ra","reason":"match"},{"variant":"c","value":3,"rule":"rc","reason":"match"}]},"hero":{"variant":"summer","value":"s","rule":"summer","reason":"match"}}}

        """#
    )
  }

  @Test func idIsEchoedAsWritten() {
    for id in [#"{"k": [1, 2.50]}"#, "12345678901234567890123", #""é\n""#, "null", "true"] {
      let (response, _) = respond(#"{"id": \#(id), "profile": {}, "decisions": []}"#)
      #expect(response == #"{"id":\#(id),"decisions":{}}"# + "\n")
    }
    #expect(respond(#"{"profile":{},"decisions":[]}"#).0 == #"{"id":null,"decisions":{}}"# + "\n")
  }

  @Test(arguments: [
    #"[ "banner" , "hero" ]"#, #"["\u0062anner","hero"]"#, #"["banner","hero","banner"]"#,
    "[\"banner\",\n\"hero\"]",
  ])
  func decisionNamesAreReadWithOrWithoutEscapes(_ names: String) {
    let (response, outcome) = respond(
      #"{"id":1,"profile":{},"now":"2026-01-01T00:00:00Z","decisions":\#(names)}"#
    )
    #expect(outcome == .answered)
    #expect(response.hasPrefix(#"{"id":1,"decisions":{"banner":{"variant":null"#))
    #expect(response.contains(#"},"hero":{"variant":"standard""#))
  }

  @Test func cachedRenderingEqualsTheLibrarysJSON() throws {
    let rules = handler.rules.rules
    for profile in [#"{"country":"ES","tier":"gold"}"#, #"{"beta":true}"#, "{}"] {
      for explain in [false, true] {
        let (response, _) = respond(
          #"{"id":0,"profile":\#(profile),"now":"2026-07-01T00:00:00Z","explain":\#(explain)}"#
        )
        let decided = rules.decideAll(
          for: try Profile(json: profile),
          at: try #require(DateTime.parse("2026-07-01T00:00:00Z")).date,
          explain: explain
        )
        let expected = JSONValue.object(
          JSONObject([
            ("id", 0), ("decisions", .object(JSONObject(decided.map { ($0.name, $0.json) }))),
          ])
        )
        #expect(response == expected.jsonText + "\n")
      }
    }
  }

  @Test func explainAddsATracePerDecision() {
    let (response, _) = respond(
      #"{"id":1,"profile":{"country":"US"},"decisions":["hero"],"explain":true,"now":"2026-07-01T00:00:00Z"}"#
    )
    #expect(
      response == #"""
        {"id":1,"decisions":{"hero":{"variant":"standard","value":{"image":"a.jpg"},"rule":null,"reason":"default","trace":[{"rule":"summer","outcome":"condition_failed","failed":{"country":"ES"},"value":"US"},{"rule":"vip-eu","outcome":"condition_failed","failed":{"$segment":"eu"},"value":"US"}]}}}

        """#
    )
  }

  @Test(arguments: [
    (
      "not json", "bad_json",
      #"{"id":null,"error":{"code":"bad_json","message":"expected a value, found `n`","line":7,"offset":0}}"#
    ),
    (
      #"{"id":5,"profile":{"a":tru}}"#, "bad_json",
      #"{"id":5,"error":{"code":"bad_json","message":"expected a value, found `t`","line":7,"offset":23}}"#
    ),
    (
      #"{"id":5,"profile":{"a":1}"#, "bad_json",
      #"{"id":5,"error":{"code":"bad_json","message":"expected `,` or `}`, found end of line","line":7,"offset":25}}"#
    ),
    (
      #"{"id":5,"profile":{"a":1},}"#, "bad_json",
      #"{"id":5,"error":{"code":"bad_json","message":"expected a string key, found `}`","line":7,"offset":26}}"#
    ),
    (
      #"{"id":5,"profile":{"a":"\x"}}"#, "bad_json",
      #"{"id":5,"error":{"code":"bad_json","message":"invalid escape `\\x`","line":7,"offset":24}}"#
    ),
    (
      #"{"id":5,"profile":{"a":"x}}"#, "bad_json",
      #"{"id":5,"error":{"code":"bad_json","message":"unterminated string","line":7,"offset":23}}"#
    ),
    (
      #"{"id":5} x"#, "bad_json",
      #"{"id":5,"error":{"code":"bad_json","message":"unexpected `x` after the request object","line":7,"offset":9}}"#
    ),
    (
      "[1,2]", "bad_request",
      #"{"id":null,"error":{"code":"bad_request","message":"a request must be a JSON object","line":7,"offset":0}}"#
    ),
    (
      #"{"id":5}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"a request needs `profile` (or `op`)","line":7}}"#
    ),
    (
      #"{"id":5,"profile":[]}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`profile` must be an object","line":7,"offset":18}}"#
    ),
    (
      #"{"id":5,"profile":{},"profle":{}}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"unknown request field `profle`","line":7}}"#
    ),
    (
      #"{"id":5,"profile":{},"explain":1}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`explain` must be true or false","line":7}}"#
    ),
    (
      #"{"id":5,"profile":{},"now":"yesterday"}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`now` must be an ISO-8601 date-time string, such as \"2026-07-01T12:00:00Z\"","line":7}}"#
    ),
    (
      #"{"id":5,"profile":{},"decisions":"hero"}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`decisions` must be an array of decision names","line":7}}"#
    ),
    (
      #"{"id":5,"profile":{},"decisions":["hero","nope","x"]}"#, "unknown_decision",
      #"{"id":5,"error":{"code":"unknown_decision","message":"unknown decision `nope`, `x`","line":7}}"#
    ),
    (
      #"{"id":5,"profile":{"a":[[[[[[[[1]]]]]]]]}}"#, "too_deep",
      #"{"id":5,"error":{"code":"too_deep","message":"arrays and objects nest deeper than 8 levels","line":7,"offset":29}}"#
    ),
    (
      #"{"id":[[[[[[[[1]]]]]]]],"profile":{}}"#, "too_deep",
      #"{"id":null,"error":{"code":"too_deep","message":"arrays and objects nest deeper than 8 levels","line":7,"offset":13}}"#
    ),
    (
      #"{"id":5,"op":"dance"}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"unknown op \"dance\"; ops are `load`, `stats` and `ping`","line":7}}"#
    ),
    (
      #"{"id":5,"op":"ping","profile":{}}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`profile` does not belong to `op`","line":7}}"#
    ),
    (
      #"{"id":5,"op":"load"}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`\"op\": \"load\"` needs exactly one of `path` and `rules`","line":7}}"#
    ),
    (
      #"{"id":5,"profile":{},"path":"x"}"#, "bad_request",
      #"{"id":5,"error":{"code":"bad_request","message":"`path` and `rules` belong to `\"op\": \"load\"`","line":7}}"#
    ),
  ])
  func errorsAnswerOneLineWithCodeLineAndOffset(line: String, code: String, expected: String) {
    let (response, outcome) = respond(line, number: 7)
    #expect(outcome == .failed(ProtocolError(rawValue: code)!))
    #expect(response == expected + "\n")
  }

  @Test func invalidUTF8InTheProfileIsBadJSON() {
    var bytes = Array(#"{"id":1,"profile":{"a":""}}"#.utf8)
    bytes.insert(0xFF, at: 24)
    var output: [UInt8] = []
    let outcome = bytes.withUnsafeBufferPointer {
      handler.respond(to: $0, lineNumber: 1, into: &output)
    }
    #expect(outcome == .failed(.badJSON))
    #expect(String(decoding: output, as: UTF8.self).contains(#""offset":24"#))
  }

  /// Found by FuzzRequestHandler: only the last of repeated `profile` fields was
  /// read, so a line whose earlier profile is not JSON was answered.
  @Test func aRepeatedProfileIsReadToo() {
    let (response, outcome) = respond(
      #"{"id":5,"profile":{1},"profile":{"tier":"gold"}}"#,
      number: 7
    )
    #expect(outcome == .failed(.badJSON))
    #expect(
      response
        == #"{"id":5,"error":{"code":"bad_json","message":"expected a string key, found `1`","line":7,"offset":19}}"#
        + "\n"
    )
    let (last, _) = respond(
      #"{"id":6,"profile":{"tier":"bronze"},"profile":{"tier":"gold"},"decisions":["offers"]}"#
    )
    #expect(
      last
        == #"{"id":6,"decisions":{"offers":{"matches":[{"variant":"a","value":1,"rule":"ra","reason":"match"},{"variant":"b","value":2,"rule":"rb","reason":"match"}]}}}"#
        + "\n"
    )
  }

  @Test func pingIsAnsweredAndLoadAndStatsAreHandedBack() {
    #expect(respond(#"{"id":9,"op":"ping"}"#).0 == #"{"id":9,"ok":true}"# + "\n")
    let (statsResponse, stats) = respond(#"{"op":"stats","id":"s"}"#)
    #expect(statsResponse.isEmpty)
    #expect(stats == .control(.stats, id: 19..<22))
    #expect(
      respond(#"{"id":1,"op":"load","path":"r.json"}"#).1
        == .control(.load(.file("r.json")), id: 6..<7)
    )
    #expect(
      respond(#"{"id":1,"op":"load","rules":{"tailor":1}}"#).1
        == .control(.load(.inline(Array(#"{"tailor":1}"#.utf8))), id: 6..<7)
    )
  }

  @Test func loadAnswersCountsOrEveryDiagnostic() throws {
    let line = Array(#"{"id":2}"#.utf8)
    var output: [UInt8] = []
    let good = RequestHandler.load(
      .inline(
        Array(#"{"tailor":1,"decisions":{"d":{"variants":{"a":1,"b":2},"default":"a"}}}"#.utf8)
      )
    )
    line.withUnsafeBufferPointer {
      RequestHandler.writeLoaded(good, id: 6..<7, line: $0, lineNumber: 3, into: &output)
    }
    #expect(
      String(decoding: output, as: UTF8.self)
        == #"{"id":2,"ok":true,"decisions":1,"rules":0,"segments":0,"groups":0,"warnings":[{"code":"unused_variant","severity":"warning","message":"variant `b` of decision `d` is never served","location":{"pointer":"/decisions/d/variants/b","offset":48,"line":1,"column":49},"notes":["no rule serves it, it is not the `default`, and no `$decision` prerequisite names it"]}]}"#
        + "\n"
    )
    output = []
    let bad = RequestHandler.load(.inline(Array(#"{"tailor":2}"#.utf8)))
    line.withUnsafeBufferPointer {
      RequestHandler.writeLoaded(bad, id: 6..<7, line: $0, lineNumber: 3, into: &output)
    }
    #expect(
      String(decoding: output, as: UTF8.self)
        == #"{"id":2,"error":{"code":"invalid_rules","message":"the rules document has 1 error; the previous rules stay","line":3,"diagnostics":[{"code":"unsupported_version","severity":"error","message":"unsupported format version 2","location":{"pointer":"/tailor","offset":10,"line":1,"column":11},"notes":["this version of Tailor reads format version 1"]}]}}"#
        + "\n"
    )
  }

  @Test func statsCountRequestsErrorsAndLatency() throws {
    var stats = ServerStats()
    stats.record(.answered, nanoseconds: 1_000)
    stats.record(.failed(.badJSON), nanoseconds: 3_000)
    var other = ServerStats()
    other.record(.failed(.badJSON), nanoseconds: 100_000)
    stats.merge(other)
    let json = stats.json(rules: handler.rules)
    let object = try #require(json.objectValue)
    #expect(object["requests"] == 3)
    #expect(object["errors"]?.objectValue?["bad_json"] == 2)
    let latency = try #require(object["latencyMicros"]?.objectValue)
    #expect(latency["p50"]?.numberValue.map { abs($0 - 3) < 0.2 } == true)
    #expect(latency["max"] == 100)
    #expect(object["regexLimitHits"] == 0)
  }

  @Test func histogramPercentilesAreWithinSixPercent() {
    var histogram = LatencyHistogram()
    for value in 1...10_000 { histogram.record(UInt64(value) * 37) }
    for q in [0.5, 0.99, 0.999] {
      let exact = q * 10_000 * 37
      #expect(abs(histogram.percentile(q) - exact) / exact < 0.06)
    }
  }
}
