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
    if let slot = pathIndex[path] { return slot }
    let slot = Int32(paths.count)
    paths.append(path)
    pathIndex[path] = slot
    keyIDs.append([:])
    return slot
  }

  /// The index of `predicate`, interning it on first use.
  mutating func index(of predicate: Predicate) -> Int32 {
    if let index = predicateIndex[predicate] { return index }
    let index = Int32(predicates.count)
    let slot = slot(for: predicate.path)
    predicates.append(CompiledPredicate(slot: slot, test: predicate.test, fast: FastTest(predicate.test)))
    predicateIndex[predicate] = index
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
  var fast: FastTest
}

/// Specialised forms of the most common tests; everything else runs the reference code.
enum FastTest: Sendable {
  /// A literal string: equal bytes when the value is a string.
  case stringLiteral(String)
  /// `$in` of strings only: membership when the value is a string.
  case stringIn(Set<ByteString>)
  /// `$nin` of strings only.
  case stringNotIn(Set<ByteString>)
  /// A relational comparison with a number operand, when the value is a number.
  case numberCompare(Relation, Double)
  /// A regular expression, when the value is a string.
  case regex(Pattern)
  /// No fast form.
  case general

  init(_ test: ValueTest) {
    switch test {
    case .literal(.string(let text)):
      self = .stringLiteral(text)
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .in(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
        self = .stringIn(Set(list.compactMap { $0.stringValue.map(ByteString.init) }))
      case .nin(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
        self = .stringNotIn(Set(list.compactMap { $0.stringValue.map(ByteString.init) }))
      case .compare(let relation, .number(let operand)):
        self = .numberCompare(relation, operand)
      case .regex(let pattern):
        self = .regex(pattern)
      default:
        self = .general
      }
    default:
      self = .general
    }
  }
}
