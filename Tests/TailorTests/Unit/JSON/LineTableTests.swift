import Testing

@testable import Tailor

@Suite("Line table")
struct LineTableTests {
  /// The line and column of every offset, counted one byte at a time: lines start after
  /// `\n`, and each byte that is not a UTF-8 continuation byte starts one more column.
  static func reference(_ bytes: [UInt8], _ offset: Int) -> (line: Int, column: Int) {
    var (line, column) = (1, 1)
    for byte in bytes[..<min(offset, bytes.count)] {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }

  /// Texts with newlines and multi-byte scalars on both sides of eight-byte boundaries,
  /// lines longer than a word, empty lines and lengths that are not multiples of eight.
  static let texts = [
    "",
    "a",
    "{\"a\": 1}",
    "0123456\n89abcdef\n\n\nxyz",
    "é😀漢字\nabcdefgh€\u{301}ijklmnop\n" + String(repeating: "ü", count: 21),
    String(repeating: "abcdefg\n", count: 9) + String(repeating: "😀", count: 7),
    String(repeating: "x", count: 40) + "\n" + String(repeating: "\n", count: 9) + "end",
  ]

  @Test("positions counted a word at a time agree with counting byte by byte")
  func positionsAgree() {
    for text in Self.texts {
      let bytes = Array(text.utf8)
      let offsets = Array(0...bytes.count) + [bytes.count + 5]
      let table = LineTable(bytes)
      let positions = table.positions(of: offsets.reversed())
      for (offset, position) in zip(offsets.reversed(), positions) {
        let expected = Self.reference(bytes, offset)
        #expect(position.line == expected.line, "line of \(offset) in \(text.debugDescription)")
        #expect(
          position.column == expected.column,
          "column of \(offset) in \(text.debugDescription)"
        )
      }
    }
  }
}
