/// Warns about rules that can never win because an earlier rule serves every
/// profile they match.
///
/// In `mode: "first"`, rule B is unreachable when an earlier rule A has no
/// rollout, split or schedule (so A always serves when its condition holds) and
/// A's condition is implied by B's. Implication is decided syntactically: A has
/// no `when`, or every conjunct of A's condition is also a conjunct of B's
/// (which covers identical conditions). In `mode: "all"` with a `limit`, a rule
/// is unreachable once `limit` earlier rules serve everyone.
struct UnreachableRuleCheck: ValidationCheck {
  var isAnalysis: Bool { true }

  /// How many earlier rules one rule is compared with, at most: the analysis
  /// stays linear on documents with 100,000 rules that share conjuncts.
  static let comparisonBudget = 256

  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    guard input.isComplete else { return }
    for (index, decision) in input.document.decisions.enumerated() {
      func pointer(_ position: Int) -> JSONPointer {
        input.pointer(toRule: position, ofDecision: index)
      }
      switch decision.mode {
      case .first:
        var search = ShadowSearch()
        for (position, rule) in decision.rules.enumerated() {
          let shadow = search.shadow(of: rule, at: position)
          if let shadow {
            diagnostics.append(.unreachable(rule, shadowedBy: shadow, at: pointer(position)))
          }
        }
      case .all(let limit?):
        var servingEveryone = 0
        for (position, rule) in decision.rules.enumerated() {
          if servingEveryone >= limit {
            diagnostics.append(.unreachable(rule, limit: limit, at: pointer(position)))
          }
          if UnreachableRuleCheck.alwaysServes(rule),
            UnreachableRuleCheck.conjuncts(of: rule.condition).isEmpty
          {
            servingEveryone += 1
          }
        }
      case .all(nil):
        continue
      }
    }
  }

  /// The earlier rules of one `mode: "first"` decision that always serve, indexed
  /// by conjunct: an earlier rule shadows a later one when every one of its
  /// conjuncts is among the later rule's.
  ///
  /// Each distinct conjunct is numbered the first time it is met, so a rule's
  /// conjuncts are hashed once and the search itself compares only integers.
  struct ShadowSearch {
    /// The number of each distinct conjunct met so far.
    private var numbers: [FingerprintedCondition: Int32] = [:]
    /// By conjunct number: the indices in `earlier` of the rules that have it, in written order.
    private var postings: [[Int32]] = []
    /// By conjunct number: the position of the last rule that had it, to drop repeats in a rule.
    private var lastSeen: [Int] = []
    /// The earlier rules that always serve and have a condition, in written order.
    private var earlier: [Rule] = []
    /// By index in `earlier`, side by side so that the search reads one place per entry.
    private var tallies: [Tally] = []
    /// The first rule with no `when` that always serves, and how many of `earlier` came before it.
    private var unconditional: (rule: Rule, position: Int)?
    /// The current rule's conjunct numbers, in written order (reused between rules).
    private var current: [Int32] = []
    private var order: [(count: Int, offset: Int, number: Int32)] = []

    /// The earliest rule before `rule` (at `position` in its decision) that
    /// serves every profile `rule` matches, if one is found within the
    /// comparison budget; then records `rule` if it always serves.
    mutating func shadow(of rule: Rule, at position: Int) -> Rule? {
      current.removeAll(keepingCapacity: true)
      number(rule.condition, position: position)
      var shadow = unconditional?.rule
      var best = Int.max
      var budget = UnreachableRuleCheck.comparisonBudget
      // Rarest conjuncts first: a shadowing rule must share all of them, and a
      // common one would spend the budget before a rare one is read.
      order.removeAll(keepingCapacity: true)
      for (offset, number) in current.enumerated() {
        order.append((postings[Int(number)].count, offset, number))
      }
      order.sort { a, b in a.count != b.count ? a.count < b.count : a.offset < b.offset }
      // In place: the loop runs up to the budget for every rule, and checking that the
      // tallies are uniquely referenced on every write cost as much as the counting.
      tallies.withUnsafeMutableBufferPointer { tallies in
        search: for entry in order {
          for index in postings[Int(entry.number)] {
            budget -= 1
            if budget < 0 { break search }
            let index = Int(index)
            let count = tallies[index].stamp == position ? tallies[index].count + 1 : 1
            tallies[index].stamp = position
            tallies[index].count = count
            if count == tallies[index].size { best = min(best, index) }
          }
        }
      }
      // `earlier` is in written order, so a lower index came first.
      if best != Int.max, best < unconditional?.position ?? Int.max {
        shadow = earlier[best]
      }
      guard UnreachableRuleCheck.alwaysServes(rule) else { return shadow }
      if current.isEmpty {
        if unconditional == nil { unconditional = (rule, earlier.count) }
      } else {
        let index = Int32(earlier.count)
        earlier.append(rule)
        tallies.append(Tally(size: Int32(current.count)))
        for number in current { postings[Int(number)].append(index) }
      }
      return shadow
    }

    /// Appends the numbers of the condition's distinct conjuncts to `current`, in
    /// written order, as ``UnreachableRuleCheck/conjuncts(of:)`` lists them.
    private mutating func number(_ condition: Condition, position: Int) {
      switch condition {
      case .and(let parts):
        for part in parts { number(part, position: position) }
      case .constant(true):
        break
      default:
        // One lookup: a new conjunct is inserted with the next number.
        let next = Int32(postings.count)
        let number = Self.read(&numbers[FingerprintedCondition(condition), default: next])
        if number == next {
          postings.append([])
          lastSeen.append(-1)
        }
        guard lastSeen[Int(number)] != position else { return }
        lastSeen[Int(number)] = position
        current.append(number)
      }
    }

    private static func read(_ slot: inout Int32) -> Int32 { slot }
  }

  /// An earlier rule's size and how many of its conjuncts the current rule has.
  struct Tally {
    /// How many distinct conjuncts the rule has.
    var size: Int32
    /// How many of them the rule at `stamp` has; valid when `stamp` is the current position.
    var count: Int32 = 0
    var stamp = -1
  }

  /// Whether the rule serves whenever its condition holds: no rollout, split or schedule.
  static func alwaysServes(_ rule: Rule) -> Bool {
    guard rule.schedule == nil, case .serve = rule.action else { return false }
    return true
  }

  /// The condition's distinct conjuncts in written order: nested `$and`s are flattened and
  /// `true` dropped, so a condition that always holds has none. (Written order, not a set's,
  /// so that the comparison budget is spent the same way on every run.)
  static func conjuncts(of condition: Condition) -> [Condition] {
    var seen: Set<Condition> = []
    var ordered: [Condition] = []
    func add(_ condition: Condition) {
      switch condition {
      case .and(let parts): parts.forEach(add)
      case .constant(true): break
      default: if seen.insert(condition).inserted { ordered.append(condition) }
      }
    }
    add(condition)
    return ordered
  }
}

