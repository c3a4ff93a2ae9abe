/// Reads, parses and validates a rules document, collecting every diagnostic.
///
/// The loader is where positions are computed: diagnostics carry JSON pointers,
/// and one pass over the source bytes turns all of them into line:column.
package enum DocumentLoader {
  struct Loaded {
    var document: Document
    var warnings: [Diagnostic]
  }

  /// The nesting limit for rules documents.
  static let maxDepth = 256

  ///
  /// `alongside` is called with the document when it has no errors: while it runs,
  /// the analyses run on a second thread, so that compiling a large document does not
  /// wait for its warnings.
  static func load(
    _ bytes: [UInt8],
    file: String?,
    analyze: Bool = true,
    alongside: (Document) -> Void = { _ in }
  ) -> Result<Loaded, TailorError> {
    var diagnostics: [Diagnostic] = []
    var parser = DocumentParser()
    let document: Document
    // The JSON tree lives only in this scope: compiling does not hold it as well
    // (except the conditions the analyses read, when they run).
    do {
      let read = try JSONReader(maxDepth: maxDepth, duplicateKeys: .report).read(bytes)
      diagnostics += read.duplicates
      document = parser.parse(read.value)
    } catch {
      var diagnostic = Diagnostic(error.code, at: error.pointer, error.message)
      diagnostic.location.offset = error.offset
      return .failure(TailorError(diagnostics: locate([diagnostic], in: bytes, file: file)))
    }
    if !analyze { parser.forgetWrittenConditions() }
    diagnostics += parser.diagnostics
    var input = ValidationInput(
      document: document,
      sites: parser.sites,
      writtenRuleIndices: parser.writtenRuleIndices,
      writtenConditions: parser.writtenConditions,
      patterns: parser.patterns,
      isComplete: !diagnostics.contains { $0.severity == .error }
    )
    diagnostics += DocumentValidator.checkErrors(input)
    let valid = !diagnostics.contains { $0.severity == .error }
    switch (valid, analyze) {
    case (true, true):
      // The analyses' warnings are also located on their thread, while compiling goes on;
      // merged with the others, they sort as if all were located together. That thread
      // also lets go of the conditions as written (JSON only the analyses read), so that
      // this one does not free them after the join.
      let handoff = AnalysisHandoff(input)
      input.writtenConditions = []
      parser.forgetWrittenConditions()
      let warnings = System.concurrently(
        { handoff.run(locatingIn: bytes, file: file) },
        while: { alongside(document) }
      )
      diagnostics = merge(locate(diagnostics, in: bytes, file: file), warnings)
    case (true, false):
      alongside(document)
      diagnostics = locate(diagnostics, in: bytes, file: file)
    case (false, true):
      diagnostics += DocumentValidator.analyze(input)
      diagnostics = locate(diagnostics, in: bytes, file: file)
    case (false, false):
      diagnostics = locate(diagnostics, in: bytes, file: file)
    }
    let errors = diagnostics.filter { $0.severity == .error }
    if !errors.isEmpty { return .failure(TailorError(diagnostics: diagnostics)) }
    return .success(
      Loaded(document: document, warnings: diagnostics)
    )
  }

  /// Two lists that ``locate(_:in:file:)`` returned, merged in the order it gives their
  /// concatenation: by offset, and at one offset the first list's before the second's.
  static func merge(_ first: [Diagnostic], _ second: [Diagnostic]) -> [Diagnostic] {
    if second.isEmpty { return first }
    if first.isEmpty { return second }
    var merged: [Diagnostic] = []
    merged.reserveCapacity(first.count + second.count)
    var (left, right) = (0, 0)
    while left < first.count && right < second.count {
      let leftOffset = first[left].location.offset ?? Int.max
      let rightOffset = second[right].location.offset ?? Int.max
      if rightOffset < leftOffset {
        merged.append(second[right])
        right += 1
      } else {
        merged.append(first[left])
        left += 1
      }
    }
    merged += first[left...]
    merged += second[right...]
    return merged
  }

  /// Fills in offsets, lines and columns, then sorts by position.
  package static func locate(
    _ diagnostics: [Diagnostic],
    in bytes: [UInt8],
    file: String?
  ) -> [Diagnostic] {
    if diagnostics.isEmpty { return [] }
    var located = diagnostics
    let missing = located.filter { $0.location.offset == nil }
    if !missing.isEmpty {
      var locator = SourceLocator(
        values: missing.filter { !$0.pointsAtKey }.map(\.location.pointer),
        keys: missing.filter(\.pointsAtKey).map(\.location.pointer)
      )
      locator.locate(in: bytes)
      for index in located.indices where located[index].location.offset == nil {
        let pointer = located[index].location.pointer.description
        located[index].location.offset =
          located[index].pointsAtKey
          ? (locator.keys[pointer] ?? locator.values[pointer]) : locator.values[pointer]
      }
    }
    let table = LineTable(bytes)
    let withOffsets = located.indices.filter { located[$0].location.offset != nil }
    let positions = table.positions(of: withOffsets.map { located[$0].location.offset ?? 0 })
    for index in located.indices { located[index].location.file = file }
    for (index, position) in zip(withOffsets, positions) {
      located[index].location.line = position.line
      located[index].location.column = position.column
    }
    // Stable sort by position.
    return located.enumerated().sorted { a, b in
      let offsetA = a.element.location.offset ?? Int.max
      let offsetB = b.element.location.offset ?? Int.max
      if offsetA != offsetB { return offsetA < offsetB }
      return a.offset < b.offset
    }.map(\.element)
  }
}

/// The input of the analyses, handed to their thread, which drops the conditions as
/// written as soon as it is done with them.
///
/// `@unchecked Sendable`: once handed over, only the analysis thread reads or writes `input`.
private final class AnalysisHandoff: @unchecked Sendable {
  private var input: ValidationInput

  init(_ input: ValidationInput) { self.input = input }

  /// Runs the analyses, lets go of the conditions as written, and locates the warnings.
  func run(locatingIn bytes: [UInt8], file: String?) -> [Diagnostic] {
    let warnings = DocumentValidator.analyze(input)
    input.writtenConditions = []
    return DocumentLoader.locate(warnings, in: bytes, file: file)
  }
}
