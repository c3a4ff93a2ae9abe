import Synchronization
import Tailor

extension GrowthBook {
  /// A user's attributes read once for one payload, to evaluate many of its features.
  ///
  /// Preparing reads the attributes into the slots of the payload's compiled
  /// conditions and works out, for every attribute the payload's rollouts and
  /// experiments hash, the value hashed; evaluating a feature then reads neither
  /// again. The context is plain: no forced values or variations, no URL, no
  /// sticky buckets, enabled and not in QA mode (use ``Context`` for those).
  ///
  /// ```swift
  /// let user = payload.prepare(["id": "u123", "country": "ES"])
  /// let evaluator = payload.makeFeatureEvaluator()
  /// let checkout = payload.featureID(named: "new-checkout")!
  /// let outcome = evaluator.outcome(of: checkout, for: user)
  /// ```
  public final class PreparedAttributes: @unchecked Sendable {
    // @unchecked: the buffers are written only in `init` and freed in `deinit`.

    /// The attributes, as given.
    public let attributes: JSONValue
    /// Tells these prepared attributes from all others, for an evaluator's memo.
    let serial: UInt64
    /// The last serial handed out.
    private static let serials = Atomic<UInt64>(0)
    /// The compiled conditions they were prepared for.
    let compiled: CompiledConditions
    /// The attributes in the compiled document's slots; `nil` when nothing compiled.
    let profile: PreparedProfile?
    /// The profile's storage, unretained: the profile above keeps it alive.
    let storage: Unmanaged<PreparedProfile.Storage>?
    /// Per hashed attribute (``FeaturePlan/hashAttributes``): where the UTF-16 code
    /// units of the value hashed start in `units` and how many there are (-1 when
    /// the value is falsy: no bucket), and FNV-1a over them.
    let hashStarts: UnsafeMutablePointer<Int32>
    let hashCounts: UnsafeMutablePointer<Int32>
    let hashStates: UnsafeMutablePointer<UInt32>
    let units: UnsafeMutablePointer<UInt16>

    init(_ attributes: JSONValue, compiled: CompiledConditions) {
      self.attributes = attributes
      self.compiled = compiled
      serial = PreparedAttributes.serials.add(1, ordering: .relaxed).newValue
      profile = compiled.rules?.prepare(Profile(attributes))
      storage = profile?.unretainedStorage
      // GrowthBook's `getHashAttribute` without a fallback (no sticky buckets):
      // a top-level attribute, whose falsy value hashes no one.
      let names = compiled.plan.hashAttributes
      var inputs: [String?] = []
      inputs.reserveCapacity(names.count)
      var total = 0
      for name in names {
        var value: JSONValue = .null
        if case .object(let object) = attributes, let found = object[name] { value = found }
        let input = Bucketing.hashInput(value)
        total += input?.utf16.count ?? 0
        inputs.append(input)
      }
      // One allocation: starts, counts and states per slot (4 bytes each), then the code units.
      let count = names.count
      let memory = UnsafeMutableRawPointer.allocate(
        byteCount: max(12 * count + 2 * total, 4),
        alignment: 4
      )
      hashStarts = memory.bindMemory(to: Int32.self, capacity: count)
      hashCounts = (memory + 4 * count).bindMemory(to: Int32.self, capacity: count)
      hashStates = (memory + 8 * count).bindMemory(to: UInt32.self, capacity: count)
      units = (memory + 12 * count).bindMemory(to: UInt16.self, capacity: total)
      var next = 0
      for (slot, input) in inputs.enumerated() {
        guard let input else {
          (hashStarts + slot).initialize(to: 0)
          (hashCounts + slot).initialize(to: -1)
          (hashStates + slot).initialize(to: 0)
          continue
        }
        let start = next
        var state = FeaturePlan.offsetBasis
        for unit in input.utf16 {
          (units + next).initialize(to: unit)
          state = (state ^ UInt32(unit)) &* 0x0100_0193
          next += 1
        }
        (hashStarts + slot).initialize(to: Int32(start))
        (hashCounts + slot).initialize(to: Int32(next - start))
        (hashStates + slot).initialize(to: state)
      }
    }

    deinit {
      // Plain values in one allocation, which starts with `hashStarts`.
      UnsafeMutableRawPointer(hashStarts).deallocate()
    }
  }

  /// A feature of a loaded payload, found once by key and then used by index.
  ///
  /// An id belongs to the payload it was taken from; with another payload's
  /// evaluator it answers ``FeatureSource/unknownFeature``.
  public struct FeatureID: Hashable, Sendable {
    /// The feature's position in ``Payload/featureKeys``.
    public let index: Int
    /// The serial of the compiled conditions it was taken from.
    let serial: UInt64
  }

