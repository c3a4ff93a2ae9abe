/// GrowthBook's version ordering: both sides are normalised with `paddedVersionString`
/// and compared as strings (SEMANTICS.md §3).
enum Version {
  /// The padded form of null and of every missing attribute (`"0"`), computed once.
  static let paddedNull = padded(.string("0"))

  // swift-format-ignore: NeverForceUnwrap
  // A temporary allocation of at least one byte has a base address.
  /// Normalises a version: numbers become strings, non-strings and `""` become `"0"`,
  /// a leading `v` and `+build` metadata are dropped, parts split on `-` and `.`,
  /// three-part versions gain a `~` part, and all-digit parts are left-padded to width 5.
  ///
  /// Parts longer than five digits are left as they are (never a negative pad).
  static func padded(_ value: JSONValue) -> String {
    if case .null = value { return paddedNull }
    var text: String
    switch value {
    case .number(let number): text = JavaScript.numberToString(number)
    case .string(let string): text = string
    default: text = ""
    }
    if text.isEmpty { text = "0" }
    return text.withUTF8 { bytes in
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: paddedCapacity(bytes.count)) {
        output in
        let written = pad(bytes, into: output.baseAddress!)
        return String(
          decoding: UnsafeBufferPointer(start: output.baseAddress!, count: written),
          as: UTF8.self
        )
      }
    }
  }

  /// The most bytes ``pad(_:into:)`` writes for `count` bytes of text: at most
  /// five pad bytes and one separator per part, plus `-~`.
  static func paddedCapacity(_ count: Int) -> Int { 6 * (count + 1) + 2 }

  /// Writes the padded form of a version's non-empty UTF-8 text to `output`
  /// (``paddedCapacity(_:)`` bytes available); returns the bytes written.
  static func pad(
    _ bytes: UnsafeBufferPointer<UInt8>,
    into output: UnsafeMutablePointer<UInt8>
  ) -> Int {
    padDotted(bytes, into: output) ?? padAnyText(bytes, into: output)
  }

  /// ``pad(_:into:)`` for the common case, dotted numbers such as `5.12.3`, in one
  /// pass; `nil` (having written anything) for any other text.
  static func padDotted(
    _ bytes: UnsafeBufferPointer<UInt8>,
    into output: UnsafeMutablePointer<UInt8>
  ) -> Int? {
    var written = 0
    var parts = 0
    var index = 0
    while true {
      let start = index
      while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
      guard index > start, index == bytes.count || bytes[index] == UInt8(ascii: ".") else {
        return nil
      }
      appendPart(bytes, start..<index, numeric: true, after: parts, to: output, &written)
      parts += 1
      if index == bytes.count { break }
      index += 1
    }
    return appendEnd(after: parts, to: output, written)
  }

  /// ``pad(_:into:)`` for any text.
  static func padAnyText(
    _ bytes: UnsafeBufferPointer<UInt8>,
    into output: UnsafeMutablePointer<UInt8>
  ) -> Int {
    // One pass over the UTF-8 bytes: every character that matters is ASCII,
    // except U+2028 and U+2029 (E2 80 A8/A9), which end a line for `.` in JavaScript.
    var start = 0
    if bytes.first == UInt8(ascii: "v") { start = 1 }
    var end = bytes.count
    // `\+.*$` without the `m` flag: from the first `+` that no line break follows to the end.
    var lineStart = start
    var index = start
    while index < end {
      let byte = bytes[index]
      if byte == 0x0A || byte == 0x0D {
        lineStart = index + 1
      } else if byte == 0xE2, index + 2 < end, bytes[index + 1] == 0x80,
        bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9
      {
        lineStart = index + 3
      }
      index += 1
    }
    for position in lineStart..<end where bytes[position] == UInt8(ascii: "+") {
      end = position
      break
    }
    var written = 0
    var parts = 0
    var partStart = start
    for position in start...end
    where position == end || bytes[position] == UInt8(ascii: "-")
      || bytes[position] == UInt8(ascii: ".")
    {
      var numeric = position > partStart
      for offset in partStart..<position where bytes[offset] < 48 || bytes[offset] > 57 {
        numeric = false
        break
      }
      appendPart(bytes, partStart..<position, numeric: numeric, after: parts, to: output, &written)
      parts += 1
      partStart = position + 1
    }
    return appendEnd(after: parts, to: output, written)
  }

  /// Writes one part of a padded version: `-` after the first, spaces up to five bytes
  /// before a numeric part, then the part's bytes.
  @inline(__always)
  private static func appendPart(
    _ bytes: UnsafeBufferPointer<UInt8>,
    _ part: Range<Int>,
    numeric: Bool,
    after parts: Int,
    to output: UnsafeMutablePointer<UInt8>,
    _ written: inout Int
  ) {
    if parts > 0 {
      output[written] = UInt8(ascii: "-")
      written += 1
    }
    if numeric {
      for _ in min(part.count, 5)..<5 {
        output[written] = UInt8(ascii: " ")
        written += 1
      }
    }
    for offset in part {
      output[written] = bytes[offset]
      written += 1
    }
  }

  /// Ends a padded version of `parts` parts (`-~` after exactly three, which then sort
  /// after their pre-releases); returns the bytes written.
  @inline(__always)
  private static func appendEnd(
    after parts: Int,
    to output: UnsafeMutablePointer<UInt8>,
    _ written: Int
  ) -> Int {
    guard parts == 3 else { return written }
    output[written] = UInt8(ascii: "-")
    output[written + 1] = UInt8(ascii: "~")
    return written + 2
  }
}
