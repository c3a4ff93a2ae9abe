import Testing

@testable import Tailor

@Suite struct PreparedProfileTests {
  static let rules: Rules? = try? Rules(
    json: #"""
      {"tailor": 1, "decisions": {"hero": {"variants": {"a": 1, "b": 2}, "default": "a", "rules": [
        {"id": "r", "when": {"country": "ES", "geo.country": {"$in": ["US", "FR"]}, "age": {"$gte": 18}}, "serve": "b"}
      ]}}}
      """#
  )

  /// A crash the fuzzer found: a profile cut off right after a key's colon,
  /// where the key leads to nested paths, was read past its end.
  @Test func truncatedAfterAColonIsASyntaxError() throws {
    let rules = try #require(PreparedProfileTests.rules)
    let text = #"{",ountry": "FR", "country": "ES", "age": 17, "age": 18, "geo": {"country": "U[1234567890123467895012345234S"}, "geo": "#
    #expect(throws: JSONReader.SyntaxError.self) { try rules.prepare(json: Array(text.utf8)) }
  }

  /// Every prefix of a valid profile is accepted by the fast reader exactly when
  /// the JSON reader accepts it, and never read past its end.
  @Test func everyPrefixAgreesWithTheJSONReader() throws {
    let rules = try #require(PreparedProfileTests.rules)
    let text = #"{"country": "ES", "age": 20, "geo": {"country": "FR", "city": "Paris"}, "tags": ["a", 1], "x": {"y": [true, null]}}"#
    let bytes = Array(text.utf8)
    for end in 0...bytes.count {
      let prefix = Array(bytes[0..<end])
      let fast = (try? rules.prepare(json: prefix)) != nil
      let full = (try? JSONReader.parse(prefix)).map { $0.objectValue != nil } ?? false
      #expect(fast == full || !fast && (try? JSONReader.parse(prefix)) != nil, "prefix of \(end) bytes")
    }
    let prepared = try rules.prepare(json: bytes)
    #expect(rules.makeEvaluator().decide("hero", for: prepared, at: 0)?.variant == "b")
  }
}
