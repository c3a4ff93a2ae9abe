/// The JSON byte toolkit: what every reader of JSON bytes shares.
///
/// The readers are ``JSONReader`` (the full reader, which builds values and
/// writes every syntax error), ``ProfileFastReader`` (the profile fast path)
/// and, in the server, the request fast path and the request scanner. Each
/// keeps its own position and calls these functions with the text's base
/// address and byte count, so the hot loops stay on raw pointers:
///
/// - white space (``skipWhitespace(_:_:_:)``);
/// - strings: plain ones, whose bytes are their value, scanned eight bytes at a
///   time with UTF-8 checked (``PlainString``, ``UTF8Sequence``), printable ASCII
///   ones for protocol names and ids (``printableStringEnd(_:_:_:)``), and the
///   extent of any string without validating it (``looseStringEnd(_:_:_:)``);
/// - numbers, with one grammar and one conversion to a double
///   (``number(_:_:_:_:)``, ``scanNumber(_:_:)``);
/// - skipping a whole value, validating it (``skipValue(_:_:_:depth:maxDepth:)``)
///   or only matching brackets (``looseContainerEnd(_:_:depthLimit:)``);
/// - the words for the byte at a position in an error (``describe(_:at:end:)``).
///
/// Functions that answer `-1` or `nil` decline: the text is invalid, or
/// outside what the function reads, and the caller's full path decides.
///
/// The server's per-line loops call the small string and white-space
/// functions, so those are `public` and `@inlinable` behind `@_spi(Server)`:
/// Swift 6.3 inlines no `package` function into another module, and calling
/// them out of line cost the server's per-line path about 0.7 % more
/// instructions.
@_spi(Server) public enum JSONBytes {
  /// JSON white space: space, line feed, carriage return or tab.
  @inlinable @inline(__always)
  public static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }

  /// The offset of the first byte at or after `position` that is not JSON white space.
  @inlinable @inline(__always)
  public static func skipWhitespace(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int
  ) -> Int {
    var position = position
    while position < count {
      let byte = base[position]
      if byte > 0x20 || (byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09) {
        return position
      }
      position += 1
    }
    return position
  }

  /// The byte at `position` as an error message names it: the character in
  /// backticks when it is printable ASCII, else its hexadecimal value, or
  /// `end` past the last byte.
  package static func describe(
    _ bytes: UnsafeBufferPointer<UInt8>,
    at position: Int,
    end: String = "end of input"
  ) -> String {
    guard position < bytes.count else { return end }
    let byte = bytes[position]
    if byte >= 0x20 && byte < 0x7F { return "`\(Character(UnicodeScalar(byte)))`" }
    return "byte 0x" + String(byte, radix: 16, uppercase: true)
  }

  // MARK: Strings

  /// The offset of the closing quote of the string that opens at `quote`, when
  /// every byte before it is printable ASCII other than `\` (a name or an id
  /// that needs no decoding); `nil` otherwise.
  @inlinable @inline(__always)
  public static func printableStringEnd(
    _ base: UnsafePointer<UInt8>,
    _ quote: Int,
    _ count: Int
  ) -> Int? {
    var position = quote + 1
    while position < count {
      let byte = base[position]
      if byte == UInt8(ascii: "\"") { return position }
      guard byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") else { return nil }
      position += 1
    }
    return nil
  }

  /// The end of a plain `id` at `start`, or `nil`.
  ///
  /// A plain id is an integer of at most 15 characters or a printable-ASCII
  /// string without escapes: valid JSON, echoed as written without reading it.
  /// A number must be followed by white space, `,`, `}` or the end.
  @inlinable @inline(__always)
  public static func plainIDEnd(_ base: UnsafePointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
    guard start < count else { return nil }
    var position = start
    if base[position] == UInt8(ascii: "\"") {
      return printableStringEnd(base, position, count).map { $0 + 1 }
    }
    if base[position] == UInt8(ascii: "-") { position += 1 }
    let digits = position
    while position < count && base[position] >= UInt8(ascii: "0")
      && base[position] <= UInt8(ascii: "9")
    {
      position += 1
    }
    guard position > digits, position - start <= 15 else { return nil }
    if base[digits] == UInt8(ascii: "0") && position - digits > 1 { return nil }
    // A number must end here: `.`, `e` and anything else are not plain.
    if position < count {
      switch base[position] {
      case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "}"): break
      default: return nil
      }
    }
    return position
  }

  /// The offset just past the string that opens at `quote`, found without
  /// validating it (an escape skips the byte after `\`), and whether it holds
  /// an escape; `nil` when it is unterminated.
  @inlinable @inline(__always)
  public static func looseStringEnd(
    _ base: UnsafePointer<UInt8>,
    _ quote: Int,
    _ count: Int
  ) -> (end: Int, escaped: Bool)? {
    var position = quote + 1
    var escaped = false
    while position < count {
      let byte = base[position]
      if byte == UInt8(ascii: "\"") { return (position + 1, escaped) }
      if byte == UInt8(ascii: "\\") {
        escaped = true
        position += 2
      } else {
        position += 1
      }
    }
    return nil
  }

  // MARK: Skipping values

  /// The offset just past the container that opens at `start`, found by
  /// matching brackets outside strings without validating anything else; `nil`
  /// when it is unterminated, holds an unterminated string or nests deeper
  /// than `depthLimit`.
  ///
  /// For a reader that validates the value afterwards: it crosses a whole
  /// profile, so it runs on a raw pointer with local state.
  package static func looseContainerEnd(
    _ bytes: UnsafeBufferPointer<UInt8>,
    from start: Int,
    depthLimit: Int
  ) -> Int? {
    guard let base = bytes.baseAddress else { return nil }
    let count = bytes.count
    var position = start
    var depth = 0
    while position < count {
      let byte = base[position]
      position += 1
      // Quotes and brackets all have the bits 0x22 or 0x59 set; most other bytes do not.
      if byte != 0x22 && byte & 0x59 != 0x59 { continue }
      switch byte {
      case 0x22:  // a string: find its closing quote
        while position < count {
          let inner = base[position]
          if inner == 0x22 { break }
          position += inner == 0x5C ? 2 : 1
        }
        guard position < count else { return nil }
        position += 1
      case 0x7B, 0x5B:  // { [
        depth += 1
        if depth > depthLimit { return nil }
      case 0x7D, 0x5D:  // } ]
        depth -= 1
        if depth == 0 { return position }
      default:
        break
      }
    }
    return nil
  }

  /// Validates the value at `position` (below `count`), nested at `depth`,
  /// without building it; the offset past it, or -1 for strings that are not
  /// plain, containers past `maxDepth` and anything invalid.
  static func skipValue(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int,
    depth: Int,
    maxDepth: Int
  ) -> Int {
    switch base[position] {
    case UInt8(ascii: "\""):
      guard let end = PlainString.end(base, position, count) else { return -1 }
      return end + 1
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      var number = 0.0
      return self.number(base, position, count, &number)
    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
      return literal(base, position, count)
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      if depth + 1 > maxDepth { return -1 }
      let isObject = base[position] == UInt8(ascii: "{")
      let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
      var position = skipWhitespace(base, position + 1, count)
      if position < count && base[position] == close { return position + 1 }
      while true {
        guard position < count else { return -1 }
        if isObject {
          guard base[position] == UInt8(ascii: "\""),
            let end = PlainString.end(base, position, count)
          else { return -1 }
          position = skipWhitespace(base, end + 1, count)
          guard position < count, base[position] == UInt8(ascii: ":") else { return -1 }
          position = skipWhitespace(base, position + 1, count)
          guard position < count else { return -1 }
        }
        position = skipValue(base, position, count, depth: depth + 1, maxDepth: maxDepth)
        guard position >= 0 else { return -1 }
        position = skipWhitespace(base, position, count)
        guard position < count else { return -1 }
        let byte = base[position]
        if byte == close { return position + 1 }
        guard byte == UInt8(ascii: ",") else { return -1 }
        position = skipWhitespace(base, position + 1, count)
      }
    default:
      return -1
    }
  }

  /// `true`, `false` or `null` at `position`, which holds `t`, `f` or `n`; the offset past it, or -1.
  @inline(__always)
  static func literal(_ base: UnsafePointer<UInt8>, _ position: Int, _ count: Int) -> Int {
    switch base[position] {
    case UInt8(ascii: "t"):
      guard count - position >= 4, base[position + 1] == UInt8(ascii: "r"),
        base[position + 2] == UInt8(ascii: "u"),
        base[position + 3] == UInt8(ascii: "e")
      else { return -1 }
      return position + 4
    case UInt8(ascii: "f"):
      guard count - position >= 5, base[position + 1] == UInt8(ascii: "a"),
        base[position + 2] == UInt8(ascii: "l"),
        base[position + 3] == UInt8(ascii: "s"), base[position + 4] == UInt8(ascii: "e")
      else { return -1 }
      return position + 5
    default:
      guard count - position >= 4, base[position + 1] == UInt8(ascii: "u"),
        base[position + 2] == UInt8(ascii: "l"),
        base[position + 3] == UInt8(ascii: "l")
      else { return -1 }
      return position + 4
    }
  }

  // MARK: Numbers

  /// The number at `position` (which holds `-` or a digit) in `value`; the
  /// offset past it, or -1 when it is not a valid JSON number that a double holds.
  ///
  /// The common number — no exponent, at most 15 significant digits — is read
  /// by ``plainNumber(_:_:_:_:)``; any other by ``scanNumber(_:_:)``. Both
  /// compute the value as the full reader does.
  @inline(__always)
  static func number(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int,
    _ value: inout Double
  ) -> Int {
    let end = plainNumber(base, position, count, &value)
    return end >= 0 ? end : anyNumber(base, position, count, &value)
  }

  /// ``number(_:_:_:_:)`` for a number that is not plain: the full grammar.
  @inline(never)
  static func anyNumber(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int,
    _ value: inout Double
  ) -> Int {
    let scan = scanNumber(UnsafeBufferPointer(start: base, count: count), position)
    guard scan.failure == nil else { return -1 }
    value = scan.value
    return scan.end
  }

  /// A number without an exponent and with at most 15 significant digits (exact
  /// as a double, as ``scanNumber(_:_:)`` computes it); the offset past it, or -1.
  ///
  /// Runs of up to seven digits are read eight bytes at a time, so a number
  /// costs no loop whose length changes from one profile to the next.
  @inline(__always)
  static func plainNumber(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int,
    _ value: inout Double
  ) -> Int {
    var at = position
    let negative = base[at] == UInt8(ascii: "-")
    if negative { at += 1 }
    // Both digit runs are read as words: leave the rest to the loop near the end.
    guard at &+ 17 <= count else { return plainNumberByBytes(base, position, count, &value) }
    let whole = PlainNumber.digits(base + at)
    guard whole.count > 0, whole.count < 8 else {
      return whole.count == 0 ? -1 : plainNumberByBytes(base, position, count, &value)
    }
    // A leading zero is the number 0 alone; `01` is invalid.
    if base[at] == UInt8(ascii: "0") && whole.count > 1 { return -1 }
    at += whole.count
    var mantissa = whole.value
    var digits = whole.count
    var fraction = 0
    if base[at] == UInt8(ascii: ".") {
      at += 1
      let part = PlainNumber.digits(base + at)
      guard part.count > 0, part.count < 8 else {
        return part.count == 0 ? -1 : plainNumberByBytes(base, position, count, &value)
      }
      mantissa = mantissa &* PlainNumber.powersOfTen[part.count] &+ part.value
      digits += part.count
      fraction = part.count
      at += part.count
    }
    guard digits <= 15, !PlainNumber.continues(base[at]) else { return -1 }
    let magnitude =
      fraction == 0 ? Double(mantissa) : Double(mantissa) / PlainNumber.exactPowersOfTen[fraction]
    value = negative ? -magnitude : magnitude
    return at
  }

  /// ``plainNumber(_:_:_:_:)`` a byte at a time, near the end of the text or for long digit runs.
  @inline(never)
  static func plainNumberByBytes(
    _ base: UnsafePointer<UInt8>,
    _ position: Int,
    _ count: Int,
    _ value: inout Double
  ) -> Int {
    var position = position
    let negative = base[position] == UInt8(ascii: "-")
    if negative { position += 1 }
    guard position < count else { return -1 }
    var mantissa: UInt64 = 0
    var digits = 0
    if base[position] == UInt8(ascii: "0") {
      position += 1
    } else {
      while position < count, base[position] &- UInt8(ascii: "0") < 10 {
        mantissa = mantissa &* 10 &+ UInt64(base[position] &- UInt8(ascii: "0"))
        digits += 1
        position += 1
      }
      if digits == 0 { return -1 }
    }
    var fraction = 0
    if position < count && base[position] == UInt8(ascii: ".") {
      position += 1
      while position < count, base[position] &- UInt8(ascii: "0") < 10 {
        mantissa = mantissa &* 10 &+ UInt64(base[position] &- UInt8(ascii: "0"))
        digits += 1
        fraction += 1
        position += 1
      }
      if fraction == 0 { return -1 }
    }
    // Exponents, leading zeros and long mantissas are not plain.
    guard digits <= 15, position == count || !PlainNumber.continues(base[position]) else {
      return -1
    }
    let magnitude =
      fraction == 0 ? Double(mantissa) : Double(mantissa) / PlainNumber.exactPowersOfTen[fraction]
    value = negative ? -magnitude : magnitude
    return position
  }

  /// What reading a number found: its value and end, or why it is invalid.
  struct NumberScan {
    var value = 0.0
    var end = 0
    /// The error, with the offset it names, when the number is invalid.
    var failure: (code: Diagnostic.Code, message: String, offset: Int)?
  }

  /// Reads the number at `start` (which holds `-` or a digit) by the JSON
  /// grammar: the one definition of which numbers are valid, and of their value.
  ///
  /// Integers of up to 15 digits, and decimals of up to 15 digits without an
  /// exponent, are computed exactly; any other number is converted from its
  /// text, and one too large for a double is `number_out_of_range`.
  static func scanNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> NumberScan {
    var scan = NumberScan()
    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    func fail(_ message: String, at offset: Int) -> NumberScan {
      scan.failure = (.jsonSyntax, message, offset)
      return scan
    }
    var position = start
    var negative = false
    if bytes[position] == UInt8(ascii: "-") {
      negative = true
      position += 1
    }
    guard position < bytes.count, isDigit(bytes[position]) else {
      return fail("expected a digit", at: position)
    }
    var mantissa: UInt64 = 0
    var digits = 0
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
      if position < bytes.count && isDigit(bytes[position]) {
        return fail("leading zeros are not allowed", at: start)
      }
    } else {
      while position < bytes.count && isDigit(bytes[position]) {
        if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[position] - 48) }
        digits += 1
        position += 1
      }
    }
    var isInteger = true
    var fractionDigits = 0
    if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
      isInteger = false
      position += 1
      guard position < bytes.count, isDigit(bytes[position]) else {
        return fail("expected a digit after `.`", at: position)
      }
      while position < bytes.count && isDigit(bytes[position]) {
        if digits < 19 { mantissa = mantissa * 10 + UInt64(bytes[position] - 48) }
        digits += 1
        fractionDigits += 1
        position += 1
      }
    }
    var hasExponent = false
    if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
      isInteger = false
      hasExponent = true
      position += 1
      if position < bytes.count
        && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-"))
      {
        position += 1
      }
      guard position < bytes.count, isDigit(bytes[position]) else {
        return fail("expected a digit in the exponent", at: position)
      }
      while position < bytes.count && isDigit(bytes[position]) { position += 1 }
    }
    scan.end = position
    if isInteger && digits <= 15 {
      let value = Double(mantissa)
      scan.value = negative ? -value : value
      return scan
    }
    // Exact fast path: a mantissa below 2^53 divided by an exact power of ten
    // is correctly rounded by IEEE division.
    if !hasExponent && digits <= 15 && fractionDigits <= 22 {
      let value = Double(mantissa) / PlainNumber.exactPowersOfTen[fractionDigits]
      scan.value = negative ? -value : value
      return scan
    }
    let text = String(
      decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]),
      as: UTF8.self
    )
    guard let value = Double(text), value.isFinite else {
      scan.failure = (.numberOutOfRange, "number `\(text)` is too large for a double", start)
      return scan
    }
    scan.value = value
    return scan
  }
}

