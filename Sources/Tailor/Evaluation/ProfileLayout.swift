/// What reading a profile needs to know about one document, in plain memory:
/// the attribute-path trie, every byte-keyed table (trie children and each
/// slot's switch keys) and per-slot flags.
///
/// Built once per document next to ``FlatRules``. The profile reader walks
/// these records with raw pointers, so reading a field costs no reference
/// counting; keys are hashed while they are scanned and looked up once.
final class ProfileLayout: @unchecked Sendable {
  // @unchecked: every buffer is written in `init` and only read afterwards.

  /// One trie node: a path prefix.
  struct Node {
    /// The table of child keys → node indices, or -1 when no deeper path exists.
    var table: Int32
    /// Slots whose path ends here: `exact[exactStart..<exactStart + exactCount]`.
    var exactStart: Int32
    var exactCount: Int32
    /// Every slot at or below this node: `subtree[subtreeStart..<subtreeStart + subtreeCount]`.
    var subtreeStart: Int32
    var subtreeCount: Int32
  }

  /// One open-addressing table: `probes[start...start + mask]`; an empty probe has length -1.
  struct Table {
    var start: Int32
    var mask: Int32
  }

  /// A key: its fingerprint (``fingerprint(_:)``), its bytes in `keyBytes` and the value it maps to.
  struct Entry {
    var hash: UInt32
    var start: Int32
    var length: Int32
    var value: Int32
    var tail: UInt64
  }

  /// Slot flags.
  static let needsString: UInt8 = 1
  static let isVersion: UInt8 = 2
  /// Only `$eq`, `$in` and `$nin` with strings read the slot, so an array value
  /// can be kept as the key ids of its string elements.
  static let keysOnly: UInt8 = 4
  /// A test reads the slot's string as a date-time: its instant is parsed once, when the
  /// profile is read, into the summary's `number` (NaN when it is not one).
  static let isTime: UInt8 = 8

  let nodes: UnsafeMutableBufferPointer<Node>
  let exact: UnsafeMutableBufferPointer<Int32>
  let subtree: UnsafeMutableBufferPointer<Int32>
  let tables: UnsafeMutableBufferPointer<Table>
  let probes: UnsafeMutableBufferPointer<Entry>
  let keyBytes: UnsafeMutableBufferPointer<UInt8>
  /// Per slot: the table of its switch keys, or -1.
  let slotTable: UnsafeMutableBufferPointer<Int32>
  /// Per slot: ``needsString``, ``isVersion``, ``keysOnly`` and ``isTime`` bits.
  let slotFlags: UnsafeMutableBufferPointer<UInt8>
  /// The slots with the ``isVersion`` bit.
  let versionSlots: UnsafeMutableBufferPointer<Int32>

  /// - Parameters:
  ///   - children: per trie node, its child keys and node indices.
  ///   - exact: per trie node, the slots whose path ends there.
  ///   - subtree: per trie node, the slots at or below it.
  ///   - slotKeys: per slot, its switch keys and key ids.
  ///   - flags: per slot, ``needsString`` and ``isVersion`` bits.
  init(
    children: [[(String, Int32)]],
    exact: [[Int32]],
    subtree: [[Int32]],
    slotKeys: [[(String, Int32)]],
    flags: [UInt8]
  ) {
    var tables: [Table] = []
    var probes: [Entry] = []
    var keyBytes: [UInt8] = []
    func addTable(_ pairs: [(String, Int32)]) -> Int32 {
      guard !pairs.isEmpty else { return -1 }
      var capacity = 4
      while capacity < pairs.count * 2 { capacity *= 2 }
      let start = probes.count
      probes.append(
        contentsOf: repeatElement(
          Entry(hash: 0, start: 0, length: -1, value: -1, tail: 0),
          count: capacity
        )
      )
      var seen: Set<ByteString> = []
      for (key, value) in pairs where seen.insert(ByteString(key)).inserted {
        let bytes = Array(key.utf8)
        let print = bytes.withUnsafeBufferPointer { ProfileLayout.fingerprint($0) }
        var position = Int(print.hash) & (capacity - 1)
        while probes[start + position].length >= 0 { position = (position + 1) & (capacity - 1) }
        probes[start + position] = Entry(
          hash: print.hash,
          start: Int32(keyBytes.count),
          length: Int32(bytes.count),
          value: value,
          tail: print.tail
        )
        keyBytes.append(contentsOf: bytes)
      }
      tables.append(Table(start: Int32(start), mask: Int32(capacity - 1)))
      return Int32(tables.count - 1)
    }
    var nodes: [Node] = []
    var exactSlots: [Int32] = []
    var subtreeSlots: [Int32] = []
    for index in children.indices {
      nodes.append(
        Node(
          table: addTable(children[index]),
          exactStart: Int32(exactSlots.count),
          exactCount: Int32(exact[index].count),
          subtreeStart: Int32(subtreeSlots.count),
          subtreeCount: Int32(subtree[index].count)
        )
      )
      exactSlots.append(contentsOf: exact[index])
      subtreeSlots.append(contentsOf: subtree[index])
    }
    let slotTable = slotKeys.map(addTable)

    self.nodes = frozen(nodes)
    self.exact = frozen(exactSlots)
    self.subtree = frozen(subtreeSlots)
    self.tables = frozen(tables)
    self.probes = frozen(probes)
    self.keyBytes = frozen(keyBytes)
    self.slotTable = frozen(slotTable)
    self.slotFlags = frozen(flags)
    self.versionSlots = frozen(
      flags.indices.filter { flags[$0] & ProfileLayout.isVersion != 0 }.map(Int32.init)
    )
  }

