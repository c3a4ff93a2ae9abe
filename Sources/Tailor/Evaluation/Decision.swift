/// The answer for one decision and one profile: which variant, and why.
public struct Decision: Hashable, Sendable {
  /// Why a variant was served.
  public enum Reason: String, Hashable, Sendable, Codable {
    /// A rule's condition held and it serves one variant.
    case match
    /// A rule's condition held and its rollout admitted the user.
    case rollout
    /// A rule's condition held and its split chose a variant.
    case split
    /// No rule won; the decision's default (if any) is served.
    case `default`
    /// The decision's `requires` gate did not hold; the default (if any) is served.
    case prerequisiteFailed = "prerequisite_failed"
  }

  /// One served variant.
  public struct Match: Hashable, Sendable {
    /// The variant key.
    public var variant: String
    /// The variant's content.
    public var value: JSONValue
    /// The rule that served it; `nil` for the default.
    public var rule: String?
    /// Why it was served.
    public var reason: Reason
    /// The bucket number (0…1) for rollouts and splits.
    public var bucket: Double?

    /// Creates a match.
    public init(
      variant: String,
      value: JSONValue,
      rule: String?,
      reason: Reason,
      bucket: Double? = nil
    ) {
      self.variant = variant
      self.value = value
      self.rule = rule
      self.reason = reason
      self.bucket = bucket
    }
  }

  /// The decision's name.
  public var name: String
  /// Whether the decision is `mode: "all"` (answers a list of matches).
  public var isMultiple: Bool
  /// The served variants: one at most in `first` mode, up to `limit` in `all` mode.
  ///
  /// Empty when nothing matched and the decision has no default.
  public var matches: [Match]
  /// Why nothing was served, or why the default was: `default` or `prerequisite_failed`.
  ///
  /// For a served rule, the first match's reason.
  public var reason: Reason
  /// The explanation, when requested.
  public var trace: Trace?

  /// Creates a decision.
  public init(name: String, isMultiple: Bool, matches: [Match], reason: Reason, trace: Trace? = nil)
  {
    self.name = name
    self.isMultiple = isMultiple
    self.matches = matches
    self.reason = reason
    self.trace = trace
  }

  /// The served variant key (the first match), or `nil`.
  public var variant: String? { matches.first?.variant }
  /// The served content (the first match), or `null`.
  public var value: JSONValue { matches.first?.value ?? .null }
  /// The winning rule's id (the first match), or `nil`.
  public var rule: String? { matches.first?.rule }
}

/// How a decision was reached: one step per rule considered, in order.
public struct Trace: Hashable, Sendable {
  /// What happened to one rule.
  public struct Step: Hashable, Sendable {
    /// What happened.
    public enum Verdict: String, Hashable, Sendable {
      /// The rule served a variant.
      case matched
      /// The rule's schedule excludes `now`.
      case inactive
      /// The rule's condition did not hold.
      case conditionFailed = "condition_failed"
      /// The rollout did not admit the user (or the `by` attribute was missing or falsy).
      case notInRollout = "not_in_rollout"
      /// The split's coverage did not include the user.
      case notInSplit = "not_in_split"
      /// The decision's `requires` gate did not hold.
      case prerequisiteFailed = "prerequisite_failed"
    }

    /// The rule's id; `nil` for the decision's gate.
    public var rule: String?
    /// What happened.
    public var outcome: Verdict
    /// For a failed condition: the first predicate that failed, as condition JSON.
    public var failed: JSONValue?
    /// For a failed predicate: the value it saw (`null` when missing).
    public var value: JSONValue?
    /// For rollouts and splits: the user's bucket number, or `nil` without a hash value.
    public var bucket: Double?

    /// Creates a step.
    public init(
      rule: String?,
      outcome: Verdict,
      failed: JSONValue? = nil,
      value: JSONValue? = nil,
      bucket: Double? = nil
    ) {
      self.rule = rule
      self.outcome = outcome
      self.failed = failed
      self.value = value
      self.bucket = bucket
    }
  }

  /// The steps, in rule order, up to and including the winning rule.
  public var steps: [Step]

  /// Creates a trace.
  public init(steps: [Step] = []) { self.steps = steps }
}
