/// A key the fast reader met at one position of the reading order: the next
/// profile is checked against it with two word compares before any hashing.
struct KeyGuess {
  /// Keys of up to this many bytes are guessed.
  static let maxLength = 16
  /// Guesses are kept for this many keys of a profile.
  static let capacity = 64

  /// The key's bytes as two little-endian words, and masks of its length.
  var word0: UInt64 = 0
  var word1: UInt64 = 0
  var mask0: UInt64 = 0
  var mask1: UInt64 = 0
  var length: Int32 = -1
  /// The trie node whose object held the key, and the child it leads to (-1: skipped).
  var node: Int32 = -1
  var child: Int32 = -1
}

/// The profile reader's fast path: one tight pass over the common shape of a
/// profile — keys and strings without escapes (ASCII or well-formed UTF-8),
/// numbers, literals, nested objects on attribute paths, arrays of strings for
/// `$in` — with the byte toolkit (``JSONBytes``).
///
/// It works on raw pointers with no `throws`, no JSON values for skipped
/// fields and no reference counting. Anything else — escapes, ill-formed
/// UTF-8, deep nesting, any error — makes it give up (-1), and the full reader
/// reads the text again from the start, so answers and errors are the full
/// reader's in every case.
///
/// Keys are first checked against the key met at the same place of the
/// previous profile read into the same storage (``KeyGuess``): a stream whose
/// profiles list their fields in one order looks no key up by hashing.
struct ProfileFastReader {
  let base: UnsafePointer<UInt8>
  let count: Int
  let maxDepth: Int
  unowned(unsafe) let layout: ProfileLayout
  /// Unmanaged: the caller keeps the storage alive, and calls on it then cost no reference count.
  let storage: Unmanaged<PreparedProfile.Storage>
  let nodes: UnsafeMutablePointer<ProfileLayout.Node>
  let exact: UnsafeMutablePointer<Int32>
  let subtree: UnsafeMutablePointer<Int32>
  let slotTable: UnsafeMutablePointer<Int32>
  let slotFlags: UnsafeMutablePointer<UInt8>
  let summaries: UnsafeMutablePointer<PreparedProfile.Summary>
  let values: UnsafeMutablePointer<JSONValue>
  let versions: UnsafeMutablePointer<String>
  let pending: UnsafeMutablePointer<Int64>
  let tables: ProfileLayout.Tables
  let guesses: UnsafeMutablePointer<KeyGuess>

  /// Nesting past this is left to the full reader, which keeps its own stack.
  static let depthLimit = 32

  // swift-format-ignore: NeverForceUnwrap
  // The text holds the object's `{`, and every layout buffer is allocated with room for one element at least, so all have base addresses.
  init(
    _ text: UnsafeBufferPointer<UInt8>,
    maxDepth: Int,
    layout: ProfileLayout,
    storage: PreparedProfile.Storage
  ) {
    base = text.baseAddress!
    count = text.count
    self.maxDepth = min(maxDepth, ProfileFastReader.depthLimit)
    self.layout = layout
    self.storage = Unmanaged.passUnretained(storage)
    // Every layout buffer is allocated with room for at least one element.
    nodes = layout.nodes.baseAddress!
    exact = layout.exact.baseAddress!
    subtree = layout.subtree.baseAddress!
    slotTable = layout.slotTable.baseAddress!
    slotFlags = layout.slotFlags.baseAddress!
    summaries = storage.summaries
    values = storage.values
    versions = storage.paddedVersions
    pending = storage.pending
    tables = ProfileLayout.Tables(layout)
    guesses = storage.keyGuesses
  }

  /// Stores a null, Boolean or number value: without a release while every
  /// value is trivial (``PreparedProfile/Storage/valuesMayOwnMemory`` is false;
  /// a container read on the way, ``container(_:first:last:depth:)``, sets it).
  @inline(__always)
  func store(_ value: JSONValue, at slot: Int) {
    if !storage._withUnsafeGuaranteedRef({ $0.valuesMayOwnMemory }) {
      (values + slot).initialize(to: value)
    } else {
      values[slot] = value
    }
  }

