/// An immutable open-addressing hash table from byte strings to small integers,
/// looked up with raw UTF-8 bytes, so reading a profile never builds a `String`
/// just to find out whether a rule cares about it.
struct ByteTable: Sendable {
  private var slots: [Int32]  // index into entries, or -1
  private var entryHashes: [UInt32] = []
  private var entryStarts: [Int32] = []
  private var entryLengths: [Int32] = []
  private var entryValues: [Int32] = []
  private var bytes: [UInt8] = []
  private let mask: Int

  /// Builds a table from (key, value) pairs; a repeated key keeps its first value.
  init(_ pairs: [(String, Int32)]) {
    var capacity = 8
    while capacity < pairs.count * 2 { capacity *= 2 }
    mask = capacity - 1
    slots = Array(repeating: -1, count: capacity)
    for (key, value) in pairs {
      var copy = key
      let found = copy.withUTF8 { lookup($0) }
      if found != nil { continue }
      let hash = copy.withUTF8 { ByteTable.hash($0) }
      entryHashes.append(hash)
      entryStarts.append(Int32(bytes.count))
      entryLengths.append(Int32(key.utf8.count))
      entryValues.append(value)
      bytes.append(contentsOf: key.utf8)
      var position = Int(hash) & mask
      while slots[position] >= 0 { position = (position + 1) & mask }
      slots[position] = Int32(entryValues.count - 1)
    }
  }

  /// FNV-1a over the bytes.
  @inline(__always)
  static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5
    for byte in key {
      hash ^= UInt32(byte)
      hash = hash &* 0x0100_0193
    }
    return hash
  }

  /// Whether the table is empty.
  var isEmpty: Bool { entryValues.isEmpty }

  /// The value stored for `key`, or `nil`.
  func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    guard !entryValues.isEmpty else { return nil }
    let hash = ByteTable.hash(key)
    var position = Int(hash) & mask
    while true {
      let entry = Int(slots[position])
      if entry < 0 { return nil }
      if entryHashes[entry] == hash && Int(entryLengths[entry]) == key.count {
        let start = Int(entryStarts[entry])
        var equal = true
        for index in 0..<key.count where bytes[start + index] != key[index] {
          equal = false
          break
        }
        if equal { return entryValues[entry] }
      }
      position = (position + 1) & mask
    }
  }

  /// The value stored for `key`, or `nil`.
  func lookup(_ key: String) -> Int32? {
    var copy = key
    return copy.withUTF8 { lookup($0) }
  }
}
