/// The direct evaluator of a ``Document``: it defines Tailor's semantics.
///
/// It is written to be obviously correct, not fast; the compiled evaluator is
/// tested against it on seeded random documents and profiles.
public struct ReferenceInterpreter: Sendable {
  /// The document evaluated.
  public let document: Document
  private let groups: [String: Set<JSONValue>]
  private let segments: [ByteString: Condition]
  private let decisions: [ByteString: DecisionDefinition]

  /// Prepares a validated document for evaluation.
  public init(_ document: Document) {
    self.document = document
    var groups: [String: Set<JSONValue>] = [:]
    for group in document.groups {
      groups[group.name] = Set(group.members.filter { $0.arrayValue == nil && $0.objectValue == nil })
    }
    self.groups = groups
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

  private func evaluator(_ profile: JSONValue, now: Double) -> ConditionEvaluator {
    ConditionEvaluator(
      groups: groups,
      segment: { name in
        guard let condition = segments[ByteString(name)] else { return false }
        return evaluator(profile, now: now).evaluate(condition, on: profile)
      },
      decision: { name, variant in
        guard let decided = decide(name, for: profile, now: now) else { return false }
        return decided.matches.contains { JSONValue.sameBytes($0.variant, variant) }
      }
    )
  }

  /// Whether `condition` holds for `profile` (segments and prerequisites resolved in this document).
  public func holds(_ condition: Condition, for profile: JSONValue, now: Double) -> Bool {
    evaluator(profile, now: now).evaluate(condition, on: profile)
  }

  /// Decides every decision, in document order.
  ///
  /// - Complexity: O(total size of all rules) per decision evaluated.
  public func decideAll(for profile: JSONValue, now: Double, explain: Bool = false) -> [Decision] {
    document.decisions.map { decide($0, for: profile, now: now, explain: explain) }
  }

  /// Decides one decision, or returns `nil` when the document has no decision `name`.
  ///
  /// - Complexity: O(size of the decision's rules), plus the prerequisites it names.
  public func decide(_ name: String, for profile: JSONValue, now: Double, explain: Bool = false)
    -> Decision?
  {
    decisions[ByteString(name)].map { decide($0, for: profile, now: now, explain: explain) }
  }

  func decide(_ decision: DecisionDefinition, for profile: JSONValue, now: Double, explain: Bool)
    -> Decision
  {
    let evaluator = evaluator(profile, now: now)
    var steps: [Trace.Step] = []
    let limit: Int
    switch decision.mode {
    case .first: limit = 1
    case .all(let bound): limit = bound ?? Int.max
    }
    func finish(_ matches: [Decision.Match], _ reason: Decision.Reason) -> Decision {
      Decision(
        name: decision.name,
        isMultiple: decision.mode != .first,
        matches: matches,
        reason: reason,
        trace: explain ? Trace(steps: steps) : nil
      )
    }
    func defaultMatches(_ reason: Decision.Reason) -> [Decision.Match] {
      guard let key = decision.defaultVariant, let variant = decision.variant(key) else { return [] }
      return [Decision.Match(variant: key, value: variant.value, rule: nil, reason: reason)]
    }
    if let requires = decision.requires, !evaluator.evaluate(requires, on: profile) {
      if explain {
        let failure = explainFailure(requires, profile, evaluator)
        steps.append(Trace.Step(rule: nil, outcome: .prerequisiteFailed, failed: failure?.failed, value: failure?.value))
      }
      return finish(defaultMatches(.prerequisiteFailed), .prerequisiteFailed)
    }
    var matches: [Decision.Match] = []
    for rule in decision.rules {
      if let schedule = rule.schedule, !schedule.contains(now) {
        if explain { steps.append(Trace.Step(rule: rule.id, outcome: .inactive)) }
        continue
      }
      guard evaluator.evaluate(rule.condition, on: profile) else {
        if explain {
          let failure = explainFailure(rule.condition, profile, evaluator)
          steps.append(
            Trace.Step(rule: rule.id, outcome: .conditionFailed, failed: failure?.failed, value: failure?.value)
          )
        }
        continue
      }
      let served: Decision.Match?
      switch rule.action {
      case .serve(let key):
        served = decision.variant(key).map {
          Decision.Match(variant: key, value: $0.value, rule: rule.id, reason: .match)
        }
      case .rollout(let key, let rollout):
        let bucket = ReferenceInterpreter.bucket(profile, by: rollout.by, seed: rollout.seed)
        if let bucket, rollout.percent > 0, bucket <= rollout.percent / 100, let variant = decision.variant(key) {
          served = Decision.Match(variant: key, value: variant.value, rule: rule.id, reason: .rollout, bucket: bucket)
        } else {
          served = nil
          if explain { steps.append(Trace.Step(rule: rule.id, outcome: .notInRollout, bucket: bucket)) }
        }
      case .split(let split):
        let bucket = ReferenceInterpreter.bucket(profile, by: split.by, seed: split.seed)
        let ranges = Bucketing.bucketRanges(
          count: split.weights.count,
          coverage: split.coverage,
          weights: split.weights.map(\.weight)
        )
        let index = bucket.map { Bucketing.chooseVariation($0, ranges: ranges) } ?? -1
        if index >= 0, let variant = decision.variant(split.weights[index].variant) {
          served = Decision.Match(variant: variant.key, value: variant.value, rule: rule.id, reason: .split, bucket: bucket)
        } else {
          served = nil
          if explain { steps.append(Trace.Step(rule: rule.id, outcome: .notInSplit, bucket: bucket)) }
        }
      }
      guard let served else { continue }
      if explain { steps.append(Trace.Step(rule: rule.id, outcome: .matched, bucket: served.bucket)) }
      matches.append(served)
      if matches.count >= limit { break }
    }
    if matches.isEmpty { return finish(defaultMatches(.default), .default) }
    return finish(matches, matches[0].reason)
  }

  /// The bucket of the profile's `by` value for `seed` (hash version 2), or `nil`
  /// when the value is missing or falsy.
  static func bucket(_ profile: JSONValue, by path: AttributePath, seed: String) -> Double? {
    let value = ConditionEvaluator.resolve(path.components, in: profile)
    guard let input = Bucketing.hashInput(value) else { return nil }
    return Bucketing.hash(seed: seed, value: input, version: 2)
  }

  /// The first predicate that failed, as condition JSON, and the value it saw.
  func explainFailure(_ condition: Condition, _ profile: JSONValue, _ evaluator: ConditionEvaluator)
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
