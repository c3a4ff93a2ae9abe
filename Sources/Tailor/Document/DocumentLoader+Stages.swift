// For `tailor-profile`: how long each stage of loading takes, without compiling.

/// How long each stage of loading a rules document takes, for benchmarks; not API.
@_spi(Benchmarks)
public enum _LoadStages {
  /// Reads, parses, validates (each check timed on its own) and locates the
  /// diagnostics of `bytes`, returning each stage's name and duration and the
  /// diagnostics found, sorted as loading sorts them.
  public static func time(
    _ bytes: [UInt8]
  ) -> (stages: [(String, Duration)], diagnostics: [Diagnostic]) {
    let clock = ContinuousClock()
    var stages: [(String, Duration)] = []
    var start = clock.now
    func lap(_ name: String) {
      let now = clock.now
      stages.append((name, now - start))
      start = now
    }
    guard
      let read = try? JSONReader(maxDepth: DocumentLoader.maxDepth, duplicateKeys: .report).read(
        bytes
      )
    else { return ([], []) }
    lap("read")
    var parser = DocumentParser()
    let document = parser.parse(read.value)
    lap("parse")
    var diagnostics = read.duplicates + parser.diagnostics
    let input = ValidationInput(
      document: document,
      sites: parser.sites,
      writtenRuleIndices: parser.writtenRuleIndices,
      writtenConditions: parser.writtenConditions,
      isComplete: !diagnostics.contains { $0.severity == .error }
    )
    for check in DocumentValidator.checks {
      check.check(input, into: &diagnostics)
      lap("\(type(of: check))")
    }
    diagnostics = DocumentLoader.locate(diagnostics, in: bytes, file: nil)
    lap("locate")
    // The document, the conditions as written and the JSON are kept until here,
    // so no stage is charged for freeing them.
    withExtendedLifetime((input, read)) {}
    return (stages, diagnostics)
  }
}
