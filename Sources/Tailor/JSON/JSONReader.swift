/// A strict JSON reader over UTF-8 bytes.
///
/// It rejects what RFC 8259 rejects — trailing commas, comments, `NaN`,
/// `Infinity`, invalid UTF-8 and lone surrogates — and numbers too large for a
/// double. Numbers are read as doubles, as JavaScript reads them.
///
/// ```swift
/// let value = try JSONReader.parse(Array(#"{"tier":"gold"}"#.utf8))
/// ```
public struct JSONReader: Sendable {
  /// What to do when an object repeats a key.
  public enum DuplicateKeys: Sendable {
    /// Keep the last value, as JavaScript's `JSON.parse` does (profiles).
    case lastWins
    /// Report each repeat as a `duplicate_key` diagnostic (rules documents).
    case report
  }

  /// The deepest nesting of arrays and objects accepted.
  public var maxDepth: Int
  /// How repeated keys are treated.
  public var duplicateKeys: DuplicateKeys

  /// Creates a reader.
  public init(maxDepth: Int = 512, duplicateKeys: DuplicateKeys = .lastWins) {
    self.maxDepth = maxDepth
    self.duplicateKeys = duplicateKeys
  }

  /// A JSON syntax error with the byte offset where reading stopped.
  public struct SyntaxError: Error, Sendable, CustomStringConvertible {
    /// The code: `json_syntax`, `invalid_utf8`, `lone_surrogate`, `number_out_of_range` or `too_deep`.
    public var code: Diagnostic.Code
    /// What is wrong.
    public var message: String
    /// The UTF-8 byte offset.
    public var offset: Int
    /// The pointer to the value being read when the error occurred.
    public var pointer: JSONPointer

    /// `message at byte offset`.
    public var description: String { "\(message) at byte \(offset)" }
  }

  /// Parses `bytes` with default settings (duplicate keys: last wins).
  ///
  /// - Throws: ``SyntaxError``.
  public static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> JSONValue {
    try JSONReader().read(bytes).value
  }

  /// Parses `text` with default settings.
  ///
  /// - Throws: ``SyntaxError``.
  public static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
    try parse(Array(text.utf8))
  }

  /// Reads one JSON text: a value surrounded by optional white space.
  ///
  /// - Returns: the value and, with ``DuplicateKeys/report``, the duplicate-key diagnostics.
  /// - Throws: ``SyntaxError`` for the first syntax error.
  public func read(
    _ bytes: [UInt8]
  ) throws(SyntaxError) -> (
    value: JSONValue, duplicates: [Diagnostic]
  ) {
    try bytes.withUnsafeBufferPointer { (buffer) throws(SyntaxError) in
      try read(buffer)
    }
  }

  /// Reads one JSON text from a buffer.
  ///
  /// - Throws: ``SyntaxError`` for the first syntax error.
  public func read(
    _ buffer: UnsafeBufferPointer<UInt8>
  ) throws(SyntaxError) -> (
    value: JSONValue, duplicates: [Diagnostic]
  ) {
    // The path is tracked only to name pointers: the text is read without it and,
    // only when it is invalid or repeats a key that is reported, read again with it.
    do {
      let first = try read(buffer, tracksPath: false)
      if first.duplicates.isEmpty { return first }
    } catch {}
    return try read(buffer, tracksPath: true)
  }

  private func read(
    _ buffer: UnsafeBufferPointer<UInt8>,
    tracksPath: Bool
  ) throws(SyntaxError) -> (
    value: JSONValue, duplicates: [Diagnostic]
  ) {
    var scanner = Scanner(
      bytes: buffer,
      maxDepth: maxDepth,
      reportDuplicates: duplicateKeys == .report
    )
    scanner.tracksPath = tracksPath
    scanner.skipWhitespace()
    let value = try scanner.parseValue(depth: 0)
    try scanner.expectEnd()
    return (value, scanner.duplicates)
  }

  /// Reads the one value that starts at `offset` of a larger text (a profile
  /// inside a request line, say), ignoring what follows it; returns the value
  /// and the offset just past it.
  ///
  /// Repeated keys keep their last value, whatever ``duplicateKeys`` says.
  ///
  /// - Throws: ``SyntaxError`` for the first syntax error in the value.
  func read(
    _ buffer: UnsafeBufferPointer<UInt8>,
    valueAt offset: Int
  ) throws(SyntaxError) -> (value: JSONValue, end: Int) {
    func read(tracksPath: Bool) throws(SyntaxError) -> (value: JSONValue, end: Int) {
      var scanner = Scanner(bytes: buffer, maxDepth: maxDepth, reportDuplicates: false)
      scanner.tracksPath = tracksPath
      scanner.position = offset
      let value = try scanner.parseValue(depth: 0)
      return (value, scanner.position)
    }
    // As ``read(_:)`` does for profiles: the path only to name an error's pointer.
    do {
      return try read(tracksPath: false)
    } catch {
      return try read(tracksPath: true)
    }
  }
}