  @inline(__always)
  func skipSpace(_ position: Int) -> Int { JSONBytes.skipWhitespace(base, position, count) }

  /// Validates the value at `position` without reading it; the offset past it, or -1.
  @inline(__always)
  func skip(_ position: Int, depth: Int) -> Int {
    JSONBytes.skipValue(base, position, count, depth: depth, maxDepth: maxDepth)
  }

  /// Reads the object whose `{` is at `position` into the slots under trie
  /// `node`; the offset past its `}`, or -1.
  func object(_ position: Int, node: Int, depth: Int) -> Int {
    var ordinal = 0
    return object(position, node: node, depth: depth, ordinal: &ordinal)
  }

  /// ``object(_:node:depth:)``, numbering keys in reading order from `ordinal`
  /// for the key guesses.
  func object(_ position: Int, node: Int, depth: Int, ordinal: inout Int) -> Int {
    if depth > maxDepth { return -1 }
    let table = nodes[node].table
    var position = skipSpace(position + 1)
    if position < count && base[position] == UInt8(ascii: "}") { return position + 1 }
    while true {
      guard position < count, base[position] == UInt8(ascii: "\"") else { return -1 }
      let child: Int32
      let end: Int
      // Keys past the guess capacity are always scanned and looked up.
      let guess = ordinal < KeyGuess.capacity ? guesses + ordinal : nil
      ordinal &+= 1
      if let guess, let known = self.guess(guess.pointee, position, node: node) {
        child = known
        end = position &+ 1 &+ Int(guess.pointee.length)
      } else {
        var print = KeyPrint()
        guard let scanned = PlainString.scan(base, position, count, print: &print) else {
          return -1
        }
        end = scanned
        child =
          table >= 0 ? tables.lookup(table, print, base + position + 1, end - position - 1) : -1
        if let guess { remember(guess, position, end, node: node, child: child) }
      }
      position = skipSpace(end + 1)
      guard position < count, base[position] == UInt8(ascii: ":") else { return -1 }
      position = skipSpace(position + 1)
      guard position < count else { return -1 }
      position =
        child >= 0
        ? value(position, node: Int(child), depth: depth, ordinal: &ordinal)
        : skip(position, depth: depth)
      guard position >= 0 else { return -1 }
      position = skipSpace(position)
      guard position < count else { return -1 }
      let byte = base[position]
      if byte == UInt8(ascii: "}") { return position + 1 }
      guard byte == UInt8(ascii: ",") else { return -1 }
      position = skipSpace(position + 1)
    }
  }

  /// The child of `node` for the key whose quote is at `position`, when the
  /// key is the guessed one: the same node, the same bytes, then a quote.
  @inline(__always)
  func guess(_ guess: KeyGuess, _ position: Int, node: Int) -> Int32? {
    guard guess.node == node, position &+ 2 &+ KeyGuess.maxLength <= count else { return nil }
    let word0 = UnsafeRawPointer(base + position + 1).loadUnaligned(as: UInt64.self)
    let word1 = UnsafeRawPointer(base + position + 9).loadUnaligned(as: UInt64.self)
    guard word0 & guess.mask0 == guess.word0, word1 & guess.mask1 == guess.word1,
      base[position &+ 1 &+ Int(guess.length)] == UInt8(ascii: "\"")
    else { return nil }
    return guess.child
  }

