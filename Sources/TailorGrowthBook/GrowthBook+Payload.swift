import Tailor

extension GrowthBook {
  /// A GrowthBook SDK payload: features with their rules, saved groups and
  /// contextual bandits, loaded once and evaluated for many attribute sets.
  ///
  /// The payload is what GrowthBook's SDK endpoint serves:
  /// `{"features":{…},"savedGroups":{…}}`, or the same with
  /// `encryptedFeatures` and `encryptedSavedGroups` when the SDK connection
  /// encrypts them (pass its key as `decryptionKey`). Keys GrowthBook adds that
  /// evaluation does not read are ignored, as GrowthBook's SDKs ignore them.
  ///
  /// Evaluation follows GrowthBook's exact semantics: conditions are lenient
  /// (an invalid pattern or unknown operator is false, an unknown saved group is
  /// empty), and hashing and bucketing match its SDKs. Loading compiles the
  /// rules' conditions into a rules document, one `mode: "all"` decision per
  /// feature, so Tailor's compiled evaluator decides them; the few a rules
  /// document refuses (an invalid pattern, say) are interpreted. Features
  /// without prerequisites, filters or contextual bandits also get first-match
  /// decisions, so that for a plain context they are decided without the
  /// interpreter: ``prepare(_:)`` reads a user once, and a
  /// ``GrowthBook/FeatureEvaluator`` answers with indices and no allocation.
  ///
  /// ```swift
  /// let payload = try GrowthBook.Payload(json: #"""
  ///   {"features": {"new-checkout": {"defaultValue": false,
  ///     "rules": [{"condition": {"country": "ES"}, "force": true}]}}}
  ///   """#)
  /// let result = payload.evaluateFeature("new-checkout", attributes: ["country": "ES"])
  /// print(result.value.jsonText, result.source)  // true force
  /// ```
  public struct Payload: Sendable {
    /// The features by key.
    package let features: [String: Feature]
    /// The feature keys, in payload order.
    public let featureKeys: [String]
    /// The saved groups by id, for `$inGroup` and `$notInGroup`.
    package let savedGroups: [String: [JSONValue]]
    /// The contextual bandits by id, referred to by experiment rules.
    package let contextualBandits: [String: ContextualBandit]
    /// Saved groups as member sets, built once for condition evaluation.
    let groupMembers: [String: Set<JSONValue>]
    /// The attributes experiment rules hash or fall back to: the sticky-bucket
    /// documents read before evaluating.
    let stickyBucketAttributes: [String]
    /// The rules' conditions, compiled into a rules document.
    let compiled: CompiledConditions

    init(
      features: [String: Feature],
      featureKeys: [String],
      savedGroups: [String: [JSONValue]],
      contextualBandits: [String: ContextualBandit],
      compiles: Bool = true
    ) {
      self.features = features
      self.featureKeys = featureKeys
      self.savedGroups = savedGroups
      self.contextualBandits = contextualBandits
      self.groupMembers = ConditionEvaluator.memberSets(savedGroups)
      var attributes: [String] = []
      for key in featureKeys {
        for rule in features[key]?.rules ?? [] {
          guard let experiment = rule.experiment else { continue }
          let hashAttribute = experiment.hashAttribute ?? ""
          for name in [
            hashAttribute.isEmpty ? "id" : hashAttribute, experiment.fallbackAttribute ?? "",
          ]
          where !name.isEmpty && !attributes.contains(name) {
            attributes.append(name)
          }
        }
      }
      self.stickyBucketAttributes = attributes
      self.compiled = CompiledConditions(
        features: compiles ? features : [:],
        keys: compiles ? featureKeys : [],
        savedGroups: savedGroups
      )
    }
  }

  /// One feature: its default value and its rules, tried in order.
  package struct Feature: Sendable {
    /// The value when no rule applies (`null` when the payload has none).
    package let defaultValue: JSONValue
    /// The rules, in order.
    package let rules: [FeatureRule]
  }

  /// One rule of a feature: a force rule (with an optional rollout), or an
  /// experiment rule.
  package struct FeatureRule: Sendable {
    /// The rule's `id`, reported as the result's ``FeatureResult/ruleID``.
    package let id: String?
    /// The targeting condition, if any.
    package let condition: Condition?
    /// Prerequisites: conditions on other features' values.
    package let parentConditions: [ParentCondition]
    /// Hash filters; the user must fall in every filter's ranges.
    package let filters: [Filter]?
    /// What a force rule serves; `nil` when the rule has no `force` key.
    package let force: JSONValue?
    /// The rollout's share of users (a force rule without `range`).
    package let coverage: Double?
    /// The rollout's bucket range; when present, ``coverage`` is ignored.
    package let range: BucketRange?
    /// The attribute hashed for the rollout (`id` when absent).
    package let hashAttribute: String?
    /// The attribute hashed when ``hashAttribute`` is missing (with sticky bucketing only).
    package let fallbackAttribute: String?
    /// GrowthBook's hash version (1 when absent).
    package let hashVersion: Double?
    /// The rollout's hash seed (the feature key when absent).
    package let seed: String?
    /// Whether sticky bucketing is off for this rule.
    package let disablesStickyBucketing: Bool
    /// The experiment, when the rule has `variations` or `contextualVariations`.
    package let experiment: Experiment?
  }

