/// Warns about segments that no decision uses, directly or through other segments.
struct UnusedSegmentCheck: ValidationCheck {
  var isAnalysis: Bool { true }

  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    guard input.isComplete else { return }
    let document = input.document
    var conditions: [Condition] = []
    for decision in document.decisions {
      conditions += decision.rules.map(\.condition)
      if let requires = decision.requires { conditions.append(requires) }
    }
    // By name, first wins (as a search in written order would find): one lookup per reference.
    var segments: [ByteString: SegmentDefinition] = [:]
    for segment in document.segments where segments[ByteString(segment.name)] == nil {
      segments[ByteString(segment.name)] = segment
    }
    var pending = conditions.flatMap { CycleCheck.references(in: $0).segments }
    var used: Set<ByteString> = []
    while let name = pending.popLast() {
      guard used.insert(ByteString(name)).inserted, let segment = segments[ByteString(name)]
      else { continue }
      pending += CycleCheck.references(in: segment.condition).segments
    }
    for segment in document.segments where !used.contains(ByteString(segment.name)) {
      diagnostics.append(.unusedSegment(segment.name))
    }
  }
}

extension Diagnostic {
  fileprivate static func unusedSegment(_ name: String) -> Diagnostic {
    Diagnostic(
      .unusedSegment,
      .warning,
      at: JSONPointer.root.appending(key: "segments").appending(key: name),
      key: true,
      "segment `\(name)` is never used",
      notes: [
        "no rule or `requires` refers to it with `$segment`, directly or through another segment"
      ]
    )
  }
}
