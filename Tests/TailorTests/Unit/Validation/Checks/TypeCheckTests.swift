import Testing

@testable import Tailor

/// Operands checked against the `attributes` schema.
@Suite struct TypeCheckTests {
  static let attributes =
    #""attributes": {"age": "number", "country": "string", "app": "version", "signup": "datetime", "tags": "array"},"#

  static func load(when condition: String) throws(TailorError) -> Rules {
    try Rules(
      json: DiagnosticCodeTests.rule(
        #"{"id": "r", "when": \#(condition), "serve": "a"}"#,
        extra: attributes
      )
    )
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

  @Test(
    "operands that do not fit",
    arguments: [
      (#"{"age": {"$gte": "18"}}"#, "$gte"),
      (#"{"age": {"$eq": true}}"#, "$eq"),
      (#"{"age": {"$in": ["18"]}}"#, "$in"),
      (#"{"age": {"$not": {"$lt": "65"}}}"#, "$lt"),
      (#"{"country": {"$ne": 1}}"#, "$ne"),
      (#"{"country": {"$nin": ["ES", 1]}}"#, "$nin"),
      (#"{"app": {"$vlt": 2}}"#, "$vlt"),
      (#"{"signup": {"$lt": "tomorrow"}}"#, "$lt"),
    ] as [(String, String)]
  )
  func doesNotFit(_ condition: String, _ op: String) {
    // Only errors are compared: some of these tests also hold for a missing
    // attribute, which the `matches_missing` analysis reports as a warning.
    do {
      _ = try TypeCheckTests.load(when: condition)
      Issue.record("loaded")
    } catch {
      #expect(error.errors.map(\.code) == [.typeMismatch], "\(error)")
      #expect(error.errors.first?.location.pointer.description.hasSuffix("/" + op) == true)
    }
  }

  @Test(
    "an operand the parser rejects is not also a type mismatch",
    arguments: [
      (#"{"signup": {"$after": "2026-13-01"}}"#, Diagnostic.Code.invalidDateTime),
      (#"{"signup": {"$before": 20260101}}"#, .expectedType),
      (#"{"country": {"$endsWith": 1}}"#, .expectedType),
      (#"{"country": {"$contains": ["E"]}}"#, .expectedType),
      (#"{"age": {"$in": 18}}"#, .expectedType),
      (#"{"age": {"$eq": [18]}}"#, .expectedType),
      (#"{"app": {"$veq": true}}"#, .expectedType),
    ] as [(String, Diagnostic.Code)]
  )
  func reportedOnce(_ condition: String, _ code: Diagnostic.Code) {
    do {
      _ = try TypeCheckTests.load(when: condition)
      Issue.record("loaded")
    } catch {
      #expect(error.errors.map(\.code) == [code], "\(error)")
    }
  }

  @Test func anUnusableOperandIsReportedOnce() {
    do {
      _ = try TypeCheckTests.load(when: #"{"age": {"$lt": null}}"#)
      Issue.record("loaded")
    } catch {
      #expect(error.errors.map(\.code) == [.expectedType])
    }
  }
}
