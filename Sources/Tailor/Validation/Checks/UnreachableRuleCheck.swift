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
    for decision in input.document.decisions {
      let pointers = input.rulePointers(decision: decision)
      func pointer(_ rule: Rule) -> JSONPointer {
        pointers[ByteString(rule.id)] ?? input.rulePointer(decision: decision, ruleID: rule.id)
      }
      switch decision.mode {
      case .first:
        // Earlier rules that always serve, indexed by conjunct: an earlier rule
        // shadows this one when every one of its conjuncts is among this rule's.
        var earlier: [(rule: Rule, size: Int)] = []
        // Per earlier rule: how many of its conjuncts the current rule has, valid when stamped.
        var counts: [Int] = []
        var stamps: [Int] = []
        var postings: [Condition: [Int]] = [:]
        // The first rule with no `when` that always serves shadows every later rule;
        // the earliest shadowing rule is named, as written.
        var unconditional: (rule: Rule, position: Int)?
        for (position, rule) in decision.rules.enumerated() {
          let conjuncts = UnreachableRuleCheck.conjuncts(of: rule.condition)
          var shadow = unconditional?.rule
          do {
            var best = Int.max
            var budget = UnreachableRuleCheck.comparisonBudget
            // Rarest conjuncts first: a shadowing rule must share all of them, and a
            // common one would spend the budget before a rare one is read.
            let order = conjuncts.enumerated().sorted { a, b in
              let (ca, cb) = (postings[a.element]?.count ?? 0, postings[b.element]?.count ?? 0)
              return ca != cb ? ca < cb : a.offset < b.offset
            }
            search: for (_, conjunct) in order {
              for index in postings[conjunct] ?? [] {
                budget -= 1
                if budget < 0 { break search }
                let count = stamps[index] == position ? counts[index] + 1 : 1
                stamps[index] = position
                counts[index] = count
                if count == earlier[index].size { best = min(best, index) }
              }
            }
            // `earlier` is in written order, so a lower index came first.
            if best != Int.max, best < unconditional?.position ?? Int.max {
              shadow = earlier[best].rule
            }
          }
          if let shadow {
            diagnostics.append(.unreachable(rule, shadowedBy: shadow, at: pointer(rule)))
          }
          guard UnreachableRuleCheck.alwaysServes(rule) else { continue }
          if conjuncts.isEmpty {
            if unconditional == nil { unconditional = (rule, earlier.count) }
          } else {
            earlier.append((rule, conjuncts.count))
            counts.append(0)
            stamps.append(-1)
            for conjunct in conjuncts { postings[conjunct, default: []].append(earlier.count - 1) }
          }
        }
      case .all(let limit?):
        var servingEveryone = 0
        for rule in decision.rules {
          if servingEveryone >= limit {
            diagnostics.append(.unreachable(rule, limit: limit, at: pointer(rule)))
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
