import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How diagnostics render: `file:line:col pointer: message` (DESIGN §2).
@Suite struct DiagnosticRenderingTests {
  /// DESIGN §2's example, with `"18"` at line 14, column 22.
  static let designExample = """
    {
      "tailor": 1,
      "attributes": {"age": "number", "country": "string"},
      "decisions": {
        "homepage-hero": {
          "variants": {"standard": {"image": "a.jpg"},
                       "adult": {"image": "b.jpg"}},
          "default": "standard",
          "rules": [
            {"id": "spain", "when": {"country": "ES"},
             "serve": "standard"},
            {"id": "adults",
             "when": {"age":
                {"$gte": ⟨1⟩"18"}},
             "serve": "adult"}
          ]
        }
      }
    }
    """

  @Test func designExampleRendersExactly() throws {
    let marker = try MarkedJSON(DiagnosticRenderingTests.designExample).marker(1)
    #expect(marker.line == 14 && marker.column == 22)
    let diagnostics = expectDiagnostics(
      DiagnosticRenderingTests.designExample,
      file: "rules.json",
      [.init(1, .typeMismatch, "/decisions/homepage-hero/rules/1/when/age/$gte")]
    )
    let diagnostic = try #require(diagnostics.first)
    #expect(
      diagnostic.rendered()
        == #"rules.json:14:22 /decisions/homepage-hero/rules/1/when/age/$gte: expected a number, found "18""#
    )
    #expect(diagnostic.description == diagnostic.rendered())
    #expect(diagnostic.rendered(showingCode: true).hasSuffix(#"found "18" [type_mismatch]"#))
    #expect(diagnostic.notes == ["`age` is declared as `number` in `attributes`"])
  }

  @Test func withoutAFileThePositionLeads() throws {
    let diagnostics = expectDiagnostics(
      DiagnosticRenderingTests.designExample,
      [.init(1, .typeMismatch, "/decisions/homepage-hero/rules/1/when/age/$gte")]
    )
    #expect(
      diagnostics.first?.rendered()
        == #"14:22 /decisions/homepage-hero/rules/1/when/age/$gte: expected a number, found "18""#
    )
  }

  @Test func withoutAPositionThePointerLeads() {
    let bare = Diagnostic(
      code: .unknownSegment,
      message: "unknown segment `eu`",
      location: SourceLocation(pointer: JSONPointer(parsing: "/segments/x") ?? .root)
    )
    #expect(bare.rendered() == "/segments/x: unknown segment `eu`")
    let root = Diagnostic(
      code: .missingKey,
      message: "a rules document needs `tailor`",
      location: SourceLocation(pointer: .root)
    )
    #expect(root.rendered() == "/: a rules document needs `tailor`")
  }

  @Test func severityPrefixes() {
    let location = SourceLocation(pointer: .root, file: "r.json", line: 2, column: 3)
    let warning = Diagnostic(
      code: "unreachable_rule",
      severity: .warning,
      message: "never wins",
      location: location
    )
    #expect(warning.rendered() == "r.json:2:3 /: warning: never wins")
    let note = Diagnostic(
      code: "unreachable_rule",
      severity: .note,
      message: "shadowed here",
      location: location
    )
    #expect(
      note.rendered(showingCode: true) == "r.json:2:3 /: note: shadowed here [unreachable_rule]"
    )
  }

  @Test func errorsRenderOnePerLine() {
    do {
      _ = try Rules(json: #"{"tailor": 2, "extra": 1}"#, file: "r.json")
      Issue.record("loaded")
    } catch {
      #expect(
        error.description == """
          r.json:1:12 /tailor: unsupported format version 2
          r.json:1:15 /extra: unknown key `extra` in a rules document
          """
      )
      #expect(error.errors.count == 2)
    }
  }

  @Test func diagnosticsRoundTripThroughJSON() throws {
    let diagnostics = expectDiagnostics(
      DiagnosticRenderingTests.designExample,
      file: "rules.json",
      [.init(1, .typeMismatch, "/decisions/homepage-hero/rules/1/when/age/$gte")]
    )
    let original = try #require(diagnostics.first)
    let data = try JSONEncoder().encode(original)
    let decoded = try JSONDecoder().decode(Diagnostic.self, from: data)
    #expect(decoded.code == original.code)
    #expect(decoded.message == original.message)
    #expect(decoded.location == original.location)
    #expect(decoded.notes == original.notes)
    let object = try #require(try JSONReader.parse(Array(data)).objectValue)
    #expect(object["code"] == "type_mismatch")
    #expect(
      object["location"]?.objectValue?["pointer"]
        == "/decisions/homepage-hero/rules/1/when/age/$gte"
    )
  }
}
