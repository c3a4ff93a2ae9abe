/// A document compiled for fast evaluation: interned predicates and one
/// ``DecisionGraph`` per decision.
///
/// Immutable and shared by every evaluation.
struct CompiledRules: Sendable {
  var table: PredicateTable
  var decisions: [CompiledDecision]
  var decisionIndex: [ByteString: Int32]
  /// Group members as sets (scalars only), for `$inGroup` in the reference code.
  var groups: [String: Set<JSONValue>]
}

/// One decision, compiled.
struct CompiledDecision: Sendable {
  var name: String
  var isMultiple: Bool
  var limit: Int
  var variants: [Variant]
  var defaultVariant: Int32?
  var requires: Program?
  var rules: [CompiledRule]
  /// The graph; a single empty node when the decision is sieved.
  var graph: DecisionGraph
  /// The sieve that decides the rules instead of the graph, for many diverse rules.
  var sieve: RuleSieve?
}

/// What a rule serves, with slots and seeds resolved.
struct CompiledRule: Sendable {
  enum Action: Sendable {
    case serve(variant: Int32)
    case rollout(variant: Int32, slot: Int32, seed: String, percent: Double)
    case split(slot: Int32, seed: String, ranges: [BucketRange], variants: [Int32])
  }

  var id: String
  var action: Action
  var schedule: Schedule?

  /// Whether the rule wins whenever its condition holds (no rollout, split or schedule).
  var isCertain: Bool {
    if schedule != nil { return false }
    if case .serve = action { return true }
    return false
  }
}