/// The recursive-descent scanner behind ``JSONReader``.
///
/// Arrays and objects nested deeper than ``recursionLimit`` are read with an
/// explicit stack (``parseNested(depth:)``), so the depth limit, not the
/// thread's stack, bounds the nesting: a 512-level profile needs no more stack
/// than an 8-level one, and fits a 512 KB secondary thread.
struct Scanner {
  let bytes: UnsafeBufferPointer<UInt8>
  let maxDepth: Int
  let reportDuplicates: Bool
  /// The nesting read by recursion, which is faster for the shallow JSON of
  /// typical profiles and documents.
  ///
  /// Tests set it to 0 to check that both ways read alike.
  var recursionLimit = 8
  var position = 0
  var path: [JSONPointer.Token] = []
  /// Whether `path` is kept, for pointers in errors; profiles skip it for speed
  /// and re-read a failing text with it on.
  var tracksPath = true
  var duplicates: [Diagnostic] = []
  /// The members reserved for a non-empty array or object when it opens.
  static let smallCapacity = 4

  init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, reportDuplicates: Bool) {
    self.bytes = bytes
    self.maxDepth = maxDepth
    self.reportDuplicates = reportDuplicates
  }

  func error(
    _ code: Diagnostic.Code,
    _ message: String,
    at offset: Int? = nil
  )
    -> JSONReader.SyntaxError
  {
    JSONReader.SyntaxError(
      code: code,
      message: message,
      offset: offset ?? position,
      pointer: JSONPointer(tokens: path)
    )
  }

  func describeCurrent() -> String { JSONBytes.describe(bytes, at: position) }

  /// Requires only white space after the value.
  mutating func expectEnd() throws(JSONReader.SyntaxError) {
    skipWhitespace()
    if position < bytes.count {
      throw error(.jsonSyntax, "unexpected \(describeCurrent()) after the value")
    }
  }

  @inline(__always)
  mutating func skipWhitespace() {
    guard let base = bytes.baseAddress else { return }
    position = JSONBytes.skipWhitespace(base, position, bytes.count)
  }

  mutating func parseValue(depth: Int) throws(JSONReader.SyntaxError) -> JSONValue {
    guard position < bytes.count else {
      throw error(.jsonSyntax, "expected a value, found end of input")
    }
    switch bytes[position] {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      if depth >= recursionLimit { return try parseNested(depth: depth) }
      return bytes[position] == UInt8(ascii: "{")
        ? try parseObject(depth: depth + 1) : try parseArray(depth: depth + 1)
    default:
      return try parseScalar()
    }
  }

  mutating func expectLiteral(_ literal: StaticString) throws(JSONReader.SyntaxError) {
    let count = literal.utf8CodeUnitCount
    let start = position
    guard bytes.count - position >= count else {
      throw error(.jsonSyntax, "expected a value, found \(describeCurrent())")
    }
    let pointer = literal.utf8Start
    for index in 0..<count where bytes[position + index] != pointer[index] {
      throw error(.jsonSyntax, "expected a value, found \(describeCurrent())", at: start)
    }
    position += count
  }

  mutating func parseArray(depth: Int) throws(JSONReader.SyntaxError) -> JSONValue {
    if depth > maxDepth {
      throw error(.tooDeep, "arrays and objects nest deeper than \(maxDepth) levels")
    }
    position += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    // Most arrays and objects of rules documents and profiles are small: one allocation
    // for up to four members instead of three.
    elements.reserveCapacity(Scanner.smallCapacity)
    while true {
      if tracksPath { path.append(.index(elements.count)) }
      skipWhitespace()
      elements.append(try parseValue(depth: depth))
      if tracksPath { path.removeLast() }
      skipWhitespace()
      guard position < bytes.count else {
        throw error(.jsonSyntax, "expected `,` or `]`, found end of input")
      }
      let byte = bytes[position]
      position += 1
      if byte == UInt8(ascii: "]") { return .array(elements) }
      if byte != UInt8(ascii: ",") {
        position -= 1
        throw error(.jsonSyntax, "expected `,` or `]`, found \(describeCurrent())")
      }
      skipWhitespace()
      if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
        throw error(.jsonSyntax, "trailing comma before `]`")
      }
    }
  }

  mutating func parseObject(depth: Int) throws(JSONReader.SyntaxError) -> JSONValue {
    if depth > maxDepth {
      throw error(.tooDeep, "arrays and objects nest deeper than \(maxDepth) levels")
    }
    position += 1
    var object = JSONObject()
    var index: [ByteString: Int]? = nil
    skipWhitespace()
    if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
      position += 1
      return .object(object)
    }
    object._reserveCapacity(Scanner.smallCapacity)
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw error(.jsonSyntax, "expected a string key, found \(describeCurrent())")
      }
      let keyOffset = position
      let key = try parseString()
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
        throw error(.jsonSyntax, "expected `:` after the key, found \(describeCurrent())")
      }
      position += 1
      skipWhitespace()
      if tracksPath { path.append(.key(key)) }
      let value = try parseValue(depth: depth)
      if Scanner.add(key, value, to: &object, index: &index) && reportDuplicates {
        reportDuplicate(key, at: keyOffset)
      }
      if tracksPath { path.removeLast() }
      skipWhitespace()
      guard position < bytes.count else {
        throw error(.jsonSyntax, "expected `,` or `}`, found end of input")
      }
      let byte = bytes[position]
      position += 1
      if byte == UInt8(ascii: "}") { return .object(object) }
      if byte != UInt8(ascii: ",") {
        position -= 1
        throw error(.jsonSyntax, "expected `,` or `}`, found \(describeCurrent())")
      }
      skipWhitespace()
      if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
        throw error(.jsonSyntax, "trailing comma before `}`")
      }
    }
  }

  /// Adds a member to an object being read; a repeated key keeps its first
  /// position and takes the new value.
  ///
  /// Returns whether the key was repeated.
  static func add(
    _ key: String,
    _ value: JSONValue,
    to object: inout JSONObject,
    index: inout [ByteString: Int]?
  ) -> Bool {
    // Small objects search their keys; larger ones keep a hash index.
    var existing: Int?
    if object.count >= 12 {
      if index == nil {
        var built: [ByteString: Int] = [:]
        for (offset, existingKey) in object.keys.enumerated() {
          built[ByteString(existingKey)] = offset
        }
        index = built
      }
      existing = index?[ByteString(key)]
    } else {
      existing = object.index(of: key)
    }
    if let existing {
      object._replaceValue(at: existing, with: value)
      return true
    }
    index?[ByteString(key)] = object.count
    object._appendUnique(key, value)
    return false
  }

  /// Records a `duplicate_key` diagnostic for the key at `offset` (`path` ends with it).
  mutating func reportDuplicate(_ key: String, at offset: Int) {
    var diagnostic = Diagnostic(
      .duplicateKey,
      at: JSONPointer(tokens: path),
      key: true,
      "duplicate key `\(key)`",
      notes: ["the key is already defined earlier in this object"]
    )
    diagnostic.location.offset = offset
    duplicates.append(diagnostic)
  }

  /// An array or object being read by ``parseNested(depth:)``, waiting for its next element.
  private struct Container {
    var isArray: Bool
    var elements: [JSONValue] = []
    var object = JSONObject()
    /// The key index of a large object.
    var index: [ByteString: Int]? = nil
    /// The key whose value is being read, and the offset of its opening quote.
    var key = ""
    var keyOffset = 0

    /// Adds a member; a repeated key keeps its first position and takes the new
    /// value.
    ///
    /// Returns whether the key was repeated.
    mutating func addMember(_ value: JSONValue) -> Bool {
      Scanner.add(key, value, to: &object, index: &index)
    }
  }

  // swift-format-ignore: NeverForceUnwrap
  // `current` is the innermost open container; it is set on every path that completes a value inside one or reads a key.
  /// Parses one value whose container (if any) is at `depth`, reading nested
  /// arrays and objects with an explicit stack rather than by recursion.
  mutating func parseNested(depth: Int) throws(JSONReader.SyntaxError) -> JSONValue {
    // The innermost open container is a local, so appending to it is cheap;
    // the ones around it wait in `outer`.
    var current: Container? = nil
    var outer: [Container] = []
    while true {
      // Read a value: a scalar, an empty container, or the start of a container
      // whose first element is read next.
      var value: JSONValue
      guard position < bytes.count else {
        throw error(.jsonSyntax, "expected a value, found end of input")
      }
      switch bytes[position] {
      case UInt8(ascii: "["):
        try checkDepth(depth + outer.count + (current == nil ? 1 : 2))
        position += 1
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
          position += 1
          value = .array([])
        } else {
          if let current { outer.append(current) }
          current = Container(isArray: true)
          if tracksPath { path.append(.index(0)) }
          continue
        }
      case UInt8(ascii: "{"):
        try checkDepth(depth + outer.count + (current == nil ? 1 : 2))
        position += 1
        skipWhitespace()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
          position += 1
          value = .object(JSONObject())
        } else {
          let (key, keyOffset) = try parseKey()
          if let current { outer.append(current) }
          current = Container(isArray: false, key: key, keyOffset: keyOffset)
          if tracksPath { path.append(.key(key)) }
          continue
        }
      default:
        value = try parseScalar()
      }
      // Add the value to the innermost open container; close every container
      // that ends here, until one expects another element (or none is open).
      while current != nil {
        if current!.isArray {
          current!.elements.append(value)
          if tracksPath { path.removeLast() }
          if try endOfContainer(UInt8(ascii: "]")) {
            value = .array(current.take()!.elements)
            current = outer.popLast()
            continue
          }
          if tracksPath { path.append(.index(current!.elements.count)) }
          break
        }
        if current!.addMember(value) && reportDuplicates {
          reportDuplicate(current!.key, at: current!.keyOffset)
        }
        if tracksPath { path.removeLast() }
        if try endOfContainer(UInt8(ascii: "}")) {
          value = .object(current.take()!.object)
          current = outer.popLast()
          continue
        }
        let (key, keyOffset) = try parseKey()
        if tracksPath { path.append(.key(key)) }
        current!.key = key
        current!.keyOffset = keyOffset
        break
      }
      if current == nil { return value }
    }
  }

  /// Throws `too_deep` when a container at `depth` is past the limit.
  private func checkDepth(_ depth: Int) throws(JSONReader.SyntaxError) {
    if depth > maxDepth {
      throw error(.tooDeep, "arrays and objects nest deeper than \(maxDepth) levels")
    }
  }

  /// After an element: consumes `,` (returning false: another element follows)
  /// or the closing `bracket` (returning true).
  mutating func endOfContainer(_ bracket: UInt8) throws(JSONReader.SyntaxError) -> Bool {
    let expected = bracket == UInt8(ascii: "]") ? "`,` or `]`" : "`,` or `}`"
    skipWhitespace()
    guard position < bytes.count else {
      throw error(.jsonSyntax, "expected \(expected), found end of input")
    }
    let byte = bytes[position]
    position += 1
    if byte == bracket { return true }
    if byte != UInt8(ascii: ",") {
      position -= 1
      throw error(.jsonSyntax, "expected \(expected), found \(describeCurrent())")
    }
    skipWhitespace()
    if position < bytes.count && bytes[position] == bracket {
      throw error(.jsonSyntax, "trailing comma before `\(Character(UnicodeScalar(bracket)))`")
    }
    return false
  }

  /// Reads `"key":` and the white space after it; returns the key and the offset of its quote.
  private mutating func parseKey() throws(JSONReader.SyntaxError) -> (String, Int) {
    skipWhitespace()
    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
      throw error(.jsonSyntax, "expected a string key, found \(describeCurrent())")
    }
    let keyOffset = position
    let key = try parseString()
    skipWhitespace()
    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
      throw error(.jsonSyntax, "expected `:` after the key, found \(describeCurrent())")
    }
    position += 1
    skipWhitespace()
    return (key, keyOffset)
  }

  /// Parses a string, number, `true`, `false` or `null`.
  private mutating func parseScalar() throws(JSONReader.SyntaxError) -> JSONValue {
    switch bytes[position] {
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try parseNumber())
    default:
      throw error(.jsonSyntax, "expected a value, found \(describeCurrent())")
    }
  }

  /// Parses a string starting at the opening quote.
  mutating func parseString() throws(JSONReader.SyntaxError) -> String {
    // Fast path: a plain string (no escapes, well-formed UTF-8) is its bytes.
    if let base = bytes.baseAddress, let end = PlainString.end(base, position, bytes.count) {
      let text = String(
        decoding: UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end]),
        as: UTF8.self
      )
      position = end + 1
      return text
    }
    position += 1
    let start = position
    // Plain ASCII up to the first escape, control character or non-ASCII byte.
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        let text = String(
          decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]),
          as: UTF8.self
        )
        position += 1
        return text
      }
      if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
      position += 1
    }
    var buffer: [UInt8] = Array(bytes[start..<position])
    while true {
      guard position < bytes.count else {
        throw error(.jsonSyntax, "unterminated string", at: start - 1)
      }
      let byte = bytes[position]
      switch byte {
      case UInt8(ascii: "\""):
        position += 1
        return String(decoding: buffer, as: UTF8.self)
      case UInt8(ascii: "\\"):
        try parseEscape(into: &buffer)
      case 0..<0x20:
        throw error(.jsonSyntax, "control character in a string must be escaped")
      case 0x80...:
        let length = try validateUTF8Sequence()
        buffer.append(contentsOf: bytes[position..<position + length])
        position += length
      default:
        buffer.append(byte)
        position += 1
      }
    }
  }

  // swift-format-ignore: NeverForceUnwrap
  // The scanner stands on a byte, so the text has a base address.
  /// Validates one multi-byte UTF-8 sequence at `position` and returns its length.
  func validateUTF8Sequence() throws(JSONReader.SyntaxError) -> Int {
    if let length = UTF8Sequence.length(bytes.baseAddress!, position, bytes.count) {
      return length
    }
    throw utf8Error()
  }

  /// The error for the ill-formed UTF-8 sequence at `position`: what a person must fix.
  func utf8Error() -> JSONReader.SyntaxError {
    let lead = bytes[position]
    let length: Int
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0...0xEF: length = 3
    case 0xF0...0xF4: length = 4
    default:
      return error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true))")
    }
    guard position + length <= bytes.count else {
      return error(.invalidUTF8, "truncated UTF-8 sequence")
    }
    for offset in 1..<length where bytes[position + offset] & 0xC0 != 0x80 {
      // Point at the start of the broken sequence: that is the character a person must fix.
      return error(
        .invalidUTF8,
        "incomplete UTF-8 sequence starting with byte 0x\(String(lead, radix: 16, uppercase: true))"
      )
    }
    // Overlong, a surrogate or past U+10FFFF.
    return error(.invalidUTF8, "invalid UTF-8 sequence")
  }

  // swift-format-ignore: NeverForceUnwrap
  // A Unicode scalar always has a UTF-8 encoding.
  mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONReader.SyntaxError) {
    let escapeStart = position
    position += 1
    guard position < bytes.count else { throw error(.jsonSyntax, "unterminated string") }
    let byte = bytes[position]
    position += 1
    switch byte {
    case UInt8(ascii: "\""): buffer.append(0x22)
    case UInt8(ascii: "\\"): buffer.append(0x5C)
    case UInt8(ascii: "/"): buffer.append(0x2F)
    case UInt8(ascii: "b"): buffer.append(0x08)
    case UInt8(ascii: "f"): buffer.append(0x0C)
    case UInt8(ascii: "n"): buffer.append(0x0A)
    case UInt8(ascii: "r"): buffer.append(0x0D)
    case UInt8(ascii: "t"): buffer.append(0x09)
    case UInt8(ascii: "u"):
      var scalar = try parseHex4()
      if (0xD800...0xDBFF).contains(scalar) {
        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
          bytes[position + 1] == UInt8(ascii: "u")
        else {
          throw error(.loneSurrogate, "lone surrogate `\\u\(hex(scalar))`", at: escapeStart)
        }
        position += 2
        let low = try parseHex4()
        guard (0xDC00...0xDFFF).contains(low) else {
          throw error(.loneSurrogate, "lone surrogate `\\u\(hex(scalar))`", at: escapeStart)
        }
        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00...0xDFFF).contains(scalar) {
        throw error(.loneSurrogate, "lone surrogate `\\u\(hex(scalar))`", at: escapeStart)
      }
      if let unicode = Unicode.Scalar(scalar) {
        buffer.append(contentsOf: UTF8.encode(unicode)!)
      }
    default:
      throw error(
        .jsonSyntax,
        "invalid escape `\\\(Character(UnicodeScalar(byte)))`",
        at: escapeStart
      )
    }
  }

  func hex(_ value: UInt32) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - text.count)) + text
  }

  mutating func parseHex4() throws(JSONReader.SyntaxError) -> UInt32 {
    guard position + 4 <= bytes.count else {
      throw error(.jsonSyntax, "expected 4 hex digits after `\\u`")
    }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[position]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error(.jsonSyntax, "expected 4 hex digits after `\\u`")
      }
      value = value << 4 | UInt32(digit)
      position += 1
    }
    return value
  }

  mutating func parseNumber() throws(JSONReader.SyntaxError) -> Double {
    let scan = JSONBytes.scanNumber(bytes, position)
    if let failure = scan.failure {
      throw error(failure.code, failure.message, at: failure.offset)
    }
    position = scan.end
    return scan.value
  }
}
