/// What a validation check sees: the parsed document, the condition sites and
/// the JSON it was parsed from.
struct ValidationInput {
  var document: Document
  var sites: [ConditionParser.Site]
  /// The document's JSON, for checks that point into it or re-read conditions.
  var root: JSONValue = .null
  /// Whether parsing kept every part: false when a shape error dropped a rule,
  /// decision or segment, so analyses that need all of them stay silent.
  var isComplete = true

  init(
    document: Document,
    sites: [ConditionParser.Site],
    root: JSONValue = .null,
    isComplete: Bool = true
  ) {
    self.document = document
    self.sites = sites
    self.root = root
    self.isComplete = isComplete
  }

  /// Pointers to every rule of `decision` by id (the first rule written with each id), in one pass.
  func rulePointers(decision: DecisionDefinition) -> [ByteString: JSONPointer] {
    let rules = JSONPointer.root.appending(key: "decisions").appending(key: decision.name)
      .appending(key: "rules")
    let written =
      root.objectValue?["decisions"]?.objectValue?[decision.name]?.objectValue?["rules"]?.arrayValue
      ?? []
    var pointers: [ByteString: JSONPointer] = [:]
    for (index, rule) in written.enumerated() {
      if case .string(let id)? = rule.objectValue?["id"], pointers[ByteString(id)] == nil {
        pointers[ByteString(id)] = rules.appending(index: index)
      }
    }
    return pointers
  }

  /// The pointer to the rule `id` of `decision` in ``root`` (its index as written).
  func rulePointer(decision: DecisionDefinition, ruleID: String) -> JSONPointer {
    let rules = JSONPointer.root.appending(key: "decisions").appending(key: decision.name)
      .appending(key: "rules")
    let written =
      root.objectValue?["decisions"]?.objectValue?[decision.name]?.objectValue?["rules"]?.arrayValue
      ?? []
    if let index = written.firstIndex(where: { $0.objectValue?["id"] == .string(ruleID) }) {
      return rules.appending(index: index)
    }
    let parsed = decision.rules.firstIndex { JSONValue.sameBytes($0.id, ruleID) } ?? 0
    return rules.appending(index: parsed)
  }
}

/// One small, independent check over a parsed document.
///
/// Checks append diagnostics and never throw.
protocol ValidationCheck: Sendable {
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic])
  /// Whether the check only warns (an analysis), so loading may skip it.
  var isAnalysis: Bool { get }
}

extension ValidationCheck {
  var isAnalysis: Bool { false }
}

/// Runs every validation check in order.
struct DocumentValidator {
  // Order: references first, so the cycle check only meets names that exist;
  // the nesting check skips unknown names and counts cycles as nothing, so it
  // reports only what the first two do not; the type check is independent.
  // The analyses after them only warn, and the loader sorts all diagnostics by
  // position, so their order is free.
  static let checks: [any ValidationCheck] = [
    ReferenceCheck(),
    CycleCheck(),
    NestingCheck(),
    TypeCheck(),
    UnreachableRuleCheck(),
    MatchesMissingCheck(),
    UnusedSegmentCheck(),
    UnusedVariantCheck(),
  ]

  static func validate(_ input: ValidationInput, analyze: Bool = true) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for check in checks where analyze || !check.isAnalysis {
      check.check(input, into: &diagnostics)
    }
    return diagnostics
  }
}
