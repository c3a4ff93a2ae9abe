import Testing

@testable import Tailor

/// Inputs that the fuzz targets in `Fuzz/` found, kept as plain unit tests so
/// they run with `swift test` (the tests never depend on the Fuzz package).
/// Each test restates the invariant the fuzz target checks.
@Suite struct FuzzRegressionTests {
  /// FuzzDocumentLoader's invariant: every diagnostic about valid JSON has an
  /// offset, a line and a column, and a pointer that names a value in the document.
  static func expectLocated(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws
    -> [Diagnostic]
  {
    let bytes = Array(text.utf8)
    let json = try JSONReader.parse(bytes)
    do {
      let rules = try Rules(json: bytes)
      Issue.record("loaded \(rules.decisionNames)", sourceLocation: sourceLocation)
      return []
    } catch {
      for diagnostic in error.diagnostics {
        #expect(diagnostic.location.offset != nil, "\(diagnostic)", sourceLocation: sourceLocation)
        #expect(diagnostic.location.line != nil, "\(diagnostic)", sourceLocation: sourceLocation)
        #expect(diagnostic.location.column != nil, "\(diagnostic)", sourceLocation: sourceLocation)
        #expect(resolve(diagnostic.location.pointer, in: json) != nil, "\(diagnostic)", sourceLocation: sourceLocation)
      }
      return error.diagnostics
    }
  }

  static func resolve(_ pointer: JSONPointer, in root: JSONValue) -> JSONValue? {
    var current = root
    for token in pointer.tokens {
      switch (current, token) {
      case (.object(let object), _):
        guard let next = object[token.text] else { return nil }
        current = next
      case (.array(let elements), .index(let index)) where index < elements.count:
        current = elements[index]
      default:
        return nil
      }
    }
    return current
  }

  /// Two rules without `id` were reported as duplicates of each other, at a
  /// pointer to the missing `id` that has no place in the file.
  @Test func rulesWithoutIDsAreNotDuplicates() throws {
    let diagnostics = try FuzzRegressionTests.expectLocated(
      #"{"tailor": 1, "decisions": {"d": {"variants": {"a": 1}, "rules": [{"serve": "a"}, {"serve": "a"}]}}}"#
    )
    #expect(diagnostics.map(\.code) == [.missingKey, .missingKey])
    #expect(diagnostics.map(\.location.pointer.description) == ["/decisions/d/rules/0", "/decisions/d/rules/1"])
  }
}