  /// A feature's answer as indices, without building values: the allocation-free
  /// counterpart of ``FeatureResult``.
  public struct FeatureOutcome: Hashable, Sendable {
    /// Why the feature has its value.
    public var source: FeatureSource
    /// The index, among the feature's rules, of the rule that decided; `nil` when none did.
    public var rule: Int?
    /// For an experiment rule, the variation the user is assigned.
    public var variationID: Int?

    /// Creates an outcome.
    public init(source: FeatureSource, rule: Int?, variationID: Int?) {
      self.source = source
      self.rule = rule
      self.variationID = variationID
    }
  }

  /// Evaluates features of one payload for prepared attributes, reusing its memory.
  ///
  /// Not thread-safe: give each thread its own (``Payload/makeFeatureEvaluator()``).
  /// Successive calls for the same prepared attributes share the conditions
  /// already worked out.
  public final class FeatureEvaluator {
    /// The payload whose features are evaluated.
    public let payload: Payload
    let plan: FeaturePlan
    let evaluator: Evaluator?
    /// The evaluator, unretained: the reference above keeps it alive.
    let unretained: Unmanaged<Evaluator>?
    /// The serial of the attributes of the last call, and whether the evaluator's
    /// memo describes them (the evaluator is used by nobody else); in plain memory,
    /// so that calls make no exclusivity checks.
    private let state: UnsafeMutablePointer<(serial: UInt64, isCurrent: Bool)>

    init(_ payload: Payload) {
      self.payload = payload
      plan = payload.compiled.plan
      evaluator = payload.compiled.rules?.makeEvaluator()
      unretained = evaluator.map { Unmanaged.passUnretained($0) }
      state = .allocate(capacity: 1)
      state.initialize(to: (0, false))
    }

    deinit {
      state.deallocate()
    }

    /// The outcome of a feature for a user: the rule that decided and the
    /// variation, without building the value.
    ///
    /// Features with prerequisites, filters, contextual bandits or conditions a
    /// rules document refuses are interpreted (and allocate); the others are
    /// decided from the compiled conditions with no allocation.
    ///
    /// - Parameters:
    ///   - feature: The feature, from ``Payload/featureID(named:)``.
    ///   - attributes: The user, from ``Payload/prepare(_:)``.
    /// - Returns: The source, the deciding rule's index and the experiment variation.
    /// - Complexity: One first-match decision of the compiled document, plus one
    ///   per rollout or experiment the user passes through.
    public func outcome(
      of feature: FeatureID,
      for attributes: PreparedAttributes
    ) -> FeatureOutcome {
      guard let found = fast(feature, attributes) else {
        return slowOutcome(feature, attributes)
      }
      guard found.rule >= 0 else {
        return FeatureOutcome(source: .defaultValue, rule: nil, variationID: nil)
      }
      return FeatureOutcome(
        source: found.variation >= 0 ? .experiment : .force,
        rule: Int(found.rule),
        variationID: found.variation >= 0 ? Int(found.variation) : nil
      )
    }

    /// The result of a feature for a user: ``Payload/evaluateFeature(_:in:)`` for
    /// a plain context with these attributes.
    ///
    /// - Parameters:
    ///   - feature: The feature, from ``Payload/featureID(named:)``.
    ///   - attributes: The user, from ``Payload/prepare(_:)``.
    /// - Returns: The value, its source and rule, and the experiment result if an experiment decided.
    /// - Complexity: As ``outcome(of:for:)``, and building the result.
    public func evaluate(
      _ feature: FeatureID,
      for attributes: PreparedAttributes
    ) -> FeatureResult {
      guard let found = fast(feature, attributes) else {
        guard let key = key(feature) else { return FeatureResult(.null, .unknownFeature) }
        var context = Context(attributes: attributes.attributes)
        return payload.evaluateFeature(key, in: &context)
      }
      return payload.result(feature.index, found, attributes.attributes)
    }

    /// The feature's key, when the id belongs to this payload.
    private func key(_ feature: FeatureID) -> String? {
      guard feature.serial == payload.compiled.serial, feature.index >= 0,
        feature.index < payload.featureKeys.count
      else { return nil }
      return payload.featureKeys[feature.index]
    }

    /// The walk's answer, or `nil` when the feature is not decided by the walk.
    @inline(__always)
    private func fast(
      _ feature: FeatureID,
      _ attributes: PreparedAttributes
    ) -> FeaturePlan.Outcome? {
      guard feature.serial == plan.serial, feature.index >= 0,
        feature.index < plan.featureCount, plan.isFast[feature.index],
        attributes.compiled === payload.compiled
      else { return nil }
      if state.pointee.serial != attributes.serial {
        state.pointee = (attributes.serial, false)
      }
      return plan.decide(
        feature.index,
        attributes,
        unretained,
        continuing: &state.pointee.isCurrent
      )
    }

