/// What a validation check sees: the parsed document and the condition sites.
struct ValidationInput {
  var document: Document
  var sites: [ConditionParser.Site]
}

/// One small, independent check over a parsed document. Checks append
/// diagnostics and never throw.
protocol ValidationCheck: Sendable {
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic])
}

/// Runs every validation check in order.
struct DocumentValidator {
  // Order: references first, so the cycle check only meets names that exist;
  // the nesting check skips unknown names and counts cycles as nothing, so it
  // reports only what the first two do not; the type check is independent.
  static let checks: [any ValidationCheck] = [
    ReferenceCheck(),
    CycleCheck(),
    NestingCheck(),
    TypeCheck(),
  ]

  static func validate(_ input: ValidationInput) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    for check in checks { check.check(input, into: &diagnostics) }
    return diagnostics
  }
}
