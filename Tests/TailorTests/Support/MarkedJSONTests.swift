import Testing

@testable import Tailor

/// The marked-JSON helper itself: stripping, positions and raw bytes, and what
/// `expectDiagnostics` and `expectWarnings` compare.
@Suite struct MarkedJSONTests {
  @Test func stripsMarkersAndRecordsPositions() throws {
    let json = MarkedJSON("{\"é😀\": ⟨1⟩1,\n  ⟨2⟩\"b\": ⟨12⟩2}")
    #expect(json.text == "{\"é😀\": 1,\n  \"b\": 2}")
    #expect(json.problems.isEmpty)
    // Columns count scalars (é and 😀 once each); offsets count UTF-8 bytes.
    #expect(try json.marker(1) == MarkedJSON.Marker(offset: 11, line: 1, column: 8))
    #expect(try json.marker(2) == MarkedJSON.Marker(offset: 16, line: 2, column: 3))
    #expect(try json.marker(12) == MarkedJSON.Marker(offset: 21, line: 2, column: 8))
  }

  @Test func rawBytes() throws {
    let json = MarkedJSON("\"⟪FF⟫⟨1⟩⟪c3⟫⟪A9⟫\"")
    #expect(json.bytes == [0x22, 0xFF, 0xC3, 0xA9, 0x22])
    #expect(try json.marker(1) == MarkedJSON.Marker(offset: 2, line: 1, column: 3))
  }

  @Test func reportsProblemsWithTheMarkup() {
    #expect(MarkedJSON("⟨1⟩⟨1⟩").problems == ["marker ⟨1⟩ appears twice"])
    #expect(MarkedJSON("⟪F⟫").problems == ["`⟪F⟫` is not one hex byte"])
    // Text that only looks like a marker is kept.
    #expect(MarkedJSON("\"⟨x⟩\"").text == "\"⟨x⟩\"")
  }

  @Test func comparesErrorsAndOnlyTheWarningsAskedFor() {
    // `b` is never served: an `unused_variant` warning that this test does not ask for.
    let document = """
      {"tailor": 1,
       "segments": {⟨1⟩"eu": {"x": 1}, ⟨2⟩"gold": {"y": 1}},
       "decisions": {"d": {"variants": {"a": 1, "b": 2}, "default": "a"}}}
      """
    expectWarnings(
      document,
      [
        .init(1, .unusedSegment, "/segments/eu", .warning),
        .init(2, .unusedSegment, "/segments/gold", .warning),
      ]
    )
    // Every warning of an expected code counts, and so does its severity.
    withKnownIssue {
      expectWarnings(document, [.init(1, .unusedSegment, "/segments/eu", .warning)])
    }
    withKnownIssue {
      expectWarnings(
        document,
        [.init(1, .unusedSegment, "/segments/eu"), .init(2, .unusedSegment, "/segments/gold")]
      )
    }
    // A document that loads fails `expectDiagnostics`.
    withKnownIssue {
      expectDiagnostics(document, [.init(1, .unusedSegment, "/segments/eu", .warning)])
    }
  }
}
