/// What a validation check sees: the parsed document and the side tables the
/// parser filled (condition sites, where rules and conditions were written); never
/// the JSON text or tree.
struct ValidationInput: Sendable {
  var document: Document
  var sites: [ConditionParser.Site]
  /// Where each rule was written: ``DocumentParser/writtenRuleIndices``.
  var writtenRuleIndices: [[Int32]]
  /// Every condition as written: ``DocumentParser/writtenConditions``.
  var writtenConditions: [DocumentParser.WrittenCondition] = []
  /// The patterns the document's conditions compiled, so that a check that parses
  /// a test again does not compile its pattern again.
  var patterns: [ConditionParser.PatternKey: Pattern] = [:]
  /// Whether parsing kept every part: false when a shape error dropped a rule,
  /// decision or segment, so analyses that need all of them stay silent.
  var isComplete = true

  init(
    document: Document,
    sites: [ConditionParser.Site],
    writtenRuleIndices: [[Int32]],
    writtenConditions: [DocumentParser.WrittenCondition] = [],
    patterns: [ConditionParser.PatternKey: Pattern] = [:],
    isComplete: Bool = true
  ) {
    self.document = document
    self.sites = sites
    self.writtenRuleIndices = writtenRuleIndices
    self.writtenConditions = writtenConditions
    self.patterns = patterns
    self.isComplete = isComplete
  }

  /// Where rule `rule` of decision `decision` (indices in ``document``) was written.
  func pointer(toRule rule: Int, ofDecision decision: Int) -> JSONPointer {
    let indices = writtenRuleIndices[decision]
    return JSONPointer.root.appending(key: "decisions")
      .appending(key: document.decisions[decision].name).appending(key: "rules")
      .appending(index: indices.isEmpty ? rule : Int(indices[rule]))
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

  /// Only the checks that can fail a document, in order.
  static func checkErrors(_ input: ValidationInput) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for check in checks where !check.isAnalysis { check.check(input, into: &diagnostics) }
    return diagnostics
  }

  /// Only the analyses, which warn, in order: they come after every other check in
  /// ``checks``, so ``checkErrors(_:)`` followed by this runs every check in order.
  static func analyze(_ input: ValidationInput) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for check in checks where check.isAnalysis { check.check(input, into: &diagnostics) }
    return diagnostics
  }
}
