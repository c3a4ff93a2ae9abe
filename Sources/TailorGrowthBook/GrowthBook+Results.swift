import Tailor

extension GrowthBook {
  /// Why a feature has its value: GrowthBook's `source`.
  public enum FeatureSource: String, Sendable, Hashable {
    /// The payload has no such feature.
    case unknownFeature
    /// The context forces the value (``Context/forcedFeatures``).
    case override
    /// No rule applied.
    case defaultValue
    /// A force rule (possibly a rollout) applied.
    case force
    /// An experiment rule assigned the user a variation.
    case experiment
    /// A gating prerequisite failed; the value is `null`.
    case prerequisite
    /// Prerequisites refer to each other in a cycle; the value is `null`.
    case cyclicPrerequisite
  }

  /// A feature's value for one user, and why: GrowthBook's `FeatureResult`.
  public struct FeatureResult: Sendable {
    /// The value.
    public var value: JSONValue
    /// Why the feature has this value.
    public var source: FeatureSource
    /// The `id` of the rule that decided (`""` when none or when the rule has no id).
    public var ruleID: String
    /// The experiment that decided, when ``source`` is ``FeatureSource/experiment``.
    public var experiment: Experiment?
    /// The user's assignment, when ``source`` is ``FeatureSource/experiment``.
    public var experimentResult: ExperimentResult?

    /// Whether the value is truthy, as JavaScript's `Boolean(value)`: GrowthBook's `on`.
    public var isOn: Bool { JavaScript.isTruthy(value) }
    /// Whether the value is falsy: GrowthBook's `off`.
    public var isOff: Bool { !isOn }

    /// The result in GrowthBook's JSON shape: `value`, `on`, `off`, `source`,
    /// `ruleId`, and `experiment` and `experimentResult` for experiments.
    public var json: JSONValue {
      var pairs: [(String, JSONValue)] = [
        ("value", value), ("on", .bool(isOn)), ("off", .bool(isOff)),
        ("source", .string(source.rawValue)), ("ruleId", .string(ruleID)),
      ]
      if let experiment { pairs.append(("experiment", .object(experiment.json))) }
      if let experimentResult { pairs.append(("experimentResult", experimentResult.json)) }
      return .object(JSONObject(pairs))
    }
  }

  /// Which leaf of a contextual bandit chose the weights.
  public struct BanditAssignment: Sendable, Hashable {
    /// The leaf's id; -1 when no leaf matched and the experiment's own weights applied.
    public var leafID: JSONValue
    /// The weights used.
    public var variationWeights: [Double]
    /// The bandit's version, when it has one.
    public var banditVersion: JSONValue?
  }

  /// A user's assignment in one experiment: GrowthBook's `Result`.
  public struct ExperimentResult: Sendable, Hashable {
    /// Whether the user is in the experiment; when not, ``variationID`` is 0.
    public var isInExperiment: Bool
    /// The variation's index.
    public var variationID: Int
    /// The variation's value.
    public var value: JSONValue
    /// The variation's key: its meta key, or its index as text.
    public var key: String
    /// The variation's meta name, if any.
    public var name: String?
    /// The attribute hashed.
    public var hashAttribute: String
    /// The attribute's value (`""` when it is missing or falsy).
    public var hashValue: JSONValue
    /// Whether the assignment came from hashing rather than being forced.
    public var isHashUsed: Bool
    /// The user's bucket in [0, 1), when hashing assigned the user.
    public var bucket: Double?
    /// The feature the experiment belongs to, for a feature's experiment rule.
    public var featureID: String?
    /// Whether the assignment came from a sticky bucket.
    public var isStickyBucketUsed: Bool
    /// Whether the variation is a passthrough (a holdout), so a feature rule falls through.
    public var isPassthrough: Bool
    /// The contextual bandit's leaf, when a bandit chose the weights.
    public var bandit: BanditAssignment?

    /// The result in GrowthBook's JSON shape.
    public var json: JSONValue {
      var pairs: [(String, JSONValue)] = [
        ("featureId", featureID.map(JSONValue.string) ?? .null),
        ("inExperiment", .bool(isInExperiment)), ("variationId", .number(Double(variationID))),
        ("value", value), ("key", .string(key)), ("hashAttribute", .string(hashAttribute)),
        ("hashValue", hashValue), ("hashUsed", .bool(isHashUsed)),
        ("stickyBucketUsed", .bool(isStickyBucketUsed)),
      ]
      if let name { pairs.append(("name", .string(name))) }
      if let bucket { pairs.append(("bucket", .number(bucket))) }
      if isPassthrough { pairs.append(("passthrough", true)) }
      if let bandit {
        pairs.append(("leafId", bandit.leafID))
        pairs.append(("variationWeights", .array(bandit.variationWeights.map(JSONValue.number))))
        if let version = bandit.banditVersion { pairs.append(("banditVersion", version)) }
      }
      return .object(JSONObject(pairs))
    }
  }
}
