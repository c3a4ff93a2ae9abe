import Testing

@testable import Tailor

/// Tailor's condition extensions in rules documents (DESIGN §3), including
/// what they do with missing and mistyped attributes: they never hold.
@Suite struct ConditionEvaluatorExtensionsTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var condition: String
    var profile: String
    var expected: Bool

    init(_ condition: String, _ profile: String, _ expected: Bool) {
      self.condition = condition
      self.profile = profile
      self.expected = expected
    }

    var testDescription: String { "\(condition) on \(profile) → \(expected)" }

    func check(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
      let rules = try Rules(json: ConditionCase.document(when: condition))
      let decision = try #require(rules.decide("d", for: try Profile(json: profile)))
      #expect(decision.variant == (expected ? "yes" : "no"), sourceLocation: sourceLocation)
    }
  }

  static let stringTests: [Case] = [
    Case(#"{"s": {"$startsWith": "ab"}}"#, #"{"s": "abc"}"#, true),
    Case(#"{"s": {"$startsWith": "ab"}}"#, #"{"s": "xabc"}"#, false),
    Case(#"{"s": {"$startsWith": ""}}"#, #"{"s": "x"}"#, true),
    Case(#"{"s": {"$startsWith": "e"}}"#, #"{"s": "e\u0301"}"#, true),
    Case(#"{"s": {"$startsWith": "\u00e9"}}"#, #"{"s": "e\u0301"}"#, false),
    Case(#"{"s": {"$startsWith": "ab"}}"#, #"{}"#, false),
    Case(#"{"s": {"$startsWith": ""}}"#, #"{"s": null}"#, false),
    Case(#"{"s": {"$startsWith": "12"}}"#, #"{"s": 123}"#, false),
    Case(#"{"s": {"$startsWith": "ab"}}"#, #"{"s": ["abc"]}"#, false),
    Case(#"{"s": {"$startsWith": "tr"}}"#, #"{"s": true}"#, false),
    Case(#"{"s": {"$endsWith": "bc"}}"#, #"{"s": "abc"}"#, true),
    Case(#"{"s": {"$endsWith": "b"}}"#, #"{"s": "abc"}"#, false),
    Case(#"{"s": {"$endsWith": "\u00e9"}}"#, #"{"s": "caf\u00e9"}"#, true),
    Case(#"{"s": {"$endsWith": "ll"}}"#, #"{}"#, false),
    Case(#"{"s": {"$endsWith": "3"}}"#, #"{"s": 123}"#, false),
    Case(#"{"s": {"$endsWith": "c"}}"#, #"{"s": ["abc"]}"#, false),
    // $contains: a substring of a string…
    Case(#"{"s": {"$contains": "b"}}"#, #"{"s": "abc"}"#, true),
    Case(#"{"s": {"$contains": ""}}"#, #"{"s": "abc"}"#, true),
    Case(#"{"s": {"$contains": "B"}}"#, #"{"s": "abc"}"#, false),
    Case(#"{"s": {"$contains": 2}}"#, #"{"s": "123"}"#, false),
    // …or an element of an array, by strict equality.
    Case(#"{"tags": {"$contains": "a"}}"#, #"{"tags": ["a", "b"]}"#, true),
    Case(#"{"tags": {"$contains": "a"}}"#, #"{"tags": ["ab"]}"#, false),
    Case(#"{"tags": {"$contains": 1}}"#, #"{"tags": [1, 2]}"#, true),
    Case(#"{"tags": {"$contains": 1}}"#, #"{"tags": ["1"]}"#, false),
    Case(#"{"tags": {"$contains": null}}"#, #"{"tags": [null]}"#, true),
    Case(#"{"tags": {"$contains": "a"}}"#, #"{"tags": []}"#, false),
    // Missing and mistyped attributes never hold.
    Case(#"{"tags": {"$contains": "a"}}"#, #"{}"#, false),
    Case(#"{"tags": {"$contains": null}}"#, #"{}"#, false),
    Case(#"{"tags": {"$contains": "2"}}"#, #"{"tags": 123}"#, false),
    Case(#"{"tags": {"$contains": "a"}}"#, #"{"tags": {"a": 1}}"#, false),
    // Negation turns "never holds" into "always holds".
    Case(#"{"tags": {"$not": {"$contains": "a"}}}"#, #"{}"#, true),
  ]

  @Test("$startsWith, $endsWith, $contains", arguments: stringTests)
  func stringOperators(_ testCase: Case) throws { try testCase.check() }

  static let regexTests: [Case] = [
    Case(#"{"s": {"$regexi": "^hello$"}}"#, #"{"s": "HeLLo"}"#, true),
    Case(#"{"s": {"$regex": "^hello$"}}"#, #"{"s": "HeLLo"}"#, false),
    Case(#"{"s": {"$regexi": "\u00e9"}}"#, #"{"s": "\u00c9"}"#, true),
    Case(#"{"s": {"$regexi": "NUL"}}"#, #"{}"#, true),
  ]

  @Test("$regexi", arguments: regexTests)
  func caseInsensitiveRegex(_ testCase: Case) throws { try testCase.check() }

  static let dateTests: [Case] = [
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{"t": "2026-05-31T23:59:59Z"}"#, true),
    Case(#"{"t": {"$after": "2026-06-01T00:00:00Z"}}"#, #"{"t": "2026-05-31T23:59:59Z"}"#, false),
    // Time zones are honoured: 02:00 at +02:00 is midnight UTC, neither before nor after it.
    Case(
      #"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#,
      #"{"t": "2026-06-01T02:00:00+02:00"}"#,
      false
    ),
    Case(
      #"{"t": {"$after": "2026-06-01T00:00:00Z"}}"#,
      #"{"t": "2026-06-01T02:00:00+02:00"}"#,
      false
    ),
    Case(
      #"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#,
      #"{"t": "2026-06-01T01:59:59+02:00"}"#,
      true
    ),
    Case(
      #"{"t": {"$after": "2026-06-01T00:00:00Z"}}"#,
      #"{"t": "2026-06-01T02:00:01+02:00"}"#,
      true
    ),
    Case(
      #"{"t": {"$after": "2026-06-01T02:00:00+02:00"}}"#,
      #"{"t": "2026-05-31T19:00:01-05:00"}"#,
      true
    ),
    Case(
      #"{"t": {"$before": "2026-06-01T00:00:00.001Z"}}"#,
      #"{"t": "2026-06-01T00:00:00Z"}"#,
      true
    ),
    // A date alone is midnight UTC.
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{"t": "2026-06-01"}"#, false),
    Case(#"{"t": {"$after": "2026-05-31T23:59:59Z"}}"#, #"{"t": "2026-06-01"}"#, true),
    // Missing, mistyped and unparsable attributes never hold.
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{}"#, false),
    Case(#"{"t": {"$after": "1970-01-01T00:00:00Z"}}"#, #"{}"#, false),
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{"t": 0}"#, false),
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{"t": ["2026-01-01"]}"#, false),
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{"t": "soon"}"#, false),
    Case(#"{"t": {"$before": "2026-06-01T00:00:00Z"}}"#, #"{"t": "2026-02-30"}"#, false),
    Case(#"{"t": {"$not": {"$before": "2026-06-01T00:00:00Z"}}}"#, #"{}"#, true),
  ]

  @Test("$before and $after", arguments: dateTests)
  func dateOperators(_ testCase: Case) throws { try testCase.check() }

  @Test func extensionsAreNotGrowthBookOperators() throws {
    // In GrowthBook's evalCondition they are unknown operators: false.
    for condition in [
      #"{"s": {"$startsWith": "a"}}"#, #"{"s": {"$endsWith": "a"}}"#, #"{"s": {"$contains": "a"}}"#,
      #"{"s": {"$before": "2030-01-01"}}"#, #"{"s": {"$after": "2000-01-01"}}"#,
    ] {
      let holds = GrowthBook.evaluateCondition(
        try JSONReader.parse(condition),
        attributes: ["s": "a", "t": "2020-01-01"]
      )
      #expect(!holds, "\(condition)")
    }
    // `$segment` and `$decision` are attribute paths there.
    #expect(GrowthBook.evaluateCondition(["$segment": "eu"], attributes: ["$segment": "eu"]))
  }
}
