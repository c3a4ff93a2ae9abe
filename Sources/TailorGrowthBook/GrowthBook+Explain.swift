import Tailor

extension GrowthBook {
  /// A feature's result, and why each rule tried did or did not decide it.
  public struct FeatureExplanation: Sendable {
    /// The result, as ``Payload/evaluateFeature(_:in:)`` gives it.
    public var result: FeatureResult
    /// The rules tried, in order; the last one decided when ``result`` has a rule's source.
    ///
    /// Empty when no rule was tried: an unknown feature, a forced value, or a feature
    /// without rules.
    public var steps: [RuleStep]
  }

  /// One rule of a feature, as tried for one user.
  public struct RuleStep: Sendable, Hashable {
    /// The rule's index in the feature's `rules`.
    public var index: Int
    /// The rule's `id`, if it has one.
    public var ruleID: String?
    /// What happened.
    public var outcome: Outcome

    /// What happened to a rule.
    public enum Outcome: Sendable, Hashable {
      /// The rule decided the feature; `bucket` is the user's hash when one was computed.
      case decided(bucket: Double?)
      /// A prerequisite's condition on its feature's `value` does not hold; a gate
      /// ends the evaluation with source `prerequisite`, any other skips the rule.
      case parentConditionFailed(parent: String, value: JSONValue, clause: JSONValue, isGate: Bool)
      /// The prerequisites lead back to a feature being evaluated.
      case cyclicPrerequisite(parent: String)
      /// The rule's hash `filters` leave the user out.
      case filteredOut
      /// The condition is false: `clause` is the first part of it that fails and
      /// `value` the attribute it read (`nil` when the clause reads none).
      case conditionFalse(clause: JSONValue, value: JSONValue?)
      /// The user's bucket falls outside the rollout's `coverage` or `range`
      /// (`nil` when the user has no hash value, or coverage is 0).
      case notInRollout(bucket: Double?)
      /// The experiment did not include the user.
      case notInExperiment(ExperimentMiss)
      /// The user was assigned a passthrough (holdout) variation, so the rule falls through.
      case passthrough(variation: Int, bucket: Double?)
      /// The rule has neither `force` nor variations.
      case nothingToServe
    }

    /// Why an experiment left a user out.
    public indirect enum ExperimentMiss: Sendable, Hashable {
      /// It has fewer than two variations.
      case tooFewVariations
      /// The context disables experiments.
      case disabled
      /// Its status is `draft`.
      case draft
      /// It is not `active`.
      case inactive
      /// The user has no value for the attribute hashed.
      case noHashValue(attribute: String)
      /// Its hash `filters` leave the user out.
      case filteredOut
      /// The user's namespace hash is outside the experiment's range of the namespace.
      case outsideNamespace(String)
      /// Its condition or a prerequisite fails (the outcome says which and why).
      case condition(Outcome)
      /// Its `hashVersion` is neither 1 nor 2.
      case unknownHashVersion
      /// The user's bucket is outside every variation's range (coverage).
      case unassigned(bucket: Double?)
      /// A sticky bucket from a version below `minBucketVersion` blocks the user.
      case blockedStickyBucket
      /// QA mode assigns no one.
      case qaMode
      /// Its status is `stopped`.
      case stopped
    }
  }
}

/// Collects the steps of one explained evaluation.
final class ExplainRecorder {
  var steps: [GrowthBook.RuleStep] = []
  /// Why the experiment being run left the user out, set where it does.
  var experimentMiss: GrowthBook.RuleStep.ExperimentMiss?
}

extension GrowthBook.Payload {
  /// Evaluates one feature as ``evaluateFeature(_:in:)`` does, and says which
  /// rule decided and why each rule before it did not.
  ///
  /// ```swift
  /// var context = GrowthBook.Context(attributes: ["id": "u1", "country": "FR"])
  /// let explained = payload.explainFeature("new-checkout", in: &context)
  /// for step in explained.steps { print(step.index, step.outcome) }
  /// ```
  ///
  /// - Parameters:
  ///   - key: The feature key.
  ///   - context: The user and options, as for ``evaluateFeature(_:in:)``.
  /// - Returns: The result (identical to ``evaluateFeature(_:in:)``'s) and the rules tried.
  /// - Complexity: As ``evaluateFeature(_:in:)``, plus finding the failing clause of
  ///   each false condition.
  public func explainFeature(
    _ key: String,
    in context: inout GrowthBook.Context
  ) -> GrowthBook.FeatureExplanation {
    let recorder = ExplainRecorder()
    let interpreter = FeatureInterpreter(payload: self, recorder: recorder)
    interpreter.loadStickyBuckets(&context)
    let result = interpreter.evaluateFeature(key, context: &context)
    return GrowthBook.FeatureExplanation(result: result, steps: recorder.steps)
  }
}