/// The digit runs of plain numbers, read eight bytes at a time.
enum PlainNumber {
  static let powersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

  /// 10^0 through 10^22: every power of ten a double holds exactly.
  static let exactPowersOfTen: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
  }

  /// The run of ASCII digits at the start of the eight bytes at `bytes`: how
  /// many (0 to 8) and, when fewer than eight, their value.
  @inline(__always)
  static func digits(_ bytes: UnsafePointer<UInt8>) -> (count: Int, value: UInt64) {
    let word = UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)
    let ones: UInt64 = 0x0101_0101_0101_0101
    // A digit's high nibble is 3, and stays 3 when 6 is added. Carries only
    // run upwards, so the lowest flagged byte is always a real non-digit.
    let high = word & (ones &* 0xF0)
    let raised = (word &+ ones &* 0x06) & (ones &* 0xF0)
    let bad = (high ^ (ones &* 0x30)) | (raised ^ (ones &* 0x30))
    let flags = (bad | ((bad & (ones &* 0x7F)) &+ ones &* 0x7F)) & (ones &* 0x80)
    let count = flags.trailingZeroBitCount &>> 3
    guard count > 0 && count < 8 else { return (count, 0) }
    // Shift the digits up so zeros lead, then combine pairs, quads and halves.
    var value = (word & (ones &* 0x0F)) &<< UInt64((8 &- count) &* 8)
    value = (value &* 2561) &>> 8 & 0x00FF_00FF_00FF_00FF
    value = (value &* 6_553_601) &>> 16 & 0x0000_FFFF_0000_FFFF
    value = (value &* 42_949_672_960_001) &>> 32
    return (count, value)
  }

  /// A digit, `.`, `e`, `E`, `+` or `-` right after a number means more number
  /// (or a leading zero): the full reader decides.
  @inline(__always)
  static func continues(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: ".") || byte | 0x20 == UInt8(ascii: "e")
      || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
  }
}

