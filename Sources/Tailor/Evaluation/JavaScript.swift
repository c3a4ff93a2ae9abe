// JavaScript's coercions, exactly as GrowthBook's reference SDK meets them.
// See ../shared/conformance/SEMANTICS.md §2–3. Everything here is pure.

package enum JavaScript {
  /// `Boolean(value)`.
  @inline(__always)
  package static func isTruthy(_ value: JSONValue) -> Bool {
    switch value {
    case .null: false
    case .bool(let flag): flag
    case .number(let number): number != 0 && !number.isNaN
    case .string(let string): !string.utf8.isEmpty
    case .array, .object: true
    }
  }

  /// `String(value)`: arrays join with `,` (null elements become empty), objects are `[object Object]`.
  package static func toString(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool(let flag): flag ? "true" : "false"
    case .number(let number): numberToString(number)
    case .string(let string): string
    case .array(let elements): join(elements)
    case .object: "[object Object]"
    }
  }

  private static func join(_ elements: [JSONValue]) -> String {
    var result = ""
    for (index, element) in elements.enumerated() {
      if index > 0 { result += "," }
      if case .null = element { continue }
      result += toString(element)
    }
    return result
  }

  /// `Number.prototype.toString()` for a finite or non-finite double.
  static func numberToString(_ number: Double) -> String {
    if number.isNaN { return "NaN" }
    if number == 0 { return "0" }
    if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
    if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
    if number < 0 { return "-" + numberToString(-number) }
    // Swift prints the shortest round-tripping digits, as JavaScript does;
    // only the layout differs. Extract digits and the decimal exponent.
    let text = number.description
    var digits: [UInt8] = []
    var exponent = 0
    var pointSeen = false
    var digitsBeforePoint = 0
    var index = text.utf8.startIndex
    let utf8 = text.utf8
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
        exponent = Int(String(text[text.index(after: index)...])) ?? 0
        break
      }
      if byte == UInt8(ascii: ".") {
        pointSeen = true
      } else {
        digits.append(byte)
        if !pointSeen { digitsBeforePoint += 1 }
      }
      index = utf8.index(after: index)
    }
    // value = 0.d1d2… × 10^n with n = digitsBeforePoint + exponent, after stripping zeros.
    var n = digitsBeforePoint + exponent
    while let first = digits.first, first == UInt8(ascii: "0"), digits.count > 1 {
      digits.removeFirst()
      n -= 1
    }
    while let last = digits.last, last == UInt8(ascii: "0"), digits.count > 1 {
      digits.removeLast()
    }
    let k = digits.count
    let digitText = String(decoding: digits, as: UTF8.self)
    if k <= n && n <= 21 {
      return digitText + String(repeating: "0", count: n - k)
    }
    if 0 < n && n <= 21 {
      let split = digitText.index(digitText.startIndex, offsetBy: n)
      return digitText[..<split] + "." + digitText[split...]
    }
    if -6 < n && n <= 0 {
      return "0." + String(repeating: "0", count: -n) + digitText
    }
    let e = n - 1
    let sign = e < 0 ? "-" : "+"
    let mantissa =
      k == 1
      ? digitText
      : String(digitText.prefix(1)) + "." + digitText.dropFirst()
    return mantissa + "e" + sign + String(abs(e))
  }

  /// `Number(value)` (the `value * 1` of literal number matching).
  static func toNumber(_ value: JSONValue) -> Double {
    switch value {
    case .null: 0
    case .bool(let flag): flag ? 1 : 0
    case .number(let number): number
    case .string(let string): stringToNumber(string)
    case .array: stringToNumber(toString(value))
    case .object: .nan
    }
  }

  /// JavaScript's StringToNumber: trims white space, `""` is 0, accepts
  /// `0x`/`0o`/`0b` prefixes, `Infinity` and decimal literals; anything else is NaN.
  static func stringToNumber(_ string: String) -> Double {
    // White space is trimmed scalar by scalar at either end only: the rest is read as
    // bytes, never decoded (dates and ids are converted once per test while compiling).
    let scalars = string.unicodeScalars
    var start = scalars.startIndex
    var end = scalars.endIndex
    while start < end && isWhitespace(scalars[start]) { scalars.formIndex(after: &start) }
    while end > start && isWhitespace(scalars[scalars.index(before: end)]) {
      scalars.formIndex(before: &end)
    }
    let bytes = Array(string.utf8[start..<end])
    if bytes.isEmpty { return 0 }
    if bytes.count > 2 && bytes[0] == UInt8(ascii: "0") {
      let radix: Int? =
        switch bytes[1] | 0x20 {
        case UInt8(ascii: "x"): 16
        case UInt8(ascii: "o"): 8
        case UInt8(ascii: "b"): 2
        default: nil
        }
      if let radix {
        var result = 0.0
        for byte in bytes[2...] {
          guard let digit = digitValue(byte), digit < radix else { return .nan }
          result = result * Double(radix) + Double(digit)
        }
        return result
      }
    }
    guard isDecimalLiteral(bytes) else {
      switch String(decoding: bytes, as: UTF8.self) {
      case "Infinity", "+Infinity": return .infinity
      case "-Infinity": return -.infinity
      default: return .nan
      }
    }
    return Double(String(decoding: bytes, as: UTF8.self)) ?? .nan
  }

  private static func digitValue(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(byte - UInt8(ascii: "A")) + 10
    default: nil
    }
  }

  /// Whether the bytes match `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`.
  private static func isDecimalLiteral(_ bytes: [UInt8]) -> Bool {
    var index = 0
    func digits() -> Int {
      let start = index
      while index < bytes.count && bytes[index] >= 48 && bytes[index] <= 57 { index += 1 }
      return index - start
    }
    if index < bytes.count
      && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"))
    {
      index += 1
    }
    var mantissaDigits = digits()
    if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
      index += 1
      mantissaDigits += digits()
    }
    guard mantissaDigits > 0 else { return false }
    if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
      index += 1
      if index < bytes.count
        && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"))
      {
        index += 1
      }
      guard digits() > 0 else { return false }
    }
    return index == bytes.count
  }

  /// JavaScript's WhiteSpace and LineTerminator code points.
  private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F,
      0x205F, 0x3000, 0xFEFF:
      true
    default: false
    }
  }

  /// A primitive after JavaScript's ToPrimitive: arrays and objects become strings.
  enum Primitive {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
  }

  static func toPrimitive(_ value: JSONValue) -> Primitive {
    switch value {
    case .null: .null
    case .bool(let flag): .bool(flag)
    case .number(let number): .number(number)
    case .string(let string): .string(string)
    case .array, .object: .string(toString(value))
    }
  }

  static func primitiveToNumber(_ primitive: Primitive) -> Double {
    switch primitive {
    case .null: 0
    case .bool(let flag): flag ? 1 : 0
    case .number(let number): number
    case .string(let string): stringToNumber(string)
    }
  }

  /// The relational operators `<`, `<=`, `>`, `>=` with JavaScript's rules.
  enum Relation: Hashable, Sendable {
    case less, lessOrEqual, greater, greaterOrEqual
  }

  static func compare(_ lhs: JSONValue, _ relation: Relation, _ rhs: JSONValue) -> Bool {
    let left = toPrimitive(lhs)
    let right = toPrimitive(rhs)
    if case .string(let a) = left, case .string(let b) = right {
      let order = compareUTF16(a, b)
      return switch relation {
      case .less: order < 0
      case .lessOrEqual: order <= 0
      case .greater: order > 0
      case .greaterOrEqual: order >= 0
      }
    }
    let a = primitiveToNumber(left)
    let b = primitiveToNumber(right)
    return switch relation {
    case .less: a < b
    case .lessOrEqual: a <= b
    case .greater: a > b
    case .greaterOrEqual: a >= b
    }
  }

  /// Orders two strings by UTF-16 code units: negative, zero or positive.
  ///
  /// UTF-8 byte order is code point order, which is UTF-16 order except where a
  /// supplementary code point (a surrogate pair) meets U+E000…U+FFFF; only the
  /// first differing scalars need that correction. No allocation.
  static func compareUTF16(_ a: String, _ b: String) -> Int {
    var left = a
    var right = b
    return left.withUTF8 { x in
      right.withUTF8 { y in
        let count = min(x.count, y.count)
        var index = 0
        while index < count && x[index] == y[index] { index += 1 }
        if index == count { return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1) }
        // Back up to the start of the differing scalar.
        var start = index
        while start > 0 && x[start] & 0xC0 == 0x80 { start -= 1 }
        let p = scalar(x, at: start)
        let q = scalar(y, at: start)
        return firstUnit(p) == firstUnit(q)
          ? (p < q ? -1 : 1) : (firstUnit(p) < firstUnit(q) ? -1 : 1)
      }
    }
  }

  /// The first UTF-16 code unit of a scalar.
  private static func firstUnit(_ scalar: UInt32) -> UInt32 {
    scalar < 0x10000 ? scalar : 0xD800 + ((scalar - 0x10000) >> 10)
  }

  /// Decodes the scalar starting at `index` of valid UTF-8.
  private static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt32 {
    let lead = UInt32(bytes[index])
    switch lead {
    case 0..<0x80: return lead
    case 0xC0..<0xE0: return (lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
    case 0xE0..<0xF0:
      return (lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6
        | UInt32(bytes[index + 2] & 0x3F)
    default:
      return (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(
        bytes[index + 2] & 0x3F
      ) << 6
        | UInt32(bytes[index + 3] & 0x3F)
    }
  }

  /// `a === b` for JSON values: arrays and objects are never identical.
  @inline(__always)
  static func strictEquals(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): true
    case (.bool(let x), .bool(let y)): x == y
    case (.number(let x), .number(let y)): x == y
    case (.string(let x), .string(let y)): JSONValue.sameBytes(x, y)
    default: false
    }
  }

  /// `JSON.stringify(value)`, with JavaScript's property order (integer keys first, ascending).
  static func stringify(_ value: JSONValue) -> String {
    var output = ""
    stringify(value, into: &output)
    return output
  }

  static func stringify(_ value: JSONValue, into output: inout String) {
    JSONWriter.write(value, into: &output, javaScriptOrder: true)
  }

  /// Indices of `keys` in JavaScript's own-property order.
  static func propertyOrder(_ keys: [String]) -> [Int] {
    var integers: [(UInt32, Int)] = []
    var others: [Int] = []
    for (index, key) in keys.enumerated() {
      if let value = arrayIndex(key) {
        integers.append((value, index))
      } else {
        others.append(index)
      }
    }
    if integers.isEmpty { return others }
    return integers.sorted { $0.0 < $1.0 }.map(\.1) + others
  }

  /// The value of a canonical array index string ("0", "17"; not "01" or "4294967295").
  static func arrayIndex(_ key: String) -> UInt32? {
    guard let value = UInt32(key), value != UInt32.max, String(value) == key else { return nil }
    return value
  }

  /// JSON string quoting as `JSON.stringify` does it.
  static func quote(_ string: String, into output: inout String) {
    output += "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\u{08}": output += "\\b"
      case "\u{0C}": output += "\\f"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          output.unicodeScalars.append(scalar)
        }
      }
    }
    output += "\""
  }

  /// `typeof`-style names used by `$type`.
  static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .null: "null"
    case .bool: "boolean"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }
}
