import Testing

@testable import Tailor

/// A JSON text written with numbered markers, so that location tests never
/// count lines and columns by hand.
///
/// - `⟨n⟩` marks the position of the character that follows it: write it
///   immediately before the offending value or key. It is removed from the text.
/// - `⟪HH⟫` stands for one raw byte (two hex digits), for bytes that a Swift
///   string cannot hold, such as invalid UTF-8. It counts as one column.
///
/// Lines are 1-based; columns are 1-based and count Unicode scalars.
struct MarkedJSON {
  /// Where a marker stood in the stripped text.
  struct Marker: Hashable, CustomStringConvertible {
    /// The UTF-8 byte offset.
    var offset: Int
    /// The 1-based line.
    var line: Int
    /// The 1-based column, in Unicode scalars.
    var column: Int

    var description: String { "\(line):\(column) (byte \(offset))" }
  }

  /// The text without markers, as bytes.
  let bytes: [UInt8]
  /// The markers by number.
  let markers: [Int: Marker]
  /// Problems with the marked text itself (a repeated marker, a bad byte token).
  let problems: [String]

  /// The text without markers (raw bytes decoded with replacement characters).
  var text: String { String(decoding: bytes, as: UTF8.self) }

  init(_ marked: String) {
    var bytes: [UInt8] = []
    var markers: [Int: Marker] = [:]
    var problems: [String] = []
    var line = 1
    var column = 1
    let scalars = Array(marked.unicodeScalars)
    var index = 0
    func token(from start: Int, closedBy close: Unicode.Scalar) -> (String, Int)? {
      guard let end = scalars[start...].firstIndex(of: close) else { return nil }
      return (String(String.UnicodeScalarView(scalars[(start + 1)..<end])), end + 1)
    }
    while index < scalars.count {
      let scalar = scalars[index]
      if scalar == "⟨", let (body, next) = token(from: index, closedBy: "⟩"), let number = Int(body)
      {
        if markers[number] != nil { problems.append("marker ⟨\(number)⟩ appears twice") }
        markers[number] = Marker(offset: bytes.count, line: line, column: column)
        index = next
        continue
      }
      if scalar == "⟪", let (body, next) = token(from: index, closedBy: "⟫") {
        if body.utf8.count == 2, let byte = UInt8(body, radix: 16) {
          bytes.append(byte)
          column += 1
        } else {
          problems.append("`⟪\(body)⟫` is not one hex byte")
        }
        index = next
        continue
      }
      bytes.append(contentsOf: String(scalar).utf8)
      if scalar == "\n" {
        line += 1
        column = 1
      } else {
        column += 1
      }
      index += 1
    }
    self.bytes = bytes
    self.markers = markers
    self.problems = problems
  }

  /// The marker numbered `number`; records an issue when there is none.
  func marker(
    _ number: Int,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws
    -> Marker
  {
    guard let marker = markers[number] else {
      Issue.record("the text has no marker ⟨\(number)⟩", sourceLocation: sourceLocation)
      throw MarkerMissing()
    }
    return marker
  }

  struct MarkerMissing: Error {}
}

/// One diagnostic a marked document must report: at marker `marker`, with
/// `code` and `severity`, for the value (or key) at `pointer`.
struct ExpectedDiagnostic: Sendable, CustomStringConvertible {
  var marker: Int
  var code: Diagnostic.Code
  var pointer: String
  var severity: Diagnostic.Severity

  init(
    _ marker: Int,
    _ code: Diagnostic.Code,
    _ pointer: String,
    _ severity: Diagnostic.Severity = .error
  ) {
    self.marker = marker
    self.code = code
    self.pointer = pointer
    self.severity = severity
  }