  /// Keeps the plain key between the quotes at `position` and `end` as the guess for its place.
  @inline(__always)
  func remember(
    _ guess: UnsafeMutablePointer<KeyGuess>,
    _ position: Int,
    _ end: Int,
    node: Int,
    child: Int32
  ) {
    let length = end - position - 1
    // Only where ``guess(_:_:node:)`` could check it.
    guard length <= KeyGuess.maxLength, position &+ 2 &+ KeyGuess.maxLength <= count else {
      guess.pointee.node = -1
      return
    }
    let mask0: UInt64 = length >= 8 ? ~0 : (1 << UInt64(length * 8)) &- 1
    let mask1: UInt64 = length >= 16 ? ~0 : length <= 8 ? 0 : (1 << UInt64((length - 8) * 8)) &- 1
    guess.pointee = KeyGuess(
      word0: UnsafeRawPointer(base + position + 1).loadUnaligned(as: UInt64.self) & mask0,
      word1: UnsafeRawPointer(base + position + 9).loadUnaligned(as: UInt64.self) & mask1,
      mask0: mask0,
      mask1: mask1,
      length: Int32(length),
      node: Int32(node),
      child: child
    )
  }

  /// Reads the value at `position` for trie `node`; the offset past it, or -1.
  @inline(__always)
  func value(_ position: Int, node: Int, depth: Int, ordinal: inout Int) -> Int {
    let record = nodes[node]
    if record.table >= 0 {
      return nested(position, record, node: node, depth: depth, ordinal: &ordinal)
    }
    return scalar(position, record, depth: depth)
  }

  /// Reads the value at `position` for a trie node with deeper paths.
  @inline(never)
  func nested(
    _ position: Int,
    _ record: ProfileLayout.Node,
    node: Int,
    depth: Int,
    ordinal: inout Int
  ) -> Int {
    // Deeper paths: descend into an object; anything else needs the value itself.
    guard record.exactCount == 0, base[position] == UInt8(ascii: "{") else { return -1 }
    for index in Int(record.subtreeStart)..<Int(record.subtreeStart + record.subtreeCount) {
      let slot = Int(subtree[index])
      summaries[slot] = PreparedProfile.Summary(kind: .null, key: -1, number: 0)
      store(.null, at: slot)
      pending[slot] = -1
      if slotFlags[slot] & ProfileLayout.isVersion != 0 { versions[slot] = Version.paddedNull }
    }
    return object(position, node: node, depth: depth + 1, ordinal: &ordinal)
  }

  /// Reads the value at `position` for a trie node where paths end.
  @inline(__always)
  func scalar(_ position: Int, _ record: ProfileLayout.Node, depth: Int) -> Int {
    let byte = base[position]
    let first = Int(record.exactStart)
    let last = first + Int(record.exactCount)
    switch byte {
    case UInt8(ascii: "\""):
      var print = KeyPrint()
      guard let end = PlainString.scan(base, position, count, print: &print) else { return -1 }
      let text = base + position + 1
      let length = end - position - 1
      var kept: Int64 = -1
      for index in first..<last {
        let slot = Int(exact[index])
        let table = slotTable[slot]
        store(.null, at: slot)
        if slotFlags[slot] & ProfileLayout.needsString != 0 {
          // Built by the evaluator only if a test reads it.
          if kept < 0 { kept = storage._withUnsafeGuaranteedRef { $0.keep(text, length) } }
          pending[slot] = kept
        } else {
          pending[slot] = -1
        }
        let key = table >= 0 ? tables.lookup(table, print, text, length) : -1
        // A date-time's instant is parsed once here, not per decision.
        let instant =
          slotFlags[slot] & ProfileLayout.isTime != 0
          ? DateTime.parse(bytes: UnsafeBufferPointer(start: text, count: length)) ?? .nan : 0
        summaries[slot] = PreparedProfile.Summary(kind: .string, key: key, number: instant)
      }
      return end + 1
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      var number = 0.0
      let end = JSONBytes.number(base, position, count, &number)
      guard end >= 0 else { return -1 }
      for index in first..<last {
        let slot = Int(exact[index])
        store(.number(number), at: slot)
        pending[slot] = -1
        summaries[slot] = PreparedProfile.Summary(kind: .number, key: -1, number: number)
        if slotFlags[slot] & ProfileLayout.isVersion != 0 {
          versions[slot] = Version.padded(.number(number))
        }
      }
      return end
    case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
      let end = JSONBytes.literal(base, position, count)
      guard end >= 0 else { return -1 }
      let value: JSONValue = byte == UInt8(ascii: "n") ? .null : .bool(byte == UInt8(ascii: "t"))
      let summary =
        byte == UInt8(ascii: "n")
        ? PreparedProfile.Summary(kind: .null, key: -1, number: 0)
        : PreparedProfile.Summary(kind: .bool, key: -1, number: byte == UInt8(ascii: "t") ? 1 : 0)
      for index in first..<last {
        let slot = Int(exact[index])
        store(value, at: slot)
        pending[slot] = -1
        summaries[slot] = summary
        if slotFlags[slot] & ProfileLayout.isVersion != 0 { versions[slot] = Version.padded(value) }
      }
      return end
    case UInt8(ascii: "[")
    where last - first == 1 && slotFlags[Int(exact[first])] & ProfileLayout.keysOnly != 0:
      return keyArray(position, slot: Int(exact[first]), depth: depth)
    case UInt8(ascii: "["), UInt8(ascii: "{"):
      return container(position, first: first, last: last, depth: depth)
    default:
      return -1
    }
  }