/// What scanning a plain string learns besides its end: a hash of its bytes
/// and its last partial eight-byte word (zero-padded; 0 when the length is a
/// multiple of eight), which a key lookup compares first.
struct KeyPrint {
  var hash: UInt32 = 0
  var tail: UInt64 = 0
}

/// Scanning JSON strings eight bytes at a time.
///
/// A string is plain when it holds no escape and no control character, and
/// its non-ASCII bytes are well-formed UTF-8: its bytes are its value. Each
/// 64-bit word is tested for a quote, a backslash, a control character or a
/// non-ASCII byte at once; the lowest flagged byte is always a real one (a
/// borrow only flags bytes above it). A non-ASCII byte sends the rest of the
/// string through a loop that checks each UTF-8 sequence.
enum PlainString {
  static let seed: UInt64 = 0xCBF2_9CE4_8422_2325

  @inline(__always)
  static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
    let mixed = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
    return mixed ^ (mixed >> 29)
  }

  @inline(__always)
  static func finish(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash ^ (hash >> 32)) }

  /// The high bit of each byte of `word` that is `"`, `\\`, below 0x20 or above 0x7F.
  @inline(__always)
  static func special(_ word: UInt64) -> UInt64 {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quote = word ^ (ones &* 0x22)
    let backslash = word ^ (ones &* 0x5C)
    let zeroQuote = (quote &- ones) & ~quote
    let zeroBackslash = (backslash &- ones) & ~backslash
    let control = (word &- ones &* 0x20) & ~word
    return (zeroQuote | zeroBackslash | control | word) & highs
  }

  /// Scans the string whose opening quote is at `quote` and fingerprints it
  /// as ``ProfileLayout/fingerprint(_:)`` does: the offset of the closing
  /// quote, or `nil` when the string is not plain or not terminated.
  @inline(__always)
  static func scan(
    _ base: UnsafePointer<UInt8>,
    _ quote: Int,
    _ count: Int,
    print: inout KeyPrint
  ) -> Int? {
    var position = quote + 1
    var state = seed
    while position + 8 <= count {
      let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
      let flags = special(word)
      if flags == 0 {
        state = mix(state, word)
        position += 8
        continue
      }
      let index = flags.trailingZeroBitCount >> 3
      guard base[position + index] == UInt8(ascii: "\"") else {
        return base[position + index] >= 0x80
          ? scanUTF8(base, quote, position + index, count, print: &print) : nil
      }
      if index > 0 {
        let tail = word & ((1 << (UInt64(index) &* 8)) &- 1)
        state = mix(state, tail)
        print.tail = tail
      } else {
        print.tail = 0
      }
      print.hash = finish(state)
      return position + index
    }
    // Fewer than eight bytes remain in the text: one partial word at most.
    var word: UInt64 = 0
    var shift: UInt64 = 0
    while position < count {
      let byte = base[position]
      if byte == UInt8(ascii: "\"") {
        if shift > 0 { state = mix(state, word) }
        print.hash = finish(state)
        print.tail = word
        return position
      }
      if byte >= 0x80 { return scanUTF8(base, quote, position, count, print: &print) }
      if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
      word |= UInt64(byte) << shift
      shift += 8
      position += 1
    }
    return nil
  }

  /// The offset of the closing quote of the plain string at `quote`, or `nil`.
  @inline(__always)
  static func end(_ base: UnsafePointer<UInt8>, _ quote: Int, _ count: Int) -> Int? {
    var position = quote + 1
    while position + 8 <= count {
      let flags = special(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
      if flags == 0 {
        position += 8
        continue
      }
      let index = position + flags.trailingZeroBitCount >> 3
      if base[index] >= 0x80 { return endUTF8(base, index, count) }
      return base[index] == UInt8(ascii: "\"") ? index : nil
    }
    while position < count {
      let byte = base[position]
      if byte == UInt8(ascii: "\"") { return position }
      if byte >= 0x80 { return endUTF8(base, position, count) }
      if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
      position += 1
    }
    return nil
  }

  /// ``scan(_:_:_:print:)`` for a string with a non-ASCII byte at `from`:
  /// finds the end checking UTF-8, then fingerprints the whole string.
  @inline(never)
  static func scanUTF8(
    _ base: UnsafePointer<UInt8>,
    _ quote: Int,
    _ from: Int,
    _ count: Int,
    print: inout KeyPrint
  )
    -> Int?
  {
    guard let end = endUTF8(base, from, count) else { return nil }
    print = ProfileLayout.fingerprint(
      UnsafeBufferPointer(start: base + quote + 1, count: end - quote - 1)
    )
    return end
  }

  /// The offset of the closing quote of a string whose bytes before `from`
  /// are plain ASCII, checking every UTF-8 sequence from there; `nil` for an
  /// escape, a control character, ill-formed UTF-8 or no closing quote.
  @inline(never)
  static func endUTF8(_ base: UnsafePointer<UInt8>, _ from: Int, _ count: Int) -> Int? {
    var position = from
    while position < count {
      let byte = base[position]
      if byte < 0x80 {
        if byte == UInt8(ascii: "\"") { return position }
        if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
        position += 1
        continue
      }
      guard let length = UTF8Sequence.length(base, position, count) else { return nil }
      position += length
    }
    return nil
  }
}

/// Well-formed UTF-8 (the Unicode Standard, table 3-7).
enum UTF8Sequence {
  /// The length of the well-formed sequence that starts with the non-ASCII
  /// byte at `position`, or `nil` when it is ill-formed or cut off by `count`.
  @inline(__always)
  static func length(_ base: UnsafePointer<UInt8>, _ position: Int, _ count: Int) -> Int? {
    let lead = base[position]
    @inline(__always) func continuation(
      _ offset: Int,
      _ low: UInt8 = 0x80,
      _ high: UInt8 = 0xBF
    ) -> Bool {
      position + offset < count && base[position + offset] >= low && base[position + offset] <= high
    }
    switch lead {
    case 0xC2...0xDF:
      return continuation(1) ? 2 : nil
    case 0xE0:
      return continuation(1, 0xA0) && continuation(2) ? 3 : nil
    case 0xED:
      return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : nil
    case 0xE1...0xEC, 0xEE...0xEF:
      return continuation(1) && continuation(2) ? 3 : nil
    case 0xF0:
      return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : nil
    case 0xF1...0xF3:
      return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
    case 0xF4:
      return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : nil
    default:
      return nil
    }
  }
}