  /// A prerequisite: a condition on the value of another feature, tested as `{"value": …}`.
  package struct ParentCondition: Sendable {
    /// The parent feature's key.
    package let id: String
    /// The condition on `{"value": parentValue}`.
    package let condition: Condition
    /// Whether failing it blocks the feature (`prerequisite`) rather than skipping the rule.
    package let isGate: Bool
  }

  /// A hash filter: the user's hash of ``attribute`` must fall in one of ``ranges``.
  package struct Filter: Sendable {
    /// The attribute hashed (`id` when absent).
    package let attribute: String?
    /// The hash seed.
    package let seed: String
    /// The hash version (2 when absent).
    package let hashVersion: Double?
    /// The ranges, any of which admits the user.
    package let ranges: [BucketRange]
  }

  /// An experiment namespace: users whose namespace hash is in `[start, end)` are eligible.
  package struct Namespace: Sendable, Hashable {
    /// The namespace id.
    package let id: String
    /// The first hash admitted.
    package let start: Double
    /// The first hash past the admitted range.
    package let end: Double
  }

  /// Per-variation metadata of an experiment.
  package struct VariationMeta: Sendable, Hashable {
    /// The variation's key (its index as text when absent).
    package let key: String?
    /// The variation's name.
    package let name: String?
    /// Whether a feature rule falls through for users assigned this variation (a holdout).
    package let isPassthrough: Bool
  }

  /// A contextual bandit: leaves with conditions, each with its own variation weights.
  package struct ContextualBandit: Sendable {
    /// One leaf: when its condition holds, its weights split the users.
    package struct Leaf: Sendable {
      /// The leaf id, reported in the result.
      package let id: JSONValue
      /// The condition on the attributes.
      package let condition: Condition
      /// The variation weights.
      package let weights: [Double]
    }
    /// The version, reported in the result when present.
    package let version: JSONValue?
    /// The leaves, tried in order.
    package let leaves: [Leaf]
  }

  /// An experiment: variations, how users are split among them, and who is eligible.
  ///
  /// A feature's experiment rule becomes one, keyed by its `key` or the feature key.
  /// ``Payload/run(_:in:)`` runs one directly.
  public struct Experiment: Sendable {
    /// The experiment key, also the default hash seed.
    public let key: String
    /// The variations' values.
    public let variations: [JSONValue]
    /// The variations' weights (equal when absent or invalid).
    public internal(set) var weights: [Double]?
    /// Whether the experiment runs (`active`, true when absent).
    public let isActive: Bool
    /// GrowthBook's `status`: `draft` and `stopped` experiments assign no one.
    public let status: String?
    /// The share of eligible users included (1 when absent).
    public let coverage: Double?
    /// Explicit bucket ranges; they replace ``weights`` and ``coverage``.
    package let ranges: [BucketRange]?
    /// The targeting condition, if any.
    package let condition: Condition?
    /// Prerequisites on other features.
    package let parentConditions: [ParentCondition]
    /// The namespace, ignored when ``filters`` are present.
    package let namespace: Namespace?
    /// A forced variation index, applied after coverage.
    public let force: Int?
    /// The attribute hashed (`id` when absent).
    public let hashAttribute: String?
    /// The attribute hashed when ``hashAttribute`` is missing (with sticky bucketing only).
    public let fallbackAttribute: String?
    /// GrowthBook's hash version (1 when absent).
    public let hashVersion: Double?
    /// The hash seed (``key`` when absent).
    public let seed: String?
    /// Hash filters, replacing ``namespace``.
    package let filters: [Filter]?
    /// Per-variation metadata.
    package let meta: [VariationMeta]?
    /// Whether sticky bucketing is off for this experiment.
    public let disablesStickyBucketing: Bool
    /// The sticky-bucket version (0 when absent).
    public let bucketVersion: Int
    /// Sticky buckets of earlier versions block the user (0 when absent).
    public let minBucketVersion: Int
    /// The contextual bandit whose leaves pick the weights, if any.
    package let contextualBanditRef: String?
    /// The experiment as GrowthBook's SDKs report it in a feature result.
    package internal(set) var json: JSONObject
  }
}
