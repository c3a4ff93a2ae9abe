import Testing

@testable import Tailor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The DocC article *Diagnostics Reference* documents every code, and each of
/// its examples renders exactly as shown.
///
/// An error's example must fail to load, with only errors of its section's
/// code; a warning's example must load, and shows its warnings of that code.
/// Warnings of other codes are not shown and not compared.
///
/// Run with `TAILOR_UPDATE_GOLDENS=1` to rewrite the article's output blocks
/// from the current messages, then review the diff.
// Serialized: with TAILOR_UPDATE_GOLDENS=1 one test rewrites the article while
// the other reads it.
@Suite(.serialized) struct DiagnosticsReferenceTests {
  static let path =
    DiagnosticCodeTests.packageRoot + "/Sources/Tailor/Tailor.docc/Articles/DiagnosticsReference.md"

  /// A fenced code block: its language and the indices of its content lines.
  struct Block {
    var language: String
    var lines: Range<Int>
  }

  /// The blocks under each `### \`code\`` heading, in order.
  struct Section {
    var code: String
    var blocks: [Block] = []
  }

  static func read() throws -> [String] {
    let bytes = try #require(Environment.readFile(path), "cannot read \(path)")
    return String(decoding: bytes, as: UTF8.self).split(
      separator: "\n",
      omittingEmptySubsequences: false
    ).map(String.init)
  }

  static func sections(_ lines: [String]) -> [Section] {
    var sections: [Section] = []
    var index = 0
    while index < lines.count {
      let line = lines[index]
      if line.hasPrefix("### `"), line.hasSuffix("`") {
        sections.append(Section(code: String(line.dropFirst(5).dropLast())))
      } else if line.hasPrefix("```") {
        let language = String(line.dropFirst(3))
        let start = index + 1
        var end = start
        while end < lines.count, lines[end] != "```" { end += 1 }
        if !sections.isEmpty {
          sections[sections.count - 1].blocks.append(Block(language: language, lines: start..<end))
        }
        index = end
      }
      index += 1
    }
    return sections
  }

  @Test func everyCodeHasASectionWithAnExample() throws {
    let sections = DiagnosticsReferenceTests.sections(try DiagnosticsReferenceTests.read())
    let documented = sections.map(\.code)
    #expect(Set(documented) == Set(DiagnosticCodeTests.covered.map(\.rawValue)))
    #expect(documented.count == Set(documented).count, "a code is documented twice")
    for section in sections {
      #expect(
        section.blocks.contains { $0.language == "text" },
        "`\(section.code)` has no rendered example"
      )
    }
  }

  @Test func examplesRenderAsShown() throws {
    var lines = try DiagnosticsReferenceTests.read()
    let update = Environment.get("TAILOR_UPDATE_GOLDENS") == "1"
    var replacements: [(Range<Int>, [String])] = []
    for section in DiagnosticsReferenceTests.sections(lines) {
      for (document, output) in zip(section.blocks, section.blocks.dropFirst())
      where document.language == "json" && output.language == "text" {
        let json = lines[document.lines].joined(separator: "\n")
        let code = Diagnostic.Code(rawValue: section.code)
        // Errors, and the diagnostics of the section's own code; other warnings are ignored.
        var shown: [Diagnostic] = []
        if DiagnosticCodeTests.warnings.contains(code) {
          do {
            shown = try Rules(json: json, file: "rules.json").warnings.filter { $0.code == code }
            #expect(!shown.isEmpty, "`\(section.code)`: the example has no such warning")
            #expect(shown.allSatisfy { $0.severity == .warning }, "`\(section.code)`")
          } catch {
            Issue.record("`\(section.code)`: the example does not load:\n\(error)")
          }
        } else {
          do {
            _ = try Rules(json: json, file: "rules.json")
            Issue.record("`\(section.code)`: the example loads without errors")
          } catch {
            shown = error.diagnostics.filter { $0.severity == .error || $0.code == code }
            #expect(shown.allSatisfy { $0.code == code }, "`\(section.code)`: \(error)")
          }
        }
        let rendered = shown.map { $0.rendered() }
        if update {
          replacements.append((output.lines, rendered))
        } else {
          #expect(Array(lines[output.lines]) == rendered, "`\(section.code)`")
        }
      }
    }
    guard update else { return }
    for (range, text) in replacements.reversed() { lines.replaceSubrange(range, with: text) }
    let text = lines.joined(separator: "\n")
    guard let file = fopen(DiagnosticsReferenceTests.path, "wb") else {
      Issue.record("cannot write \(DiagnosticsReferenceTests.path)")
      return
    }
    defer { fclose(file) }
    _ = Array(text.utf8).withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
  }
}