  var description: String { "⟨\(marker)⟩ \(code) \(pointer.isEmpty ? "/" : pointer)" }
}

/// Loads a marked rules document and asserts that it fails with exactly the
/// expected diagnostics, in position order: each one's code, JSON pointer,
/// byte offset, line and column (those of its marker), file and severity.
///
/// Every error is compared, and so is every warning whose code is expected;
/// other warnings (the analyses' findings) are ignored.
///
/// - Returns: the compared diagnostics, for further checks on messages and notes.
@discardableResult
func expectDiagnostics(
  _ marked: String,
  file: String? = nil,
  _ expected: [ExpectedDiagnostic],
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [Diagnostic] {
  let json = MarkedJSON(marked)
  let diagnostics: [Diagnostic]
  do {
    _ = try Rules(json: json.bytes, file: file)
    Issue.record("the document loaded without errors", sourceLocation: sourceLocation)
    return []
  } catch {
    diagnostics = error.diagnostics
  }
  return compare(diagnostics, of: json, file: file, with: expected, sourceLocation: sourceLocation)
}

/// Loads a marked rules document that must load, and asserts its warnings as
/// ``expectDiagnostics(_:file:_:sourceLocation:)`` does its errors.
///
/// Every warning whose code is expected is compared; warnings with other
/// codes are ignored.
///
/// - Returns: the compared warnings, for further checks on messages and notes.
@discardableResult
func expectWarnings(
  _ marked: String,
  file: String? = nil,
  _ expected: [ExpectedDiagnostic],
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [Diagnostic] {
  let json = MarkedJSON(marked)
  let warnings: [Diagnostic]
  do {
    warnings = try Rules(json: json.bytes, file: file).warnings
  } catch {
    Issue.record("the document did not load:\n\(error)", sourceLocation: sourceLocation)
    return []
  }
  return compare(warnings, of: json, file: file, with: expected, sourceLocation: sourceLocation)
}

/// Compares the errors and the diagnostics with an expected code against the
/// expected diagnostics at the markers of `json`.
private func compare(
  _ all: [Diagnostic],
  of json: MarkedJSON,
  file: String?,
  with expected: [ExpectedDiagnostic],
  sourceLocation: Testing.SourceLocation
) -> [Diagnostic] {
  for problem in json.problems {
    Issue.record("marked JSON: \(problem)", sourceLocation: sourceLocation)
  }
  let codes = Set(expected.map(\.code))
  let diagnostics = all.filter { $0.severity == .error || codes.contains($0.code) }
  let used = Set(expected.map(\.marker))
  for number in json.markers.keys.sorted() where !used.contains(number) {
    Issue.record(
      "marker ⟨\(number)⟩ is not expected by any diagnostic",
      sourceLocation: sourceLocation
    )
  }
  // Expected diagnostics in position order; ties keep their written order.
  var ordered: [(ExpectedDiagnostic, MarkedJSON.Marker)] = []
  for item in expected {
    guard let marker = json.markers[item.marker] else {
      Issue.record("the text has no marker ⟨\(item.marker)⟩", sourceLocation: sourceLocation)
      return diagnostics
    }
    ordered.append((item, marker))
  }
  ordered = ordered.enumerated().sorted { a, b in
    a.element.1.offset != b.element.1.offset
      ? a.element.1.offset < b.element.1.offset : a.offset < b.offset
  }.map(\.element)
  let rendered = all.map { $0.rendered(showingCode: true) }.joined(separator: "\n")
  #expect(
    diagnostics.count == ordered.count,
    "expected \(ordered.map(\.0.description)), got:\n\(rendered)",
    sourceLocation: sourceLocation
  )
  for ((item, marker), diagnostic) in zip(ordered, diagnostics) {
    let location = diagnostic.location
    #expect(
      diagnostic.code == item.code,
      "⟨\(item.marker)⟩ code; got \(diagnostic)",
      sourceLocation: sourceLocation
    )
    #expect(
      location.pointer.description == item.pointer,
      "⟨\(item.marker)⟩ pointer; got \(diagnostic)",
      sourceLocation: sourceLocation
    )
    #expect(
      location.offset == marker.offset,
      "⟨\(item.marker)⟩ offset; got \(diagnostic)",
      sourceLocation: sourceLocation
    )
    #expect(
      location.line == marker.line && location.column == marker.column,
      "⟨\(item.marker)⟩ expected at \(marker.line):\(marker.column); got \(diagnostic)",
      sourceLocation: sourceLocation
    )
    #expect(
      location.file == file,
      "⟨\(item.marker)⟩ file; got \(diagnostic)",
      sourceLocation: sourceLocation
    )
    #expect(
      diagnostic.severity == item.severity,
      "⟨\(item.marker)⟩ severity; got \(diagnostic)",
      sourceLocation: sourceLocation
    )
  }
  let offsets = all.map { $0.location.offset ?? Int.max }
  #expect(
    offsets == offsets.sorted(),
    "diagnostics are not sorted by position:\n\(rendered)",
    sourceLocation: sourceLocation
  )
  return diagnostics
}
