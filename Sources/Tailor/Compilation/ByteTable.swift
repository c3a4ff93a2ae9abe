#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An immutable open-addressing hash table from byte strings to small integers,
/// looked up with raw UTF-8 bytes, so reading a profile never builds a `String`
/// just to find out whether a rule cares about it.
///
/// A class, so that reading one out of an array costs one reference count, not five.
final class ByteTable: Sendable {
  private let slots: [Int32]  // index into entries, or -1
  private let entryHashes: [UInt32]
  private let entryStarts: [Int32]
  private let entryLengths: [Int32]
  private let entryValues: [Int32]
  private let bytes: [UInt8]
  private let mask: Int

  /// Builds a table from (key, value) pairs; a repeated key keeps its first value.
  init(_ pairs: [(String, Int32)]) {
    var capacity = 8
    while capacity < pairs.count * 2 { capacity *= 2 }
    let mask = capacity - 1
    var slots = [Int32](repeating: -1, count: capacity)
    var entryHashes: [UInt32] = []
    var entryStarts: [Int32] = []
    var entryLengths: [Int32] = []
    var entryValues: [Int32] = []
    var bytes: [UInt8] = []
    var seen: Set<ByteString> = []
    for (key, value) in pairs where seen.insert(ByteString(key)).inserted {
      var copy = key
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
    self.mask = mask
    self.slots = slots
    self.entryHashes = entryHashes
    self.entryStarts = entryStarts
    self.entryLengths = entryLengths
    self.entryValues = entryValues
    self.bytes = bytes
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
    return slots.withUnsafeBufferPointer { slots in
      entryHashes.withUnsafeBufferPointer { hashes in
        entryLengths.withUnsafeBufferPointer { lengths in
          bytes.withUnsafeBufferPointer { bytes in
            var position = Int(hash) & mask
            while true {
              let entry = Int(slots[position])
              if entry < 0 { return nil }
              if hashes[entry] == hash && Int(lengths[entry]) == key.count {
                let start = Int(entryStarts[entry])
                if key.count == 0 || memcmp(bytes.baseAddress! + start, key.baseAddress!, key.count) == 0 {
                  return entryValues[entry]
                }
              }
              position = (position + 1) & mask
            }
          }
        }
      }
    }
  }

  /// The value stored for `key`, or `nil`.
  func lookup(_ key: String) -> Int32? {
    var copy = key
    return copy.withUTF8 { lookup($0) }
  }
}
