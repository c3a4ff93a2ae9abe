import Testing

@_spi(Server) @testable import Tailor

@Suite struct DecisionJSONTests {
  static let rules = """
    {"tailor": 1,
     "decisions": {
       "hero": {"variants": {"a": {"img": "a.jpg", "n": [1, 2.5, -0]}, "b": "quote\\"and\\nnewline"},
                "default": "a",
                "rules": [{"id": "b-es", "when": {"country": "ES"}, "serve": "b"},
                          {"id": "half", "rollout": {"by": "id", "percent": 50}, "serve": "b"}]},
       "bare": {"variants": {"x": 1}, "rules": [{"id": "never", "when": {"tier": "gold"}, "serve": "x"}]},
       "offers": {"mode": "all", "limit": 2, "variants": {"o1": 1, "o2": 2, "o3": 3},
                  "rules": [{"id": "r1", "serve": "o1"}, {"id": "r2", "serve": "o2"}, {"id": "r3", "serve": "o3"}]}}}
    """

  @Test(arguments: [
    (
      #"{"country": "ES"}"#, "hero",
      #"{"variant":"b","value":"quote\"and\nnewline","rule":"b-es","reason":"match"}"#
    ),
    (
      #"{"country": "FR"}"#, "bare",
      #"{"variant":null,"value":null,"rule":null,"reason":"default"}"#
    ),
    (
      #"{}"#, "offers",
      #"{"matches":[{"variant":"o1","value":1,"rule":"r1","reason":"match"},{"variant":"o2","value":2,"rule":"r2","reason":"match"}]}"#
    ),
  ])
  func protocolShape(profile: String, decision: String, expected: String) throws {
    let rules = try Rules(json: Self.rules)
    let decided = try #require(rules.decide(decision, for: try Profile(json: profile)))
    #expect(decided.json.jsonText == expected)
    var bytes: [UInt8] = []
    decided.write(into: &bytes)
    #expect(String(decoding: bytes, as: UTF8.self) == expected)
  }

  @Test func explainedDecisionsWriteTheSameBytesAsTheirJSON() throws {
    let rules = try Rules(json: Self.rules)
    for profile in [#"{"country":"FR","id":"u1"}"#, #"{"id":"u2"}"#, #"{"country":"ES"}"#, #"{}"#] {
      for decision in rules.decideAll(for: try Profile(json: profile), explain: true) {
        var bytes: [UInt8] = []
        decision.write(into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == decision.json.jsonText)
        #expect(decision.json.objectValue?["trace"]?.arrayValue != nil)
      }
    }
  }

  @Test func traceStepsNameWhatFailed() throws {
    let rules = try Rules(json: Self.rules)
    let decided = try #require(rules.decide("bare", for: try Profile(json: "{}"), explain: true))
    #expect(
      decided.trace?.json.jsonText
        == #"[{"rule":"never","outcome":"condition_failed","failed":{"tier":"gold"},"value":null}]"#
    )
  }

  @Test(arguments: [
    JSONValue.number(0), .number(-0.0), .number(42), .number(-17), .number(1.5), .number(1e21),
    .number(123_456_789_012_345), .number(0.000001), .number(.infinity), .string("é\u{1}\t\\"),
    .array([.null, .bool(true), .bool(false)]),
    .object(JSONObject([("k\"", .object(JSONObject()))])),
  ])
  func byteWriterMatchesTextWriter(_ value: JSONValue) {
    var bytes: [UInt8] = []
    value.write(into: &bytes)
    #expect(String(decoding: bytes, as: UTF8.self) == value.jsonText)
  }

  @Test func diagnosticJSONNamesCodePointerAndPosition() throws {
    do {
      _ = try Rules(json: "{\"tailor\": 1,\n \"decisions\": 3}", file: "r.json")
      Issue.record("expected an error")
    } catch {
      let diagnostic = try #require(error.diagnostics.first)
      #expect(
        diagnostic.json.jsonText
          == #"{"code":"expected_type","severity":"error","message":"expected an object of decisions, found a number","location":{"pointer":"/decisions","file":"r.json","offset":28,"line":2,"column":15},"notes":[]}"#
      )
    }
  }
}
