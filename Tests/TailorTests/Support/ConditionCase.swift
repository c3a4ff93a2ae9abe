import Testing

@testable import Tailor

/// One condition evaluated against one set of attributes, checked two ways:
/// through GrowthBook's `evalCondition` (``GrowthBook/evaluateCondition(_:attributes:savedGroups:)``)
/// and as the `when` of a rule in a rules document.
struct ConditionCase: Sendable, CustomTestStringConvertible {
  /// The condition's JSON.
  var condition: String
  /// The attributes' (profile's) JSON.
  var attributes: String
  /// What GrowthBook's `evalCondition` answers.
  var expected: Bool
  /// The code a rules document reports instead, when Tailor's stricter documents
  /// reject the condition; `nil` when a document evaluates it like GrowthBook.
  var rejectedWith: Diagnostic.Code?
  /// Saved groups (GrowthBook) and `groups` (documents), as a JSON object.
  var groups: String

  var testDescription: String {
    "\(condition) on \(attributes)" + (rejectedWith.map { " (documents: \($0))" } ?? "")
  }

  /// The condition holds, in GrowthBook and in documents.
  static func holds(
    _ condition: String,
    _ attributes: String,
    groups: String = "{}"
  )
    -> ConditionCase
  {
    ConditionCase(condition: condition, attributes: attributes, expected: true, groups: groups)
  }

  /// The condition fails, in GrowthBook and in documents.
  static func fails(
    _ condition: String,
    _ attributes: String,
    groups: String = "{}"
  )
    -> ConditionCase
  {
    ConditionCase(condition: condition, attributes: attributes, expected: false, groups: groups)
  }

  /// GrowthBook answers `expected`; a rules document reports `code` instead.
  static func rejected(
    _ condition: String,
    _ attributes: String,
    growthBook expected: Bool,
    _ code: Diagnostic.Code,
    groups: String = "{}"
  ) -> ConditionCase {
    ConditionCase(
      condition: condition,
      attributes: attributes,
      expected: expected,
      rejectedWith: code,
      groups: groups
    )
  }

  /// A rules document whose decision `d` serves `yes` when `condition` holds, else `no`.
  static func document(when condition: String, groups: String = "{}") -> String {
    """
    {"tailor": 1, "groups": \(groups), "decisions": {"d": {
      "variants": {"yes": true, "no": false}, "default": "no",
      "rules": [{"id": "r", "when": \(condition), "serve": "yes"}]}}}
    """
  }

  /// Checks both paths.
  func check(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let conditionValue = try JSONReader.parse(condition)
    let attributesValue = try JSONReader.parse(attributes)
    var saved: [String: [JSONValue]] = [:]
    for (name, members) in try #require(try JSONReader.parse(groups).objectValue).pairs {
      saved[name] = try #require(members.arrayValue)
    }
    let growthBook = GrowthBook.evaluateCondition(
      conditionValue,
      attributes: attributesValue,
      savedGroups: saved
    )
    #expect(growthBook == expected, "GrowthBook", sourceLocation: sourceLocation)

    let text = ConditionCase.document(when: condition, groups: groups)
    if let rejectedWith {
      do {
        _ = try Rules(json: text)
        Issue.record(
          "the document loaded; expected \(rejectedWith)",
          sourceLocation: sourceLocation
        )
      } catch {
        #expect(
          error.errors.map(\.code) == [rejectedWith],
          "\(error)",
          sourceLocation: sourceLocation
        )
      }
      return
    }
    let rules = try Rules(json: text)
    let decision = try #require(rules.decide("d", for: Profile(attributesValue)))
    #expect(
      decision.variant == (expected ? "yes" : "no"),
      "document",
      sourceLocation: sourceLocation
    )
  }
}
