/// GrowthBook's deterministic hashing and bucketing (SEMANTICS.md §4), in
/// float64 throughout, so a user lands in the same bucket as in GrowthBook's SDKs.
package enum Bucketing {
  /// FNV-1a, 32-bit, over the UTF-16 code units of `text`.
  package static func fnv32a(_ text: String) -> UInt32 {
    fnv32a(continuing: 0x811C_9DC5, text)
  }

  /// FNV-1a of the concatenation `a + b`, without building it.
  static func fnv32a(_ a: String, _ b: String) -> UInt32 {
    fnv32a(continuing: fnv32a(continuing: 0x811C_9DC5, a), b)
  }

  /// Continues FNV-1a from `hash` over the UTF-16 code units of `text`.
  ///
  /// An ASCII byte is its own code unit, so ASCII text is hashed from its UTF-8.
  @inline(__always)
  static func fnv32a(continuing hash: UInt32, _ text: String) -> UInt32 {
    let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> UInt32? in
      guard let base = bytes.baseAddress else { return hash }
      return fnv32a(continuing: hash, ascii: base, bytes.count)
    }
    if let ascii, let ascii { return ascii }
    var hash = hash
    for unit in text.utf16 {
      hash ^= UInt32(unit)
      hash = hash &* 0x0100_0193
    }
    return hash
  }

  /// Hash version 2 without building any string: the inner hash's decimal
  /// digits are hashed as they are produced.
  static func hashV2(seed: String, value: String) -> Double {
    hashV2(inner: fnv32a(seed, value))
  }

  /// Continues FNV-1a from `hash` over `count` bytes of ASCII (each its own
  /// UTF-16 code unit), or returns `nil` at the first byte that is not ASCII.
  @inline(__always)
  static func fnv32a(
    continuing hash: UInt32,
    ascii bytes: UnsafePointer<UInt8>,
    _ count: Int
  ) -> UInt32? {
    var hash = hash
    for index in 0..<count {
      let byte = bytes[index]
      guard byte < 0x80 else { return nil }
      hash = (hash ^ UInt32(byte)) &* 0x0100_0193
    }
    return hash
  }

  /// Hash version 2 from its inner hash, `fnv32a(seed + value)`.
  static func hashV2(inner: UInt32) -> Double {
    var inner = inner
    // Up to 10 decimal digits, most significant first.
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    )
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      repeat {
        buffer[count] = UInt8(inner % 10)
        inner /= 10
        count += 1
      } while inner > 0
      var hash: UInt32 = 0x811C_9DC5
      for index in stride(from: count - 1, through: 0, by: -1) {
        hash ^= UInt32(buffer[index]) + 48
        hash = hash &* 0x0100_0193
      }
      inner = hash
    }
    return Double(inner % 10000) / 10000
  }

  /// GrowthBook's `hash(seed, value, version)`: a number in [0, 1), or `nil` for an unknown version.
  ///
  /// Version 1 is `fnv32a(value + seed) % 1000 / 1000`; version 2 is
  /// `fnv32a(decimal(fnv32a(seed + value))) % 10000 / 10000`.
  package static func hash(seed: String, value: String, version: Int) -> Double? {
    switch version {
    case 1:
      return Double(fnv32a(value, seed) % 1000) / 1000
    case 2:
      return hashV2(seed: seed, value: value)
    default:
      return nil
    }
  }

  /// `n` copies of `1/n`, or `[]` when `n ≤ 0`.
  package static func equalWeights(_ count: Int) -> [Double] {
    count <= 0 ? [] : Array(repeating: 1 / Double(count), count: count)
  }

  /// GrowthBook's `getBucketRanges(n, coverage, weights)`.
  ///
  /// Coverage is clamped to [0, 1]. Weights that are missing, of the wrong
  /// length, or summing outside [0.99, 1.01] are replaced by equal weights.
  /// Range `i` starts at the sum of the earlier weights and spans `coverage × wᵢ`.
  package static func bucketRanges(
    count: Int,
    coverage: Double = 1,
    weights: [Double]? = nil
  )
    -> [BucketRange]
  {
    let clamped = coverage < 0 ? 0 : (coverage > 1 ? 1 : coverage)
    let equal = equalWeights(count)
    var chosen = weights ?? equal
    if chosen.count != count { chosen = equal }
    let total = chosen.reduce(0, +)
    if total < 0.99 || total > 1.01 { chosen = equal }
    var cumulative = 0.0
    return chosen.map { weight in
      let start = cumulative
      cumulative += weight
      return BucketRange(start: start, end: start + clamped * weight)
    }
  }

  /// GrowthBook's `chooseVariation(n, ranges)`: the first range with `start ≤ n < end`, or -1.
  package static func chooseVariation(_ n: Double, ranges: [BucketRange]) -> Int {
    for (index, range) in ranges.enumerated() where n >= range.start && n < range.end {
      return index
    }
    return -1
  }

  /// GrowthBook's `inNamespace(userId, [namespace, start, end])`.
  package static func inNamespace(
    _ id: String,
    namespace: String,
    start: Double,
    end: Double
  ) -> Bool {
    guard let n = hash(seed: "__" + namespace, value: id, version: 1) else { return false }
    return n >= start && n < end
  }

  /// The string GrowthBook hashes for an attribute value, or `nil` when the value
  /// is falsy (missing, null, `""`, 0, `false`): such a user is in no bucket.
  package static func hashInput(_ value: JSONValue) -> String? {
    guard JavaScript.isTruthy(value) else { return nil }
    return JavaScript.toString(value)
  }
}

/// A half-open range `[start, end)` of bucket numbers.
package struct BucketRange: Hashable, Sendable {
  /// The first bucket number in the range.
  package var start: Double
  /// The first bucket number past the range.
  package var end: Double

  /// Creates a range.
  package init(start: Double, end: Double) {
    self.start = start
    self.end = end
  }
}
