/// The direct evaluator of a ``Document``: it defines Tailor's semantics.
///
/// It is written to be obviously correct, not fast; the compiled evaluator is
/// tested against it on seeded random documents and profiles.
package struct ReferenceInterpreter: Sendable {
  /// The document evaluated.
  package let document: Document
  private let groups: [String: Set<JSONValue>]
  private let segments: [ByteString: Condition]
  private let decisions: [ByteString: DecisionDefinition]

  /// Prepares a validated document for evaluation.
  package init(_ document: Document) {
    self.document = document
    self.groups = document.groupMembers
    var segments: [ByteString: Condition] = [:]
    for segment in document.segments where segments[ByteString(segment.name)] == nil {
      segments[ByteString(segment.name)] = segment.condition
    }
    self.segments = segments
    var decisions: [ByteString: DecisionDefinition] = [:]
    for decision in document.decisions where decisions[ByteString(decision.name)] == nil {
      decisions[ByteString(decision.name)] = decision
    }
    self.decisions = decisions
  }

  /// The decisions already made for one profile at one instant, so a
  /// decision that several rules name as a prerequisite is decided once.
  private final class Prerequisites {
    var decided: [ByteString: Decision] = [:]
  }

  private func evaluator(
    _ profile: JSONValue,
    now: Double,
    _ prerequisites: Prerequisites
  )
    -> ConditionEvaluator
  {
    ConditionEvaluator(
      groups: groups,
      segment: { name in
        guard let condition = segments[ByteString(name)] else { return false }
        return evaluator(profile, now: now, prerequisites).evaluate(condition, on: profile)
      },
      decision: { name, variant in
        let key = ByteString(name)
        let decided: Decision
        if let known = prerequisites.decided[key] {
          decided = known
        } else {
          guard let definition = decisions[key] else { return false }
          decided = decide(definition, for: profile, now: now, explain: false, prerequisites)
          prerequisites.decided[key] = decided
        }
        return decided.matches.contains { JSONValue.sameBytes($0.variant, variant) }
      }
    )
  }

  /// Whether `condition` holds for `profile` (segments and prerequisites resolved in this document).
  package func holds(_ condition: Condition, for profile: JSONValue, now: Double) -> Bool {
    evaluator(profile, now: now, Prerequisites()).evaluate(condition, on: profile)
  }

  /// Decides every decision, in document order.
  ///
  /// - Complexity: O(total size of all rules) per decision evaluated.
  package func decideAll(for profile: JSONValue, now: Double, explain: Bool = false) -> [Decision] {
    let prerequisites = Prerequisites()
    return document.decisions.map {
      decide($0, for: profile, now: now, explain: explain, prerequisites)
    }
  }

  /// Decides one decision, or returns `nil` when the document has no decision `name`.
  ///
  /// - Complexity: O(size of the decision's rules), plus the prerequisites it names.
  package func decide(
    _ name: String,
    for profile: JSONValue,
    now: Double,
    explain: Bool = false
  )
    -> Decision?
  {
    decisions[ByteString(name)].map {
      decide($0, for: profile, now: now, explain: explain, Prerequisites())
    }
  }

  private func decide(
    _ decision: DecisionDefinition,
    for profile: JSONValue,
    now: Double,
    explain: Bool,
    _ prerequisites: Prerequisites
  ) -> Decision {
    // Conditions can name prerequisite decisions, which recurse into this
    // function: everything else happens in helpers, so that each level of
    // prerequisites costs the stack as little as possible.
    let evaluator = evaluator(profile, now: now, prerequisites)
    var steps: [Trace.Step] = []
    if let requires = decision.requires, !evaluator.evaluate(requires, on: profile) {
      if explain {
        steps.append(failureStep(nil, .prerequisiteFailed, requires, profile, evaluator))
      }
      return finish(
        decision,
        defaultMatches(decision, .prerequisiteFailed),
        .prerequisiteFailed,
        explain ? steps : nil
      )
    }
    let limit: Int
    switch decision.mode {
    case .first: limit = 1
    case .all(let bound): limit = bound ?? Int.max
    }
    var matches: [Decision.Match] = []
    for rule in decision.rules {
      if let schedule = rule.schedule, !schedule.contains(now) {
        if explain { steps.append(Trace.Step(rule: rule.id, outcome: .inactive)) }
        continue
      }
      guard evaluator.evaluate(rule.condition, on: profile) else {
        if explain {
          steps.append(failureStep(rule.id, .conditionFailed, rule.condition, profile, evaluator))
        }
        continue
      }
      guard let served = serve(rule, of: decision, to: profile, explain: explain, steps: &steps)
      else { continue }
      if explain {
        steps.append(Trace.Step(rule: rule.id, outcome: .matched, bucket: served.bucket))
      }
      matches.append(served)
      if matches.count >= limit { break }
    }
    if matches.isEmpty {
      return finish(decision, defaultMatches(decision, .default), .default, explain ? steps : nil)
    }
    return finish(decision, matches, matches[0].reason, explain ? steps : nil)
  }

  private func finish(
    _ decision: DecisionDefinition,
    _ matches: [Decision.Match],
    _ reason: Decision.Reason,
    _ steps: [Trace.Step]?
  ) -> Decision {
    Decision(
      name: decision.name,
      isMultiple: decision.mode != .first,
      matches: matches,
      reason: reason,
      trace: steps.map { Trace(steps: $0) }
    )
  }

  private func defaultMatches(
    _ decision: DecisionDefinition,
    _ reason: Decision.Reason
  ) -> [Decision.Match] {
    guard let key = decision.defaultVariant, let variant = decision.variant(key) else { return [] }
    return [Decision.Match(variant: key, value: variant.value, rule: nil, reason: reason)]
  }

  /// A trace step for a condition that did not hold.
  private func failureStep(
    _ rule: String?,
    _ outcome: Trace.Step.Verdict,
    _ condition: Condition,
    _ profile: JSONValue,
    _ evaluator: ConditionEvaluator
  ) -> Trace.Step {
    let failure = explainFailure(condition, profile, evaluator)
    return Trace.Step(rule: rule, outcome: outcome, failed: failure?.failed, value: failure?.value)
  }

  /// What a rule whose condition holds serves: its variant, or its rollout's or
  /// split's, or nothing when the bucket does not admit the profile.
  private func serve(
    _ rule: Rule,
    of decision: DecisionDefinition,
    to profile: JSONValue,
    explain: Bool,
    steps: inout [Trace.Step]
  ) -> Decision.Match? {
    switch rule.action {
    case .serve(let key):
      return decision.variant(key).map {
        Decision.Match(variant: key, value: $0.value, rule: rule.id, reason: .match)
      }
    case .rollout(let key, let rollout):
      let bucket = ReferenceInterpreter.bucket(profile, by: rollout.by, seed: rollout.seed)
      if let bucket, rollout.percent > 0, bucket <= rollout.percent / 100,
        let variant = decision.variant(key)
      {
        return Decision.Match(
          variant: key,
          value: variant.value,
          rule: rule.id,
          reason: .rollout,
          bucket: bucket
        )
      }
      if explain { steps.append(Trace.Step(rule: rule.id, outcome: .notInRollout, bucket: bucket)) }
      return nil
    case .split(let split):
      let bucket = ReferenceInterpreter.bucket(profile, by: split.by, seed: split.seed)
      let ranges = Bucketing.bucketRanges(
        count: split.weights.count,
        coverage: split.coverage,
        weights: split.weights.map(\.weight)
      )
      let index = bucket.map { Bucketing.chooseVariation($0, ranges: ranges) } ?? -1
      if index >= 0, let variant = decision.variant(split.weights[index].variant) {
        return Decision.Match(
          variant: variant.key,
          value: variant.value,
          rule: rule.id,
          reason: .split,
          bucket: bucket
        )
      }
      if explain { steps.append(Trace.Step(rule: rule.id, outcome: .notInSplit, bucket: bucket)) }
      return nil
    }
  }

  /// The bucket of the profile's `by` value for `seed` (hash version 2), or `nil`
  /// when the value is missing or falsy.
  static func bucket(_ profile: JSONValue, by path: AttributePath, seed: String) -> Double? {
    let value = ConditionEvaluator.resolve(path.components, in: profile)
    guard let input = Bucketing.hashInput(value) else { return nil }
    return Bucketing.hash(seed: seed, value: input, version: 2)
  }

  /// The first predicate that failed, as condition JSON, and the value it saw.
  func explainFailure(
    _ condition: Condition,
    _ profile: JSONValue,
    _ evaluator: ConditionEvaluator
  )
    -> (failed: JSONValue, value: JSONValue?)?
  {
    switch condition {
    case .and(let parts):
      for part in parts where !evaluator.evaluate(part, on: profile) {
        return explainFailure(part, profile, evaluator)
      }
      return nil
    case .predicate(let predicate):
      return (
        condition.json,
        ConditionEvaluator.resolve(predicate.path.components, in: profile)
      )
    case .segment(let name):
      let inner = segments[ByteString(name)].flatMap { explainFailure($0, profile, evaluator) }
      return (condition.json, inner?.value)
    default:
      return evaluator.evaluate(condition, on: profile) ? nil : (condition.json, nil)
    }
  }
}
