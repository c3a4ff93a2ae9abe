import Testing

@testable import Tailor

/// Inputs that the fuzz targets in `Fuzz/` found, kept as plain unit tests so
/// they run with `swift test` (the tests never depend on the Fuzz package).
///
/// Each test restates the invariant the fuzz target checks.
@Suite struct FuzzRegressionTests {
  /// FuzzDocumentLoader's invariant: every diagnostic about valid JSON has an
  /// offset, a line and a column, and a pointer that names a value in the document.
  static func expectLocated(
    _ text: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws
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
        #expect(
          resolve(diagnostic.location.pointer, in: json) != nil,
          "\(diagnostic)",
          sourceLocation: sourceLocation
        )
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
    #expect(
      diagnostics.map(\.location.pointer.description) == [
        "/decisions/d/rules/0", "/decisions/d/rules/1",
      ]
    )
  }
}

extension FuzzRegressionTests {
  /// A duplicate key inside a value that a later duplicate replaces names
  /// nothing in the loaded document, but the reader still locates it in the
  /// file (FuzzDocumentLoader first required every pointer to resolve).
  @Test func duplicateKeysInsideAReplacedValueAreLocated() throws {
    let marked = MarkedJSON(#"{"tailor": 1, "decisions": {"a": 1, ⟨1⟩"a": 2}, ⟨2⟩"decisions": {}}"#)
    do {
      _ = try Rules(json: marked.bytes)
      Issue.record("loaded")
    } catch {
      #expect(error.diagnostics.map(\.code) == [.duplicateKey, .duplicateKey])
      #expect(
        error.diagnostics.map(\.location.pointer.description) == ["/decisions/a", "/decisions"]
      )
      #expect(
        error.diagnostics.map(\.location.column) == [
          try marked.marker(1).column, try marked.marker(2).column,
        ]
      )
    }
  }
}

extension FuzzRegressionTests {
  /// The depth limit applies to the text as read, even where a repeated key
  /// later replaces the deep value with a shallow one (FuzzJSONReader first
  /// measured the depth of the value instead).
  @Test func depthLimitsApplyToTheText() throws {
    let text = Array(#"{"": {"version": "2.3.1"}, "": "abcz"}"#.utf8)
    #expect(try JSONReader(maxDepth: 2).read(text).value == ["": "abcz"])
    do {
      _ = try JSONReader(maxDepth: 1).read(text)
      Issue.record("accepted")
    } catch {
      #expect(error.code == .tooDeep)
      #expect(error.offset == 5)
      #expect(error.pointer.description == "/")
    }
  }
}

/// JSON pointers whose keys start with a combining mark, which joins the `/`
/// before it into one character.
@Suite struct JSONPointerScalarTests {
  /// A syntax error inside the value of the key `֯x` (U+05AF, a combining mark):
  /// the rendered pointer `/֯x` did not parse back, and `a/֯b` was not escaped.
  @Test func keysStartingWithCombiningMarksRoundTrip() throws {
    do {
      _ = try Rules(json: Array("{\"\u{5AF}x\": ]}".utf8))
      Issue.record("loaded")
    } catch {
      let pointer = try #require(error.diagnostics.first?.location.pointer)
      #expect(pointer.tokens == [.key("\u{5AF}x")])
      #expect(JSONPointer(parsing: pointer.description) == pointer)
    }
    for keys in [
      ["\u{5AF}x"], ["a/\u{5AF}b", "~\u{301}"], ["/\u{301}", "~\u{301}1"], ["", "é/~"],
    ] {
      let pointer = JSONPointer(tokens: keys.map { .key($0) })
      #expect(JSONPointer(parsing: pointer.description) == pointer, "\(keys)")
    }
    #expect(JSONPointer.root.appending(key: "a/\u{5AF}b").description == "/a~1\u{5AF}b")
    #expect(JSONPointer(parsing: "\u{301}/a") == nil)
  }
}
