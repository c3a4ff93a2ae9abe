/// Where a diagnostic points: a JSON pointer, and for files also line and column.
///
/// The pointer is the machine contract; line and column are for people.
/// Columns count Unicode scalars, so a line with `é` counts it once.
public struct SourceLocation: Hashable, Sendable, Codable {
  /// The pointer to the offending value (or key).
  public var pointer: JSONPointer
  /// The file the document came from, when it came from a file.
  public var file: String?
  /// The UTF-8 byte offset of the offending value in the source, when known.
  public var offset: Int?
  /// The 1-based line, when known.
  public var line: Int?
  /// The 1-based column in Unicode scalars, when known.
  public var column: Int?
  /// A byte range inside a string value, such as PCRE2's error offset within a pattern.
  public var span: Range<Int>?

  /// Creates a location.
  public init(
    pointer: JSONPointer,
    file: String? = nil,
    offset: Int? = nil,
    line: Int? = nil,
    column: Int? = nil,
    span: Range<Int>? = nil
  ) {
    self.pointer = pointer
    self.file = file
    self.offset = offset
    self.line = line
    self.column = column
    self.span = span
  }
}

/// Maps byte offsets to 1-based lines and columns counted in Unicode scalars.
struct LineTable: Sendable {
  private let lineStarts: [Int]
  private let bytes: [UInt8]

  init(_ bytes: [UInt8]) {
    var starts = [0]
    bytes.withUnsafeBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      let raw = UnsafeRawPointer(base)
      var index = 0
      // Eight bytes at a time: a word with no newline is skipped whole.
      while index + 8 <= buffer.count {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        if LineTable.hasNewline(word) {
          for offset in index..<index + 8 where buffer[offset] == UInt8(ascii: "\n") {
            starts.append(offset + 1)
          }
        }
        index += 8
      }
      for offset in index..<buffer.count where buffer[offset] == UInt8(ascii: "\n") {
        starts.append(offset + 1)
      }
    }
    lineStarts = starts
    self.bytes = bytes
  }

  /// Whether one of the eight bytes of `word` is a newline (a zero byte of `word ^ "\n"…`).
  @inline(__always)
  private static func hasNewline(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let spread = word ^ (ones &* UInt64(UInt8(ascii: "\n")))
    return (spread &- ones) & ~spread & (ones &* 0x80) != 0
  }

  /// How many of the eight bytes of `word` begin a scalar (are not UTF-8 continuation
  /// bytes, `10xxxxxx`).
  @inline(__always)
  private static func scalarStarts(_ word: UInt64) -> Int {
    // Bit 7 of each byte set and bit 6 clear: shifting left moves each byte's bit 6 to its
    // bit 7 (a byte's bit 7 moves to the next byte's bit 0, which the mask drops).
    let continuation = word & ~(word << 1) & 0x8080_8080_8080_8080
    return 8 - continuation.nonzeroBitCount
  }

  /// The lines and columns of many offsets in one forward pass, so that a long
  /// single-line document with many diagnostics costs its length once.
  func positions(of offsets: [Int]) -> [(line: Int, column: Int)] {
    let order = offsets.indices.sorted { offsets[$0] < offsets[$1] }
    var result = [(line: Int, column: Int)](repeating: (1, 1), count: offsets.count)
    var line = 0
    var column = 1
    var index = 0
    for position in order {
      let target = max(0, min(offsets[position], bytes.count))
      // Move to the target's line, then count scalars from where we are.
      var lineIndex = line
      while lineIndex + 1 < lineStarts.count && lineStarts[lineIndex + 1] <= target {
        lineIndex += 1
      }
      if lineIndex != line {
        line = lineIndex
        column = 1
        index = lineStarts[line]
      }
      bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        while index + 8 <= target {
          column += LineTable.scalarStarts(
            raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
          )
          index += 8
        }
        while index < target {
          if buffer[index] & 0xC0 != 0x80 { column += 1 }
          index += 1
        }
      }
      result[position] = (line + 1, column)
    }
    return result
  }

  /// The line and column of `offset`.
  func position(of offset: Int) -> (line: Int, column: Int) {
    let clamped = max(0, min(offset, bytes.count))
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if lineStarts[middle] <= clamped { low = middle } else { high = middle - 1 }
    }
    var column = 1
    var index = lineStarts[low]
    while index < clamped {
      // Count scalar starts: every byte that is not a UTF-8 continuation byte.
      if bytes[index] & 0xC0 != 0x80 { column += 1 }
      index += 1
    }
    return (low + 1, column)
  }
}