extension Diagnostic {
  fileprivate static func unreachable(
    _ rule: Rule,
    shadowedBy earlier: Rule,
    at pointer: JSONPointer
  )
    -> Diagnostic
  {
    let why =
      conjunctsAreEmpty(earlier)
      ? "rule `\(earlier.id)` has no `when`, so it serves everyone who reaches it"
      : "rule `\(earlier.id)` has no rollout, split or schedule, and its condition holds whenever `\(rule.id)`'s does"
    return Diagnostic(
      .unreachableRule,
      .warning,
      at: pointer,
      "rule `\(rule.id)` can never win: rule `\(earlier.id)` comes first and serves every profile it matches",
      notes: [why, "move `\(rule.id)` above `\(earlier.id)` or narrow `\(earlier.id)`'s condition"]
    )
  }

  fileprivate static func unreachable(
    _ rule: Rule,
    limit: Int,
    at pointer: JSONPointer
  ) -> Diagnostic {
    Diagnostic(
      .unreachableRule,
      .warning,
      at: pointer,
      "rule `\(rule.id)` can never be served: \(limit) earlier rules serve everyone and `limit` is \(limit)",
      notes: [
        "rules without `when`, rollout, split or schedule always serve; raise `limit` or reorder"
      ]
    )
  }

  private static func conjunctsAreEmpty(_ rule: Rule) -> Bool {
    UnreachableRuleCheck.conjuncts(of: rule.condition).isEmpty
  }
}
