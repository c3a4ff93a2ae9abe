/// Warns about variants that nothing can serve: no rule serves them, they are
/// not the default, and no `$decision` prerequisite names them.
struct UnusedVariantCheck: ValidationCheck {
  var isAnalysis: Bool { true }

  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    guard input.isComplete else { return }
    var prerequisites: Set<[ByteString]> = []
    for site in input.sites {
      if case .decision(let name, let variant) = site.kind {
        prerequisites.insert([ByteString(name), ByteString(variant)])
      }
    }
    for decision in input.document.decisions {
      var used: Set<ByteString> = []
      if let key = decision.defaultVariant { used.insert(ByteString(key)) }
      for rule in decision.rules {
        switch rule.action {
        case .serve(let key), .rollout(let key, _): used.insert(ByteString(key))
        case .split(let split): used.formUnion(split.weights.map { ByteString($0.variant) })
        }
      }
      for variant in decision.variants
      where !used.contains(ByteString(variant.key))
        && !prerequisites.contains([ByteString(decision.name), ByteString(variant.key)])
      {
        diagnostics.append(.unusedVariant(variant.key, in: decision.name))
      }
    }
  }
}

extension Diagnostic {
  fileprivate static func unusedVariant(_ key: String, in decision: String) -> Diagnostic {
    Diagnostic(
      .unusedVariant,
      .warning,
      at: JSONPointer.root.appending(key: "decisions").appending(key: decision).appending(
        key: "variants"
      )
      .appending(key: key),
      key: true,
      "variant `\(key)` of decision `\(decision)` is never served",
      notes: [
        "no rule serves it, it is not the `default`, and no `$decision` prerequisite names it"
      ]
    )
  }
}
