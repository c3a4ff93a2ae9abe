/// Every attribute path and every atomic predicate of a document, interned once
/// across all decisions and segments, so each is read or evaluated at most once
/// per profile.
struct PredicateTable: Sendable {
  /// The interned attribute paths; a path's index is its slot.
  private(set) var paths: [AttributePath] = []
  /// The interned predicates.
  private(set) var predicates: [CompiledPredicate] = []
  private var pathIndex: [AttributePath: Int32] = [:]
  private var predicateIndex: [Predicate: Int32] = [:]
  /// Per slot: the switch keys used on it, each with a dense id.
  private(set) var keyIDs: [[ByteString: Int32]] = []

  /// The slot of `path`, interning it on first use.
  mutating func slot(for path: AttributePath) -> Int32 {
    // Documents test a few attributes: comparing bytes with each costs less than hashing.
    if paths.count <= 16 {
      if let index = paths.firstIndex(of: path) { return Int32(index) }
    } else if let slot = pathIndex[path] {
      return slot
    }
    let slot = Int32(paths.count)
    paths.append(path)
    pathIndex[path] = slot
    keyIDs.append([:])
    return slot
  }

  /// Makes room for about `count` predicates, so the index does not grow (and hash every
  /// predicate again) while a large document is compiled.
  mutating func reserve(predicates count: Int) {
    predicateIndex.reserveCapacity(count)
    predicates.reserveCapacity(count)
  }

  /// The index of `predicate`, interning it on first use.
  mutating func index(of predicate: Predicate) -> Int32 {
    let (index, isNew) = predicateIndex.findOrInsert(predicate, Int32(predicates.count))
    if !isNew { return index }
    let slot = slot(for: predicate.path)
    // String operands of equality tests become key ids, so the evaluator
    // compares small integers instead of strings.
    switch predicate.test {
    case .literal(.string(let text)):
      _ = keyID(text, slot: slot)
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .eq(.string(let text)):
        _ = keyID(text, slot: slot)
      case .in(let list, false), .nin(let list, false):
        for case .string(let text) in list { _ = keyID(text, slot: slot) }
      default:
        break
      }
    default:
      break
    }
    predicates.append(CompiledPredicate(slot: slot, test: predicate.test))
    return index
  }

  /// The dense id of a switch key on `slot`, interning it on first use.
  mutating func keyID(_ key: String, slot: Int32) -> Int32 {
    let wrapped = ByteString(key)
    if let id = keyIDs[Int(slot)][wrapped] { return id }
    let id = Int32(keyIDs[Int(slot)].count)
    keyIDs[Int(slot)][wrapped] = id
    return id
  }
}

/// One interned predicate: the slot it reads and how it tests the value.
struct CompiledPredicate: Sendable {
  var slot: Int32
  var test: ValueTest
}

extension Dictionary {
  /// The value for `key`, or `next` inserted for it when there is none, and whether it was
  /// inserted: one hash of the key either way, for interning tables.
  @inline(__always)
  mutating func findOrInsert(_ key: Key, _ next: Value) -> (value: Value, isNew: Bool) {
    var isNew = false
    let value = Dictionary.read(
      &self[
        key,
        default: {
          isNew = true
          return next
        }()
      ]
    )
    return (value, isNew)
  }

  /// A value reached through an accessor that finds or inserts in place.
  @inline(__always)
  private static func read(_ value: inout Value) -> Value { value }
}

extension Array where Element: Comparable {
  /// Sorts the elements from `start` on and drops the repeats among them, in place: the
  /// distinct values ascending, without a set (the lists compiled are mostly short).
  mutating func sortDroppingRepeats(from start: Int = 0) {
    self[start...].sort()
    var end = start
    for index in start..<count where end == start || self[end - 1] != self[index] {
      self[end] = self[index]
      end += 1
    }
    removeSubrange(end...)
  }
}