    private func slowOutcome(
      _ feature: FeatureID,
      _ attributes: PreparedAttributes
    ) -> FeatureOutcome {
      guard let key = key(feature) else {
        return FeatureOutcome(source: .unknownFeature, rule: nil, variationID: nil)
      }
      let recorder = ExplainRecorder()
      let interpreter = FeatureInterpreter(payload: payload, recorder: recorder)
      var context = Context(attributes: attributes.attributes)
      let result = interpreter.evaluateFeature(key, context: &context)
      let rule = recorder.steps.last.flatMap { step -> Int? in
        if case .decided = step.outcome { return step.index }
        return nil
      }
      return FeatureOutcome(
        source: result.source,
        rule: result.source == .force || result.source == .experiment ? rule : nil,
        variationID: result.source == .experiment ? result.experimentResult?.variationID : nil
      )
    }
  }
}

extension GrowthBook.Payload {
  /// Reads a user's attributes once, to evaluate many features.
  ///
  /// - Parameter attributes: The user's attributes, a JSON object.
  /// - Returns: The prepared attributes, for this payload only.
  /// - Complexity: Proportional to the attributes' size and the attributes hashed.
  public func prepare(_ attributes: JSONValue) -> GrowthBook.PreparedAttributes {
    GrowthBook.PreparedAttributes(attributes, compiled: compiled)
  }

  /// The id of feature `key`, or `nil` when the payload has no such feature.
  public func featureID(named key: String) -> GrowthBook.FeatureID? {
    compiled.plan.positions[key].map { GrowthBook.FeatureID(index: $0, serial: compiled.serial) }
  }

  /// An evaluator for this payload's features, for one thread.
  public func makeFeatureEvaluator() -> GrowthBook.FeatureEvaluator {
    GrowthBook.FeatureEvaluator(self)
  }

  /// Evaluates one feature for prepared attributes, as ``evaluateFeature(_:in:)``
  /// does for a plain context holding them.
  ///
  /// - Parameters:
  ///   - key: The feature key.
  ///   - attributes: The user, from ``prepare(_:)``.
  /// - Returns: As ``evaluateFeature(_:in:)``.
  /// - Complexity: As ``GrowthBook/FeatureEvaluator/evaluate(_:for:)``, with an
  ///   evaluator borrowed for the call.
  public func evaluateFeature(
    _ key: String,
    for attributes: GrowthBook.PreparedAttributes
  ) -> GrowthBook.FeatureResult {
    guard let position = compiled.plan.positions[key], compiled.plan.isFast[position],
      attributes.compiled === compiled
    else {
      var context = GrowthBook.Context(attributes: attributes.attributes)
      return evaluateFeature(key, in: &context)
    }
    let found = withEvaluator { evaluator in
      var continuing = false
      return compiled.plan.decide(
        position,
        attributes,
        evaluator.map { Unmanaged.passUnretained($0) },
        continuing: &continuing
      )
    }
    return result(position, found, attributes.attributes)
  }

  /// Runs `body` with an evaluator of the compiled document borrowed from its pool.
  func withEvaluator<T>(_ body: (Evaluator?) -> T) -> T {
    guard let rules = compiled.rules else { return body(nil) }
    return rules.withEvaluator { body($0) }
  }

  /// The feature result of the walk's answer for feature `position`.
  func result(
    _ position: Int,
    _ found: FeaturePlan.Outcome,
    _ attributes: JSONValue
  ) -> GrowthBook.FeatureResult {
    let key = featureKeys[position]
    guard let feature = features[key] else {
      return GrowthBook.FeatureResult(.null, .unknownFeature)
    }
    guard found.rule >= 0 else {
      return GrowthBook.FeatureResult(feature.defaultValue, .defaultValue)
    }
    let rule = feature.rules[Int(found.rule)]
    if let force = rule.force { return GrowthBook.FeatureResult(force, .force, ruleID: rule.id) }
    guard let experiment = rule.experiment else {
      return GrowthBook.FeatureResult(feature.defaultValue, .defaultValue)
    }
    // The assignment as GrowthBook reports it: the interpreter's own steps, whose
    // condition is known to hold.
    var context = GrowthBook.Context(attributes: attributes)
    let (assigned, ran) = FeatureInterpreter(payload: self).runExperiment(
      experiment,
      featureID: key,
      context: &context,
      path: [],
      conditionHolds: true
    )
    var decided = GrowthBook.FeatureResult(assigned.value, .experiment, ruleID: rule.id)
    decided.experiment = ran
    decided.experimentResult = assigned
    return decided
  }
}
