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
public struct PreparedProfile: @unchecked Sendable {
  // @unchecked: the storage is written only while it is uniquely referenced
  // (when created, or by `Rules.prepare(json:into:)` after a uniqueness check).
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

  /// Slot storage: plain memory, written without copy-on-write checks per slot.
  final class Storage {
    let count: Int
    let summaries: UnsafeMutablePointer<Summary>
    let values: UnsafeMutablePointer<JSONValue>
    /// Padded version strings of the slots version comparisons read (others empty).
    let paddedVersions: UnsafeMutablePointer<String>

    init(count: Int) {
      self.count = count
      summaries = .allocate(capacity: max(count, 1))
      summaries.initialize(repeating: Summary(kind: .null, key: -1, number: 0), count: max(count, 1))
      values = .allocate(capacity: max(count, 1))
      values.initialize(repeating: .null, count: max(count, 1))
      paddedVersions = .allocate(capacity: max(count, 1))
      paddedVersions.initialize(repeating: "", count: max(count, 1))
    }

    deinit {
      summaries.deallocate()
      values.deinitialize(count: max(count, 1))
      values.deallocate()
      paddedVersions.deinitialize(count: max(count, 1))
      paddedVersions.deallocate()
    }
  }

  let layout: ObjectIdentifier
  private(set) var storage: Storage

  private var summaries: UnsafeMutablePointer<Summary> { storage.summaries }
  private var values: UnsafeMutablePointer<JSONValue> { storage.values }

  init(_ flat: FlatRules) {
    layout = ObjectIdentifier(flat)
    storage = Storage(count: flat.slotPaths.count)
    resetVersions(flat)
  }

  /// Missing attributes read as null, whose padded version is "0".
  private func resetVersions(_ flat: FlatRules) {
    guard !flat.paddedOperands.isEmpty else { return }
    let zero = Version.padded(.null)
    for slot in 0..<flat.slotPaths.count where flat.isVersionSlot[slot] {
      storage.paddedVersions[slot] = zero
    }
  }

  /// Clears every slot for reuse, taking fresh storage if the current one is shared.
  mutating func reset(_ flat: FlatRules) {
    guard isKnownUniquelyReferenced(&storage) else {
      storage = Storage(count: flat.slotPaths.count)
      resetVersions(flat)
      return
    }
    for slot in 0..<storage.count {
      summaries[slot] = Summary(kind: .null, key: -1, number: 0)
      values[slot] = .null
    }
    resetVersions(flat)
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
    try read(flat, json: bytes, maxDepth: maxDepth)
  }

  /// Reads a profile's JSON text into the (cleared) slots.
  mutating func read(_ flat: FlatRules, json bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int)
    throws(JSONReader.SyntaxError)
  {
    var scanner = Scanner(bytes: bytes, maxDepth: maxDepth, reportDuplicates: false)
    scanner.tracksPath = false
    scanner.skipWhitespace()
    guard scanner.position < bytes.count, bytes[scanner.position] == UInt8(ascii: "{") else {
      // Not an object: no attribute resolves. Still require valid JSON.
      _ = try scanner.parseValue(depth: 0)
      try scanner.expectEnd()
      return
    }
    try readObject(&scanner, node: 0, depth: 1, flat)
    try scanner.expectEnd()
  }

