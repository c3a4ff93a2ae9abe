import Tailor
import TailorGrowthBook
import Testing

/// `GrowthBook.Payload.lint`: warnings for what GrowthBook accepts but evaluates
/// as false or never reaches, errors only for what cannot be loaded.
@Suite struct PayloadLintTests {
  static func lint(_ json: String) -> [Diagnostic] {
    GrowthBook.Payload.lint(json: Array(json.utf8), file: "p.json")
  }

  /// A payload whose feature `f` has `first` and then a force rule.
  static func twoRules(_ first: String) -> String {
    #"{"features": {"f": {"defaultValue": 0, "rules": ["# + first
      + #", {"force": 2}]}}, "savedGroups": {"g": [1]}}"#
  }

  @Test(
    "a force rule for everyone hides the rules after it",
    arguments: [#"{"force": 1}"#, #"{"force": 1, "condition": {}}"#, #"{"force": null}"#]
  )
  func unreachable(_ first: String) throws {
    let diagnostics = PayloadLintTests.lint(PayloadLintTests.twoRules(first))
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(diagnostic.code == .unreachableRule)
    #expect(diagnostic.severity == .warning)
    #expect(diagnostic.location.pointer.description == "/features/f/rules/1")
    #expect(diagnostic.location.line == 1)
  }

  @Test(
    "a rule that may not apply hides nothing",
    arguments: [
      #"{"force": 1, "condition": {"a": 1}}"#, #"{"force": 1, "coverage": 1}"#,
      #"{"force": 1, "range": [0, 1]}"#,
      #"{"force": 1, "parentConditions": [{"id": "x", "condition": {"value": true}}]}"#,
      #"{"force": 1, "filters": [{"seed": "s", "ranges": [[0, 0.5]]}]}"#,
      #"{"variations": [1, 2], "weights": [0.5, 0.5]}"#,
      #"{"force": 1, "condition": {"a": {"$inGroup": "g"}}}"#,
    ]
  )
  func reachable(_ first: String) {
    #expect(PayloadLintTests.lint(PayloadLintTests.twoRules(first)).isEmpty)
  }

  @Test(
    "warnings name what GrowthBook evaluates as false",
    arguments: [
      (#"{"a": {"$regex": "a++"}}"#, Diagnostic.Code.invalidPattern, "/a/$regex"),
      (#"{"a": {"$regexi": "\\z"}}"#, .invalidPattern, "/a/$regexi"),
      (#"{"a": {"$bogus": 1}}"#, .unknownOperator, "/a/$bogus"),
      (#"{"a": {"$before": "2020-01-01"}}"#, .unknownOperator, "/a/$before"),
      (#"{"a": {"$type": "String"}}"#, .expectedType, "/a/$type"),
      (#"{"a": {"$in": 3}}"#, .expectedType, "/a/$in"),
      (#"{"a": {"$notInGroup": "missing"}}"#, .unknownGroup, "/a/$notInGroup"),
    ] as [(String, Diagnostic.Code, String)]
  )
  func warnings(_ condition: String, _ code: Diagnostic.Code, _ pointer: String) throws {
    let json =
      #"{"features": {"f": {"defaultValue": 0, "rules": [{"force": 1, "condition": "#
      + condition + "}]}}}"
    let diagnostics = PayloadLintTests.lint(json)
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(diagnostic.code == code)
    #expect(diagnostic.severity == .warning)
    #expect(diagnostic.location.pointer.description == "/features/f/rules/0/condition" + pointer)
    #expect(diagnostic.location.column != nil)
    // Linting changes nothing about loading: the payload still loads.
    #expect(throws: Never.self) { try GrowthBook.Payload(json: json) }
  }

  /// Features that convert to a rules document get its analysis, at the payload's rule index.
  @Test func shadowedRulesAreFoundByTheDocumentAnalysis() throws {
    let json = #"""
      {"features": {"f": {"defaultValue": 0, "rules": [
        {"id": "us", "condition": {"country": "US"}, "force": 1},
        {"coverage": 0, "force": 5},
        {"id": "us-again", "condition": {"country": "US"}, "force": 2},
        {"id": "ca", "condition": {"country": "CA"}, "force": 3}
      ]}}}
      """#
    let diagnostics = PayloadLintTests.lint(json)
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostics.count == 1)
    #expect(diagnostic.code == .unreachableRule)
    #expect(diagnostic.severity == .warning)
    #expect(diagnostic.location.pointer.description == "/features/f/rules/2")
    #expect(diagnostic.location.line == 4)
    #expect(diagnostic.message.contains("`us-again` can never win"))
  }

  @Test func shapeErrorsAreErrors() {
    let diagnostics = PayloadLintTests.lint(#"{"features": {"f": {"rules": [{"coverage": "x"}]}}}"#)
    #expect(diagnostics.map(\.code) == [.expectedType])
    #expect(diagnostics.map(\.severity) == [.error])
    #expect(PayloadLintTests.lint("{").map(\.severity) == [.error])
  }
}
