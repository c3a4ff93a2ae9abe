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
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    guard input.isComplete else { return }
    for decision in input.document.decisions {
      switch decision.mode {
      case .first:
        var earlier: [(rule: Rule, conjuncts: Set<Condition>)] = []
        for rule in decision.rules {
          let conjuncts = UnreachableRuleCheck.conjuncts(of: rule.condition)
          if let shadow = earlier.first(where: { $0.conjuncts.isSubset(of: conjuncts) }) {
            diagnostics.append(
              .unreachable(rule, shadowedBy: shadow.rule, at: input.rulePointer(decision: decision, ruleID: rule.id))
            )
          }
          if UnreachableRuleCheck.alwaysServes(rule) { earlier.append((rule, conjuncts)) }
        }
      case .all(let limit?):
        var servingEveryone: [Rule] = []
        for rule in decision.rules {
          if servingEveryone.count >= limit {
            diagnostics.append(
              .unreachable(rule, limit: limit, at: input.rulePointer(decision: decision, ruleID: rule.id))
            )
          }
          if UnreachableRuleCheck.alwaysServes(rule), UnreachableRuleCheck.conjuncts(of: rule.condition).isEmpty {
            servingEveryone.append(rule)
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

  /// The condition as a set of conjuncts: nested `$and`s are flattened and `true` dropped,
  /// so a condition that always holds has none.
  static func conjuncts(of condition: Condition) -> Set<Condition> {
    switch condition {
    case .and(let parts): parts.reduce(into: []) { $0.formUnion(conjuncts(of: $1)) }
    case .constant(true): []
    default: [condition]
    }
  }
}

extension Diagnostic {
  fileprivate static func unreachable(_ rule: Rule, shadowedBy earlier: Rule, at pointer: JSONPointer)
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

  fileprivate static func unreachable(_ rule: Rule, limit: Int, at pointer: JSONPointer) -> Diagnostic {
    Diagnostic(
      .unreachableRule,
      .warning,
      at: pointer,
      "rule `\(rule.id)` can never be served: \(limit) earlier rules serve everyone and `limit` is \(limit)",
      notes: ["rules without `when`, rollout, split or schedule always serve; raise `limit` or reorder"]
    )
  }

  private static func conjunctsAreEmpty(_ rule: Rule) -> Bool {
    UnreachableRuleCheck.conjuncts(of: rule.condition).isEmpty
  }
}