  /// Reads an object at a trie node: keys the rules use descend into their
  /// nodes, the others are validated and skipped.
  private mutating func readObject(_ scanner: inout Scanner, node: Int, depth: Int, _ flat: FlatRules)
    throws(JSONReader.SyntaxError)
  {
    if depth > scanner.maxDepth {
      throw scanner.error(.tooDeep, "arrays and objects nest deeper than \(scanner.maxDepth) levels")
    }
    let bytes = scanner.bytes
    let children = flat.pathTrie[node].children
    scanner.position += 1
    scanner.skipWhitespace()
    if scanner.position < bytes.count && bytes[scanner.position] == UInt8(ascii: "}") {
      scanner.position += 1
      return
    }
    while true {
      scanner.skipWhitespace()
      guard scanner.position < bytes.count, bytes[scanner.position] == UInt8(ascii: "\"") else {
        throw scanner.error(.jsonSyntax, "expected a string key, found \(scanner.describeCurrent())")
      }
      // Plain keys are looked up by their raw bytes; keys with escapes are decoded first.
      let keyStart = scanner.position + 1
      var child: Int32?
      if let keyEnd = scanner.plainStringEnd() {
        child = children.lookup(UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
        scanner.position = keyEnd + 1
      } else {
        child = children.lookup(try scanner.parseString())
      }
      scanner.skipWhitespace()
      guard scanner.position < bytes.count, bytes[scanner.position] == UInt8(ascii: ":") else {
        throw scanner.error(.jsonSyntax, "expected `:` after the key, found \(scanner.describeCurrent())")
      }
      scanner.position += 1
      scanner.skipWhitespace()
      if let child {
        try readValue(&scanner, node: Int(child), depth: depth, flat)
      } else {
        try scanner.skipValue(depth: depth)
      }
      scanner.skipWhitespace()
      guard scanner.position < bytes.count else {
        throw scanner.error(.jsonSyntax, "expected `,` or `}`, found end of input")
      }
      let byte = bytes[scanner.position]
      scanner.position += 1
      if byte == UInt8(ascii: "}") { return }
      guard byte == UInt8(ascii: ",") else {
        scanner.position -= 1
        throw scanner.error(.jsonSyntax, "expected `,` or `}`, found \(scanner.describeCurrent())")
      }
      scanner.skipWhitespace()
      if scanner.position < bytes.count && bytes[scanner.position] == UInt8(ascii: "}") {
        throw scanner.error(.jsonSyntax, "trailing comma before `}`")
      }
    }
  }

  /// Reads the value of a key the rules use into the slots at and below its node.
  private mutating func readValue(_ scanner: inout Scanner, node: Int, depth: Int, _ flat: FlatRules)
    throws(JSONReader.SyntaxError)
  {
    guard scanner.position < scanner.bytes.count else {
      throw scanner.error(.jsonSyntax, "expected a value, found end of input")
    }
    let trieNode = flat.pathTrie[node]
    if trieNode.isLeaf, try readScalar(&scanner, trieNode.exact, flat) { return }
    if trieNode.exact.isEmpty, scanner.bytes[scanner.position] == UInt8(ascii: "{") {
      // Only deeper paths: descend without building the object. A repeated key
      // replaces everything an earlier occurrence set.
      for index in trieNode.subtree.indices { set(Int(trieNode.subtree[index].slot), .null, flat) }
      try readObject(&scanner, node: node, depth: depth + 1, flat)
      return
    }
    let value = try scanner.parseValue(depth: depth)
    for index in trieNode.subtree.indices {
      let rest = trieNode.subtree[index].rest
      set(Int(trieNode.subtree[index].slot), rest.isEmpty ? value : ConditionEvaluator.resolve(rest, in: value), flat)
    }
  }

  /// Reads a string, number, Boolean or null value into `slots` without building
  /// a `JSONValue` unless a slot needs the value itself; `false` (and nothing
  /// consumed) for arrays, objects and strings with escapes or non-ASCII bytes.
  private mutating func readScalar(_ scanner: inout Scanner, _ slots: [Int32], _ flat: FlatRules)
    throws(JSONReader.SyntaxError) -> Bool
  {
    let bytes = scanner.bytes
    switch bytes[scanner.position] {
    case UInt8(ascii: "\""):
      guard let end = scanner.plainStringEnd() else { return false }
      let text = UnsafeBufferPointer(rebasing: bytes[scanner.position + 1..<end])
      scanner.position = end + 1
      var string: String?
      for index in slots.indices {
        let slot = Int(slots[index])
        if flat.needsStringValue[slot] {
          let value = string ?? String(decoding: text, as: UTF8.self)
          string = value
          set(slot, .string(value), flat)
        } else {
          let keys = flat.slotKeyTables[slot]
          values[slot] = .null
          summaries[slot] = Summary(kind: .string, key: keys.isEmpty ? -1 : (keys.lookup(text) ?? -1), number: 0)
        }
      }
      return true
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      // Numbers cost nothing to keep as values, which the general tests read.
      let number = try scanner.parseNumber()
      for slot in slots { set(Int(slot), .number(number), flat) }
      return true
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      return false
    default:
      let value = try scanner.parseValue(depth: 1)
      for slot in slots { set(Int(slot), value, flat) }
      return true
    }
  }

  private mutating func set(_ slot: Int, _ value: JSONValue, _ flat: FlatRules) {
    values[slot] = value
    if flat.isVersionSlot[slot] { storage.paddedVersions[slot] = Version.padded(value) }
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