  deinit {
    nodes.baseAddress?.deallocate()
    exact.baseAddress?.deallocate()
    subtree.baseAddress?.deallocate()
    tables.baseAddress?.deallocate()
    probes.baseAddress?.deallocate()
    keyBytes.baseAddress?.deallocate()
    slotTable.baseAddress?.deallocate()
    slotFlags.baseAddress?.deallocate()
    versionSlots.baseAddress?.deallocate()
  }

  // swift-format-ignore: NeverForceUnwrap
  // Whole words are read only from a key of eight bytes or more, which has a base address.
  /// The fingerprint the reader computes while it scans a key.
  ///
  /// The bytes are taken eight at a time as little-endian words, the last
  /// partial word padded with zeros, so the reader hashes a string in the same
  /// loop that finds its end (``PlainString/scan(_:_:_:print:)``).
  static func fingerprint(_ key: UnsafeBufferPointer<UInt8>) -> KeyPrint {
    var hash = PlainString.seed
    var offset = 0
    while offset + 8 <= key.count {
      hash = PlainString.mix(
        hash,
        UnsafeRawPointer(key.baseAddress! + offset).loadUnaligned(as: UInt64.self)
      )
      offset += 8
    }
    var word: UInt64 = 0
    if offset < key.count {
      for index in offset..<key.count { word |= UInt64(key[index]) << (UInt64(index - offset) * 8) }
      hash = PlainString.mix(hash, word)
    }
    return KeyPrint(hash: PlainString.finish(hash), tail: word)
  }

  /// The value `table` holds for the key at `key` (`count` bytes, fingerprint `print`), or -1.
  @inline(__always)
  func lookup(_ table: Int32, _ print: KeyPrint, _ key: UnsafePointer<UInt8>, _ count: Int) -> Int32
  {
    Tables(self).lookup(table, print, key, count)
  }

  /// The tables as plain pointers, for loops that look up many keys.
  struct Tables {
    let tables: UnsafeMutablePointer<Table>
    let probes: UnsafeMutablePointer<Entry>
    let keyBytes: UnsafeMutablePointer<UInt8>

    // swift-format-ignore: NeverForceUnwrap
    // Every layout buffer is allocated with room for one element at least, so each has a base address.
    init(_ layout: ProfileLayout) {
      // Every buffer is allocated with room for at least one element.
      tables = layout.tables.baseAddress!
      probes = layout.probes.baseAddress!
      keyBytes = layout.keyBytes.baseAddress!
    }

    /// The value `table` holds for the key at `key` (`count` bytes, fingerprint `print`), or -1.
    @inline(__always)
    func lookup(
      _ table: Int32,
      _ print: KeyPrint,
      _ key: UnsafePointer<UInt8>,
      _ count: Int
    ) -> Int32 {
      let record = tables[Int(table)]
      let mask = Int(record.mask)
      let start = Int(record.start)
      var position = Int(print.hash) & mask
      while true {
        let candidate = probes[start &+ position]
        if candidate.length < 0 { return -1 }
        // The last partial word is compared as the fingerprint holds it; the
        // whole words before it, eight bytes at a time.
        if candidate.hash == print.hash && Int(candidate.length) == count
          && candidate.tail == print.tail
          && ProfileLayout.equalWords(keyBytes + Int(candidate.start), key, count)
        {
          return candidate.value
        }
        position = (position &+ 1) & mask
      }
    }
  }

  /// Whether the whole eight-byte words of `count` bytes at `a` and `b` are equal.
  @inline(__always)
  static func equalWords(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool
  {
    var offset = 0
    while offset &+ 8 <= count {
      if UnsafeRawPointer(a + offset).loadUnaligned(as: UInt64.self)
        != UnsafeRawPointer(b + offset).loadUnaligned(as: UInt64.self)
      {
        return false
      }
      offset &+= 8
    }
    return true
  }

  // swift-format-ignore: NeverForceUnwrap
  // `keyBytes` is allocated with room for one byte at least, so it has a base address.
  /// The value `table` holds for `key`, or -1.
  func lookup(_ table: Int32, _ key: String) -> Int32 {
    var copy = key
    return copy.withUTF8 { bytes in
      lookup(
        table,
        ProfileLayout.fingerprint(bytes),
        bytes.baseAddress ?? UnsafePointer(keyBytes.baseAddress!),
        bytes.count
      )
    }
  }
}

/// Copies an array into memory that lives until deallocated, with room for at
/// least one element, so the buffer's base address is never `nil`.
func frozen<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
  frozen(array, alignment: MemoryLayout<T>.alignment)
}

/// A copy of `array` in memory aligned to `alignment` bytes (at least `T`'s own), freed
/// with `deallocate()` like any other buffer.
func frozen<T>(_ array: [T], alignment: Int) -> UnsafeMutableBufferPointer<T> {
  let count = max(array.count, 1)
  let raw = UnsafeMutableRawPointer.allocate(
    byteCount: count * MemoryLayout<T>.stride,
    alignment: max(alignment, MemoryLayout<T>.alignment)
  )
  let typed = raw.bindMemory(to: T.self, capacity: count)
  let buffer = UnsafeMutableBufferPointer(start: typed, count: count)
  _ = buffer.initialize(from: array)
  return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
}