extension FeatureInterpreter {
  /// Why `condition` is false on `attributes`: the first conjunct that fails,
  /// followed down through nested `$and`s, with the value a single predicate read.
  func failure(_ condition: Condition, _ attributes: JSONValue) -> GrowthBook.RuleStep.Outcome {
    var current = condition
    while case .and(let parts) = current,
      let failing = parts.first(where: { !conditions.evaluate($0, on: attributes) })
    {
      current = failing
    }
    var value: JSONValue?
    if case .predicate(let predicate) = current {
      value = FeatureInterpreter.resolve(predicate.path.components, in: attributes)
    }
    return .conditionFalse(clause: current.json, value: value)
  }

  /// The value at a dot path, as GrowthBook's `getPath` reads it; `nil` when absent.
  static func resolve(_ components: [String], in root: JSONValue) -> JSONValue? {
    var current = root
    for component in components {
      switch current {
      case .object(let object):
        guard let next = object[component] else { return nil }
        current = next
      case .array(let items):
        guard let index = Int(component), String(index) == component, items.indices.contains(index)
        else { return nil }
        current = items[index]
      default:
        return nil
      }
    }
    return current
  }
}

extension GrowthBook.RuleStep {
  /// The step as JSON: `{"rule":index,"ruleId":…,"outcome":code,…}` with the
  /// outcome's details (`parent`, `clause`, `saw`, `bucket`, `reason`, `variation`).
  public var json: JSONValue {
    var pairs: [(String, JSONValue)] = [("rule", .number(Double(index)))]
    if let ruleID { pairs.append(("ruleId", .string(ruleID))) }
    pairs += outcome.jsonPairs
    return .object(JSONObject(pairs))
  }
}

extension GrowthBook.RuleStep.Outcome {
  /// A stable `snake_case` name for the outcome.
  public var code: String {
    switch self {
    case .decided: "decided"
    case .parentConditionFailed(_, _, _, let isGate):
      isGate ? "prerequisite_gate_failed" : "parent_condition_failed"
    case .cyclicPrerequisite: "cyclic_prerequisite"
    case .filteredOut: "filtered_out"
    case .conditionFalse: "condition_false"
    case .notInRollout: "not_in_rollout"
    case .notInExperiment: "not_in_experiment"
    case .passthrough: "passthrough"
    case .nothingToServe: "nothing_to_serve"
    }
  }

  var jsonPairs: [(String, JSONValue)] {
    var pairs: [(String, JSONValue)] = [("outcome", .string(code))]
    switch self {
    case .decided(let bucket), .notInRollout(let bucket):
      if let bucket { pairs.append(("bucket", .number(bucket))) }
    case .parentConditionFailed(let parent, let value, let clause, _):
      pairs += [("parent", .string(parent)), ("clause", clause), ("saw", value)]
    case .cyclicPrerequisite(let parent):
      pairs.append(("parent", .string(parent)))
    case .conditionFalse(let clause, let value):
      pairs.append(("clause", clause))
      if let value { pairs.append(("saw", value)) }
    case .notInExperiment(let miss):
      pairs += miss.jsonPairs
    case .passthrough(let variation, let bucket):
      pairs.append(("variation", .number(Double(variation))))
      if let bucket { pairs.append(("bucket", .number(bucket))) }
    case .filteredOut, .nothingToServe:
      break
    }
    return pairs
  }
}

extension GrowthBook.RuleStep.ExperimentMiss {
  /// A stable `snake_case` name for the reason.
  public var code: String {
    switch self {
    case .tooFewVariations: "too_few_variations"
    case .disabled: "disabled"
    case .draft: "draft"
    case .inactive: "inactive"
    case .noHashValue: "no_hash_value"
    case .filteredOut: "filtered_out"
    case .outsideNamespace: "outside_namespace"
    case .condition(let outcome): outcome.code
    case .unknownHashVersion: "unknown_hash_version"
    case .unassigned: "not_in_coverage"
    case .blockedStickyBucket: "blocked_sticky_bucket"
    case .qaMode: "qa_mode"
    case .stopped: "stopped"
    }
  }

  var jsonPairs: [(String, JSONValue)] {
    var pairs: [(String, JSONValue)] = [("reason", .string(code))]
    switch self {
    case .noHashValue(let attribute): pairs.append(("attribute", .string(attribute)))
    case .outsideNamespace(let namespace): pairs.append(("namespace", .string(namespace)))
    case .condition(let outcome): pairs += outcome.jsonPairs.dropFirst()
    case .unassigned(let bucket): if let bucket { pairs.append(("bucket", .number(bucket))) }
    default: break
    }
    return pairs
  }
}
