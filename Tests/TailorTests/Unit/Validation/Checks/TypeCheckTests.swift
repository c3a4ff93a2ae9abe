import Testing

@testable import Tailor

/// Operands checked against the `attributes` schema.
@Suite struct TypeCheckTests {
  static let attributes =
    #""attributes": {"age": "number", "country": "string", "app": "version", "signup": "datetime", "tags": "array"},"#

  static func load(when condition: String) throws(TailorError) -> Rules {
    try Rules(
      json: DiagnosticCodeTests.rule(
        #"{"id": "r", "when": \#(condition), "serve": "a"}"#, extra: attributes))
  }

  @Test(
    "operands that fit",
    arguments: [
      #"{"age": {"$gte": 18, "$lt": 65.5}}"#,
      #"{"age": {"$in": [18, 21]}}"#,
      #"{"age": 18}"#,
      #"{"country": {"$in": ["ES"], "$startsWith": "E", "$contains": "S"}}"#,
      #"{"app": {"$vgte": "1.2.0"}}"#,
      #"{"signup": {"$before": "2026-01-01", "$gte": "2025-01-01T00:00:00Z"}}"#,
      #"{"tags": {"$contains": "x", "$size": 2}}"#,
      #"{"undeclared": {"$gte": "x"}}"#,
      // `null` stands for a missing attribute, whatever the declared type.
      #"{"age": {"$eq": null}}"#,
      #"{"age": {"$ne": null}}"#,
      #"{"age": {"$in": [18, null]}}"#,
      #"{"country": {"$nin": [null]}}"#,
    ]
  )
  func fits(_ condition: String) throws {
    #expect(throws: Never.self) { try TypeCheckTests.load(when: condition) }
  }

  @Test func anUnusableOperandIsReportedOnce() {
    do {
      _ = try TypeCheckTests.load(when: #"{"age": {"$lt": null}}"#)
      Issue.record("loaded")
    } catch {
      #expect(error.diagnostics.map(\.code) == [.expectedType])
    }
  }
}
