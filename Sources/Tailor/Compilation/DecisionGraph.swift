/// The compiled form of one decision: a flat DAG of nodes whose leaves list
/// candidate rules in order.
///
/// Children are indices into ``nodes``, so shared sub-graphs are shared indices.
/// The graph is immutable and `Sendable`.
struct DecisionGraph: Sendable {
  /// A node of the graph.
  enum Node: Sendable {
    // INVARIANT: `range` lies inside `candidates`, and its rule indices ascend.
    /// An ordered scan of candidate rules.
    case leaf(range: Range<Int32>)
    // INVARIANT: children are sorted by their `minimumRule`, ascending; each
    // rule of the parent is in exactly one child.
    /// The first admitted rule of any child: the one with the lowest rule index.
    case firstOf(children: [Int32])
    // INVARIANT: every rule under `cases` has a conjunct that is false for null
    // and for strings not among the keys; `fallback` holds the same rules unspecialised.
    /// A multi-way branch on the string value of a slot (hash lookup of its key id).
    case switchOn(slot: Int32, cases: [Int32: Int32], fallback: Int32)
    // INVARIANT: every rule under `cases` had a `$in` test of the slot listing the
    // case's key, now removed; the slot's other tests are kept. `fallback` holds the same
    // rules unspecialised.
    /// A branch on string membership: a string value takes its key's case, an array
    /// of strings every case of its elements (the lowest rule wins), another array the fallback.
    case memberOf(slot: Int32, cases: [Int32: Int32], fallback: Int32)
    // INVARIANT: `thresholds` ascend strictly. Uncut: `children` has 2 × count + 1 entries,
    // below the first threshold, at it, between it and the next, …, above the last, and every
    // test of the domain on the slot is decided in each. Cut: `children` has count + 1 cells,
    // `(-∞, t₀)`, `[t₀, t₁)`, …, `[tₙ, ∞)`, with tests decided only where a cell lies wholly
    // inside or outside them.
    /// A branch on the number or instant of a slot by binary search.
    case interval(
      slot: Int32,
      domain: IntervalDomain,
      thresholds: [Double],
      isCut: Bool,
      children: [Int32],
      null: Int32,
      fallback: Int32
    )
    // INVARIANT: suffixes are distinct; every rule under a case had an `$endsWith` test of
    // the slot with those bytes, now removed. A value that is not a string reaches no case.
    /// A branch on the endings of a string value: every case whose suffix the value ends with.
    case suffix(slot: Int32, cases: [SuffixCase])
    /// No rule can match.
    case empty
  }

  /// One case of a ``Node/suffix(slot:cases:)`` node.
  struct SuffixCase: Sendable {
    var suffix: [UInt8]
    var child: Int32
  }

  /// One rule as a leaf sees it: its condition specialised on the facts known on the path.
  struct Candidate: Sendable {
    /// The rule's index in its decision.
    var rule: Int32
    /// The condition left to check.
    var program: Program
  }

  var nodes: [Node]
  var minimumRule: [Int32]
  var candidates: [Candidate]
  var root: Int32
}

/// A condition compiled against the predicate table.
indirect enum Program: Sendable, Hashable {
  case and([Program])
  case or([Program])
  case nor([Program])
  case not(Program)
  case predicate(Int32)
  case decision(Int32, variant: String)
  case constant(Bool)
}
