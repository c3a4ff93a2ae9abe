/// Reports `$segment`, `$inGroup`/`$notInGroup` and `$decision` references to
/// names the document does not define.
struct ReferenceCheck: ValidationCheck {
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    let document = input.document
    let segments = Set(document.segments.map { ByteString($0.name) })
    let groups = Set(document.groups.map { ByteString($0.name) })
    // By name, first wins (as `Document.decision(named:)`): a lookup per reference
    // keeps the check linear in the number of references.
    var decisions: [ByteString: DecisionDefinition] = [:]
    for decision in document.decisions where decisions[ByteString(decision.name)] == nil {
      decisions[ByteString(decision.name)] = decision
    }
    for site in input.sites {
      switch site.kind {
      case .segment(let name) where !segments.contains(ByteString(name)):
        diagnostics.append(
          Diagnostic(
            .unknownSegment,
            at: site.pointer,
            "unknown segment `\(name)`",
            notes: ReferenceCheck.known("segments", document.segments.map(\.name))
          )
        )
      case .group(let name) where !groups.contains(ByteString(name)):
        diagnostics.append(
          Diagnostic(
            .unknownGroup,
            at: site.pointer,
            "unknown group `\(name)`",
            notes: ReferenceCheck.known("groups", document.groups.map(\.name))
          )
        )
      case .decision(let name, let variant):
        guard let decision = decisions[ByteString(name)] else {
          diagnostics.append(
            Diagnostic(
              .unknownDecision,
              at: site.pointer,
              key: true,
              "unknown decision `\(name)`",
              notes: ReferenceCheck.known("decisions", document.decisions.map(\.name))
            )
          )
          continue
        }
        if decision.variant(variant) == nil {
          diagnostics.append(
            Diagnostic(
              .unknownVariant,
              at: site.pointer,
              "unknown variant `\(variant)` in decision `\(name)`",
              notes: ReferenceCheck.known("variants", decision.variants.map(\.key))
            )
          )
        }
      default:
        continue
      }
    }
  }

  static func known(_ what: String, _ names: [String]) -> [String] {
    guard !names.isEmpty else { return ["the document defines no \(what)"] }
    let shown = names.prefix(10).map { "`\($0)`" }.joined(separator: ", ")
    return ["\(what) are \(shown)" + (names.count > 10 ? ", …" : "")]
  }
}
