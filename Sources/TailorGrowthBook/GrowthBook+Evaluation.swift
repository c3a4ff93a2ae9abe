import Tailor

extension GrowthBook.Payload {
  /// Evaluates one feature for a user: GrowthBook's `evalFeature`.
  ///
  /// Rules are tried in order: prerequisites, filters, then a force rule's
  /// condition and rollout, or an experiment rule's assignment. An unknown key
  /// gives `null` with source ``GrowthBook/FeatureSource/unknownFeature``.
  ///
  /// ```swift
  /// var context = GrowthBook.Context(attributes: ["id": "u123", "country": "ES"])
  /// let result = payload.evaluateFeature("new-checkout", in: &context)
  /// ```
  ///
  /// - Parameters:
  ///   - key: The feature key.
  ///   - context: The user and options; sticky-bucket documents read and
  ///     written are kept in it.
  /// - Returns: The value, its source and rule, and the experiment result if an experiment decided.
  /// - Complexity: The feature's conditions are decided at once by the compiled
  ///   document (and those of each prerequisite feature evaluated); then
  ///   proportional to the rules tried.
  public func evaluateFeature(
    _ key: String,
    in context: inout GrowthBook.Context
  ) -> GrowthBook.FeatureResult {
    if context.isPlain, let position = compiled.plan.positions[key],
      compiled.plan.isFast[position]
    {
      return evaluateFeature(key, for: prepare(context.attributes))
    }
    let matcher = CompiledMatcher(compiled, attributes: context.attributes)
    let interpreter = FeatureInterpreter(payload: self, matcher: matcher)
    interpreter.loadStickyBuckets(&context)
    return matcher.run { interpreter.evaluateFeature(key, context: &context) }
  }

  /// Evaluates several features for one user, reading the attributes into the
  /// compiled document once for all of them.
  ///
  /// - Parameters:
  ///   - keys: The feature keys, in the order answered.
  ///   - context: The user and options, as for ``evaluateFeature(_:in:)``.
  /// - Returns: Each feature's result, in the order of `keys`.
  /// - Complexity: As ``evaluateFeature(_:in:)`` for each feature, with one
  ///   reading of the attributes.
  public func evaluateFeatures(
    _ keys: [String],
    in context: inout GrowthBook.Context
  ) -> [GrowthBook.FeatureResult] {
    // A plain context's features that the walk decides are decided first, from one
    // preparation of the attributes; the others are interpreted as below.
    var decided: [GrowthBook.FeatureResult?] = []
    if context.isPlain {
      let plan = compiled.plan
      let prepared = prepare(context.attributes)
      let found = withEvaluator { evaluator in
        var continuing = false
        let unretained = evaluator.map { Unmanaged.passUnretained($0) }
        return keys.map { key -> FeaturePlan.Outcome? in
          guard let position = plan.positions[key], plan.isFast[position] else { return nil }
          return plan.decide(position, prepared, unretained, continuing: &continuing)
        }
      }
      decided = zip(keys, found).map { key, outcome in
        outcome.flatMap { outcome in
          plan.positions[key].map { self.result($0, outcome, context.attributes) }
        }
      }
      if !decided.contains(where: { $0 == nil }) { return decided.compactMap { $0 } }
    }
    let matcher = CompiledMatcher(compiled, attributes: context.attributes)
    let interpreter = FeatureInterpreter(payload: self, matcher: matcher)
    interpreter.loadStickyBuckets(&context)
    return matcher.run {
      keys.enumerated().map { position, key in
        if position < decided.count, let known = decided[position] { return known }
        return interpreter.evaluateFeature(key, context: &context)
      }
    }
  }

  /// Evaluates one feature by interpreting every condition.
  ///
  /// The reference the compiled path is tested against. Not API.
  public func _interpretFeature(
    _ key: String,
    in context: inout GrowthBook.Context
  ) -> GrowthBook.FeatureResult {
    let interpreter = FeatureInterpreter(payload: self)
    interpreter.loadStickyBuckets(&context)
    return interpreter.evaluateFeature(key, context: &context)
  }

  /// How many features a plain context decides from the compiled document alone.
  ///
  /// The others are interpreted (``GrowthBook/FeatureEvaluator``). Not API.
  public var _walkedFeatureCount: Int { compiled.plan.fastCount }

  /// How many rule conditions the compiled document decides, and how many are
  /// interpreted because a rules document refuses them.
  public var compiledConditionCounts: (compiled: Int, interpreted: Int) {
    (compiled.compiledCount, compiled.interpretedCount)
  }

  /// Evaluates one feature for a user given only attributes (no sticky bucketing).
  ///
  /// - Parameters:
  ///   - key: The feature key.
  ///   - attributes: The user's attributes, a JSON object.
  /// - Returns: As ``evaluateFeature(_:in:)``.
  /// - Complexity: As ``evaluateFeature(_:in:)``.
  public func evaluateFeature(_ key: String, attributes: JSONValue) -> GrowthBook.FeatureResult {
    var context = GrowthBook.Context(attributes: attributes)
    return evaluateFeature(key, in: &context)
  }

  /// Runs an inline experiment for a user: GrowthBook's `run`.
  ///
  /// The payload supplies the saved groups, contextual bandits and the features
  /// that the experiment's prerequisites refer to.
  ///
  /// ```swift
  /// let experiment = try GrowthBook.Experiment(json: ["key": "my-test", "variations": [0, 1]])
  /// var context = GrowthBook.Context(attributes: ["id": "1"])
  /// let result = payload.run(experiment, in: &context)
  /// print(result.isInExperiment, result.value.jsonText)  // true 1
  /// ```
  ///
  /// - Parameters:
  ///   - experiment: The experiment.
  ///   - context: The user and options.
  /// - Returns: The assignment; when the user is not in the experiment, variation 0.
  /// - Complexity: Interpreted: the experiment's condition and prerequisites.
  public func run(
    _ experiment: GrowthBook.Experiment,
    in context: inout GrowthBook.Context
  ) -> GrowthBook.ExperimentResult {
    let matcher = CompiledMatcher(compiled, attributes: context.attributes)
    let interpreter = FeatureInterpreter(payload: self, matcher: matcher)
    interpreter.loadStickyBuckets(&context)
    return matcher.run {
      interpreter.runExperiment(experiment, featureID: nil, context: &context, path: []).0
    }
  }
}

extension GrowthBook.Context {
  /// Whether nothing in the context acts on evaluation but the attributes: no
  /// forced values or variations, no URL, no sticky buckets, enabled, not in QA mode.
  var isPlain: Bool {
    forcedFeatures.isEmpty && forcedVariations.isEmpty && url == nil && stickyBucketStore == nil
      && isEnabled && !isQAMode
  }
}
