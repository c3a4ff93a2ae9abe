/// A profile read into the slots one document's rules use, ready to evaluate.
///
/// Preparing resolves every attribute path once; fields no rule reads are
/// skipped (and, from JSON bytes, never decoded). A prepared profile belongs to
/// the ``Rules`` that prepared it.
///
/// ```swift
/// let prepared = try rules.prepare(json: Array(line.utf8))
/// let decision = evaluator.decide("homepage-hero", for: prepared, at: now)
/// ```
public struct PreparedProfile: Sendable {
  /// What a slot holds, in plain numbers.
  struct Summary {
    enum Kind: UInt8 {
      case null, bool, number, string, array, object
    }

    var kind: Kind
    /// For strings: the key id among the slot's switch keys, or -1.
    var key: Int32
    /// For numbers: the value.
    var number: Double
  }

  let layout: ObjectIdentifier
  var summaries: [Summary]
  var values: [JSONValue]
  /// Padded version strings of the slots version comparisons read (others empty).
  var paddedVersions: [String]

  init(_ flat: FlatRules) {
    layout = ObjectIdentifier(flat)
    let count = flat.slotPaths.count
    summaries = Array(repeating: Summary(kind: .null, key: -1, number: 0), count: count)
    values = Array(repeating: .null, count: count)
    paddedVersions = flat.paddedOperands.isEmpty ? [] : Array(repeating: "", count: count)
  }

  /// Prepares a profile value.
  init(_ flat: FlatRules, root: JSONValue) {
    self.init(flat)
    for slot in 0..<flat.slotPaths.count {
      set(slot, ConditionEvaluator.resolve(flat.slotPaths[slot], in: root), flat)
    }
  }

  /// Prepares a profile from the JSON text of an object, decoding only the
  /// top-level fields some rule reads (the others are validated and skipped).
  init(_ flat: FlatRules, json bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(JSONReader.SyntaxError) {
    self.init(flat)
    if !paddedVersions.isEmpty {
      // Missing attributes read as null, whose padded version is "0".
      for slot in 0..<flat.slotPaths.count where flat.isVersionSlot[slot] {
        paddedVersions[slot] = Version.padded(.null)
      }
    }
    var scanner = Scanner(bytes: bytes, maxDepth: maxDepth, reportDuplicates: false)
    scanner.skipWhitespace()
    guard scanner.position < bytes.count, bytes[scanner.position] == UInt8(ascii: "{") else {
      // Not an object: no attribute resolves. Still require valid JSON.
      _ = try scanner.parseValue(depth: 0)
      try scanner.expectEnd()
      return
    }
    scanner.position += 1
    scanner.skipWhitespace()
    if scanner.position < bytes.count && bytes[scanner.position] == UInt8(ascii: "}") {
      scanner.position += 1
      try scanner.expectEnd()
      return
    }
    while true {
      scanner.skipWhitespace()
      guard scanner.position < bytes.count, bytes[scanner.position] == UInt8(ascii: "\"") else {
        throw scanner.error(.jsonSyntax, "expected a string key, found \(scanner.describeCurrent())")
      }
      // Plain keys are looked up by their raw bytes; keys with escapes are decoded first.
      let keyStart = scanner.position + 1
      var entry: Int32?
      if let keyEnd = scanner.plainStringEnd() {
        entry = flat.topLevel.lookup(UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
        scanner.position = keyEnd + 1
      } else {
        entry = flat.topLevel.lookup(try scanner.parseString())
      }
      scanner.skipWhitespace()
      guard scanner.position < bytes.count, bytes[scanner.position] == UInt8(ascii: ":") else {
        throw scanner.error(.jsonSyntax, "expected `:` after the key, found \(scanner.describeCurrent())")
      }
      scanner.position += 1
      scanner.skipWhitespace()
      if let entry {
        let value = try scanner.parseValue(depth: 1)
        for slot in flat.topLevelSlots[Int(entry)] {
          let path = flat.slotPaths[Int(slot)]
          set(Int(slot), path.count == 1 ? value : ConditionEvaluator.resolve(Array(path.dropFirst()), in: value), flat)
        }
      } else {
        try scanner.skipValue(depth: 1)
      }
      scanner.skipWhitespace()
      guard scanner.position < bytes.count else {
        throw scanner.error(.jsonSyntax, "expected `,` or `}`, found end of input")
      }
      let byte = bytes[scanner.position]
      scanner.position += 1
      if byte == UInt8(ascii: "}") { break }
      guard byte == UInt8(ascii: ",") else {
        scanner.position -= 1
        throw scanner.error(.jsonSyntax, "expected `,` or `}`, found \(scanner.describeCurrent())")
      }
      scanner.skipWhitespace()
      if scanner.position < bytes.count && bytes[scanner.position] == UInt8(ascii: "}") {
        throw scanner.error(.jsonSyntax, "trailing comma before `}`")
      }
    }
    try scanner.expectEnd()
  }

  private mutating func set(_ slot: Int, _ value: JSONValue, _ flat: FlatRules) {
    values[slot] = value
    if !paddedVersions.isEmpty && flat.isVersionSlot[slot] { paddedVersions[slot] = Version.padded(value) }
    switch value {
    case .null: summaries[slot] = Summary(kind: .null, key: -1, number: 0)
    case .bool(let flag): summaries[slot] = Summary(kind: .bool, key: -1, number: flag ? 1 : 0)
    case .number(let number): summaries[slot] = Summary(kind: .number, key: -1, number: number)
    case .string(let text):
      let keys = flat.slotKeyTables[slot]
      let key = keys.isEmpty ? -1 : (keys.lookup(text) ?? -1)
      summaries[slot] = Summary(kind: .string, key: key, number: 0)
    case .array: summaries[slot] = Summary(kind: .array, key: -1, number: 0)
    case .object: summaries[slot] = Summary(kind: .object, key: -1, number: 0)
    }
  }
}

extension Scanner {
  /// Requires only white space after the value.
  mutating func expectEnd() throws(JSONReader.SyntaxError) {
    skipWhitespace()
    if position < bytes.count {
      throw error(.jsonSyntax, "unexpected \(describeCurrent()) after the value")
    }
  }

  /// Validates one value without building it.
  mutating func skipValue(depth: Int) throws(JSONReader.SyntaxError) {
    guard position < bytes.count else {
      throw error(.jsonSyntax, "expected a value, found end of input")
    }
    switch bytes[position] {
    case UInt8(ascii: "\""):
      try skipString()
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      // Containers are rare in skipped fields; building them validates them exactly.
      _ = try parseValue(depth: depth)
    default:
      _ = try parseValue(depth: depth)
    }
  }

  /// The index of the closing quote when the string at `position` has no
  /// escapes, control characters or non-ASCII bytes; otherwise `nil`.
  func plainStringEnd() -> Int? {
    var index = position + 1
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") { return index }
      if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
      index += 1
    }
    return nil
  }

  /// Validates a string without decoding it.
  mutating func skipString() throws(JSONReader.SyntaxError) {
    let start = position
    position += 1
    while position < bytes.count {
      let byte = bytes[position]
      if byte == UInt8(ascii: "\"") {
        position += 1
        return
      }
      if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 {
        position = start
        _ = try parseString()
        return
      }
      position += 1
    }
    throw error(.jsonSyntax, "unterminated string", at: start)
  }
}
