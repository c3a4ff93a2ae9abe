import Testing

/// The marked-JSON helper itself: stripping, positions and raw bytes.
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
}
