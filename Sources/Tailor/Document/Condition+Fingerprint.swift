/// A cheap hash of a condition, for the tables that number a document's conjuncts.
///
/// Equal conditions have equal fingerprints (the fingerprint reads only what `==`
/// compares, and reads it the way `==` does: attribute paths, JSON values and patterns
/// by bytes, numbers with `0 == -0`, other strings through their own hash), so a
/// table keyed by fingerprint and condition finds the same entries as one keyed by
/// condition. It mixes integers instead of running a `Hasher` over every field of the
/// tree, which is most of the cost of interning tens of thousands of conjuncts.
struct ConditionFingerprint {
  private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  /// Mixes one word in.
  @inline(__always)
  mutating func add(_ word: UInt64) {
    value = (value ^ word) &* 0x9E37_79B9_7F4A_7C15
    value ^= value >> 29
  }

  /// Mixes in the UTF-8 bytes of a string compared by bytes.
  mutating func mix(bytesOf text: String) {
    var copy = text
    copy.withUTF8 { bytes in
      add(UInt64(bytes.count))
      guard let base = bytes.baseAddress else { return }
      // Eight bytes at a time, then the rest in one last word.
      let raw = UnsafeRawPointer(base)
      var offset = 0
      while offset + 8 <= bytes.count {
        add(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        offset += 8
      }
      var word: UInt64 = 0
      var shift: UInt64 = 0
      while offset < bytes.count {
        word |= UInt64(bytes[offset]) << shift
        shift += 8
        offset += 1
      }
      if shift > 0 { add(word) }
    }
  }

  /// Mixes in a string compared with `==` (canonical equivalence), through its own hash.
  mutating func mix(string text: String) { add(UInt64(bitPattern: Int64(text.hashValue))) }

  /// Mixes in a number, with `-0` as `0`.
  mutating func mix(number: Double) { add(number == 0 ? 0 : number.bitPattern) }

  mutating func mix(_ condition: Condition) {
    switch condition {
    case .and(let parts): mix(1, parts)
    case .or(let parts): mix(2, parts)
    case .nor(let parts): mix(3, parts)
    case .not(let inner):
      add(4)
      mix(inner)
    case .predicate(let predicate):
      add(5)
      mix(bytesOf: predicate.path.text)
      mix(predicate.test)
    case .segment(let name):
      add(6)
      mix(string: name)
    case .decision(let name, let variant):
      add(7)
      mix(string: name)
      mix(string: variant)
    case .constant(let value): add(value ? 9 : 8)
    }
  }

  private mutating func mix(_ tag: UInt64, _ parts: [Condition]) {
    add(tag)
    add(UInt64(parts.count))
    for part in parts { mix(part) }
  }

  mutating func mix(_ test: ValueTest) {
    switch test {
    case .literal(let value):
      add(11)
      mix(value)
    case .operators(let operators):
      add(12)
      add(UInt64(operators.count))
      for op in operators { mix(op) }
    }
  }

  mutating func mix(_ value: JSONValue) {
    switch value {
    case .null: add(21)
    case .bool(let flag): add(flag ? 23 : 22)
    case .number(let number):
      add(24)
      mix(number: number)
    case .string(let text):
      add(25)
      mix(bytesOf: text)
    case .array(let elements):
      add(26)
      mix(elements)
    case .object(let object):
      add(27)
      add(UInt64(object.count))
      for (key, entry) in object.pairs {
        mix(bytesOf: key)
        mix(entry)
      }
    }
  }

  private mutating func mix(_ values: [JSONValue]) {
    add(UInt64(values.count))
    for value in values { mix(value) }
  }

  // swift-format-ignore: FunctionBodyLength
  // One case per operator, as in the enum.
  mutating func mix(_ op: Operator) {
    switch op {
    case .eq(let value):
      add(31)
      mix(value)
    case .ne(let value):
      add(32)
      mix(value)
    case .compare(let relation, let value):
      switch relation {
      case .less: add(33)
      case .lessOrEqual: add(34)
      case .greater: add(35)
      case .greaterOrEqual: add(36)
      }
      mix(value)
    case .in(let values, let caseInsensitive):
      add(caseInsensitive ? 38 : 37)
      mix(values)
    case .nin(let values, let caseInsensitive):
      add(caseInsensitive ? 40 : 39)
      mix(values)
    case .inGroup(let name):
      add(41)
      mix(string: name)
    case .notInGroup(let name):
      add(42)
      mix(string: name)
    case .not(let test):
      add(43)
      mix(test)
    case .size(let test):
      add(44)
      mix(test)
    case .elemMatch(.value(let test)):
      add(45)
      mix(test)
    case .elemMatch(.condition(let condition)):
      add(46)
      mix(condition)
    case .all(let tests, let caseInsensitive):
      add(caseInsensitive ? 48 : 47)
      add(UInt64(tests.count))
      for test in tests { mix(test) }
    case .exists(let flag): add(flag ? 50 : 49)
    case .type(let name):
      add(51)
      mix(string: name)
    case .regex(let pattern):
      add(pattern.isCaseInsensitive ? 53 : 52)
      mix(bytesOf: pattern.source)
    case .version(let relation, _, let original):
      // The padded operand is made from the original one: equal originals suffice.
      add(54)
      mix(string: relation.rawValue)
      mix(original)
    case .startsWith(let prefix):
      add(55)
      mix(string: prefix)
    case .endsWith(let suffix):
      add(56)
      mix(string: suffix)
    case .contains(let value):
      add(57)
      mix(value)
    case .before(let instant, _):
      add(58)
      mix(number: instant)
    case .after(let instant, _):
      add(59)
      mix(number: instant)
    case .never(let name):
      add(60)
      mix(string: name)
    }
  }
}

extension Condition {
  /// The condition's ``ConditionFingerprint``: equal conditions have equal fingerprints.
  var fingerprint: Int {
    var fingerprint = ConditionFingerprint()
    fingerprint.mix(self)
    return Int(truncatingIfNeeded: fingerprint.value)
  }
}

/// A condition with its fingerprint computed once, compared by fingerprint first: the
/// key of tables that number conditions.
///
/// A dictionary probe compares its key with every occupied slot it passes; with the
/// fingerprint beside the condition, most of those comparisons read one integer
/// instead of walking a condition elsewhere in memory.
struct FingerprintedCondition: Hashable {
  let condition: Condition
  let fingerprint: Int

  init(_ condition: Condition) {
    self.condition = condition
    fingerprint = condition.fingerprint
  }

  static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.fingerprint == rhs.fingerprint && lhs.condition == rhs.condition
  }

  func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }
}