  /// Reads an array or object that slots want whole (for `$size`, `$all`,
  /// `$elemMatch` and the like) with the JSON reader, and goes on from its end.
  @inline(never)
  func container(_ position: Int, first: Int, last: Int, depth: Int) -> Int {
    var scanner = Scanner(
      bytes: UnsafeBufferPointer(start: base, count: count),
      maxDepth: maxDepth,
      reportDuplicates: false
    )
    scanner.tracksPath = false
    scanner.position = position
    guard let value = try? scanner.parseValue(depth: depth) else { return -1 }
    storage._withUnsafeGuaranteedRef { $0.valuesMayOwnMemory = true }
    let summary = PreparedProfile.Summary(
      kind: value.objectValue != nil ? .object : .array,
      key: -1,
      number: 0
    )
    for index in first..<last {
      let slot = Int(exact[index])
      values[slot] = value
      pending[slot] = -1
      summaries[slot] = summary
      if slotFlags[slot] & ProfileLayout.isVersion != 0 { versions[slot] = Version.padded(value) }
    }
    return scanner.position
  }

  /// Reads an array for a ``ProfileLayout/keysOnly`` slot as the key ids of its string elements.
  func keyArray(_ position: Int, slot: Int, depth: Int) -> Int {
    if depth + 1 > maxDepth { return -1 }
    let table = slotTable[slot]
    let first = storage._withUnsafeGuaranteedRef { $0.arrayKeyCount }
    var position = skipSpace(position + 1)
    if position < count && base[position] == UInt8(ascii: "]") {
      position += 1
    } else {
      while true {
        guard position < count else { return -1 }
        if base[position] == UInt8(ascii: "\"") {
          var print = KeyPrint()
          guard let end = PlainString.scan(base, position, count, print: &print) else { return -1 }
          let key =
            table >= 0 ? tables.lookup(table, print, base + position + 1, end - position - 1) : -1
          if key >= 0 { storage._withUnsafeGuaranteedRef { $0.appendArrayKey(key) } }
          position = end + 1
        } else {
          position = skip(position, depth: depth + 1)
          guard position >= 0 else { return -1 }
        }
        position = skipSpace(position)
        guard position < count else { return -1 }
        let byte = base[position]
        if byte == UInt8(ascii: "]") {
          position += 1
          break
        }
        guard byte == UInt8(ascii: ",") else { return -1 }
        position = skipSpace(position + 1)
      }
    }
    store(.null, at: slot)
    pending[slot] = -1
    summaries[slot] = PreparedProfile.Summary(
      kind: .keyArray,
      key: Int32(first),
      number: Double(storage._withUnsafeGuaranteedRef { $0.arrayKeyCount } - first)
    )
    return position
  }
}
