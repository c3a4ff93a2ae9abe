import Tailor

/// Evaluates a payload's features and experiments by interpreting them,
/// step by step as GrowthBook's SDKs do (`evalFeature` and `runExperiment`).
///
/// This is the reference for GrowthBook payloads: a later compiled path must
/// agree with it.
struct FeatureInterpreter {
  let payload: GrowthBook.Payload
  let conditions: ConditionEvaluator
  /// Collects why each rule of the evaluated feature did or did not decide; `nil` when not explaining.
  let recorder: ExplainRecorder?
  /// Decides feature rules' conditions through the compiled document; `nil` interprets them all.
  let matcher: CompiledMatcher?

  /// The deepest chain of prerequisites followed.
  ///
  /// GrowthBook sets no limit; a deeper chain ends as a cycle does, so no
  /// payload can exhaust the stack.
  static let maxPrerequisiteDepth = 64

  init(
    payload: GrowthBook.Payload,
    recorder: ExplainRecorder? = nil,
    matcher: CompiledMatcher? = nil
  ) {
    self.payload = payload
    self.conditions = ConditionEvaluator(memberSets: payload.groupMembers)
    self.recorder = recorder
    self.matcher = matcher
  }

  /// Whether rule `index` of feature `key`, whose condition is `condition`, holds:
  /// from the compiled document when it compiled, else interpreted.
  private func ruleHolds(
    _ key: String,
    _ index: Int,
    _ condition: Condition,
    _ context: GrowthBook.Context
  ) -> Bool {
    if let matcher, let holds = matcher.holds(key, index) { return holds }
    return conditions.evaluate(condition, on: context.attributes)
  }

  // MARK: Features

  /// GrowthBook's `evalFeature`.
  ///
  /// `path` holds the features being evaluated above this one, through
  /// prerequisites, so that a cycle ends the walk.
  func evaluateFeature(
    _ key: String,
    context: inout GrowthBook.Context,
    path: Set<String> = []
  ) -> GrowthBook.FeatureResult {
    if path.contains(key) || path.count >= FeatureInterpreter.maxPrerequisiteDepth {
      return GrowthBook.FeatureResult(.null, .cyclicPrerequisite)
    }
    if let forced = context.forcedFeatures[key] {
      return GrowthBook.FeatureResult(forced, .override)
    }
    guard let feature = payload.features[key] else {
      return GrowthBook.FeatureResult(.null, .unknownFeature)
    }
    // Only the feature asked for is explained, not the prerequisites evaluated for it.
    let recorder = path.isEmpty ? self.recorder : nil
    var path = path
    path.insert(key)
    // Force rules whose compiled condition is false are passed over without reading
    // them (the answer is the same: the interpreter would continue).
    // So are experiment rules whose condition is false, when nothing in the context
    // (a forced variation, the URL, a sticky bucket) could act before the condition.
    let plainContext =
      context.forcedVariations.isEmpty && context.url == nil && context.stickyBucketStore == nil
    let order = matcher?.rulesToRead(key, plainContext: plainContext)
    rules: for index in order ?? Array(feature.rules.indices) {
      let rule = feature.rules[index]
      func record(_ outcome: GrowthBook.RuleStep.Outcome) {
        recorder?.steps.append(GrowthBook.RuleStep(index: index, ruleID: rule.id, outcome: outcome))
      }
      for parent in rule.parentConditions {
        let parentResult = evaluateFeature(parent.id, context: &context, path: path)
        if parentResult.source == .cyclicPrerequisite {
          record(.cyclicPrerequisite(parent: parent.id))
          return GrowthBook.FeatureResult(.null, .cyclicPrerequisite)
        }
        guard passes(parent, parentValue: parentResult.value) else {
          record(
            .parentConditionFailed(
              parent: parent.id,
              value: parentResult.value,
              clause: parent.condition.json,
              isGate: parent.isGate
            )
          )
          if parent.isGate { return GrowthBook.FeatureResult(.null, .prerequisite) }
          continue rules
        }
      }
      if let filters = rule.filters, isFilteredOut(filters, context) {
        record(.filteredOut)
        continue
      }
      if let force = rule.force {
        if let condition = rule.condition, !ruleHolds(key, index, condition, context) {
          if recorder != nil { record(failure(condition, context.attributes)) }
          continue
        }
        let sticky = context.stickyBucketStore != nil && !rule.disablesStickyBucketing
        let (included, bucket) = isIncludedInRollout(
          seed: nonEmpty(rule.seed) ?? key,
          hashAttribute: rule.hashAttribute,
          fallbackAttribute: sticky ? rule.fallbackAttribute : nil,
          range: rule.range,
          coverage: rule.coverage,
          hashVersion: rule.hashVersion,
          context
        )
        guard included else {
          record(.notInRollout(bucket: bucket))
          continue
        }
        record(.decided(bucket: bucket))
        return GrowthBook.FeatureResult(force, .force, ruleID: rule.id)
      }
      guard let experiment = rule.experiment else {
        record(.nothingToServe)
        continue
      }
      recorder?.experimentMiss = nil
      // The experiment's condition is the rule's.
      let holds = experiment.condition.map { ruleHolds(key, index, $0, context) }
      let (result, ran) = runExperiment(
        experiment,
        featureID: key,
        context: &context,
        path: path,
        conditionHolds: holds
      )
      if result.isInExperiment && !result.isPassthrough {
        record(.decided(bucket: result.bucket))
        var decided = GrowthBook.FeatureResult(result.value, .experiment, ruleID: rule.id)
        decided.experiment = ran
        decided.experimentResult = result
        return decided
      }
      if result.isPassthrough {
        record(.passthrough(variation: result.variationID, bucket: result.bucket))
      } else {
        record(.notInExperiment(recorder?.experimentMiss ?? .unassigned(bucket: result.bucket)))
      }
    }
    return GrowthBook.FeatureResult(feature.defaultValue, .defaultValue)
  }

  private func passes(_ parent: GrowthBook.ParentCondition, parentValue: JSONValue) -> Bool {
    conditions.evaluate(parent.condition, on: .object(JSONObject([("value", parentValue)])))
  }

  // MARK: Experiments

  /// GrowthBook's `runExperiment`: the result, and the experiment as run (a
  /// contextual bandit's leaf replaces its weights).
  // swift-format-ignore: FunctionBodyLength
  // The steps follow GrowthBook's numbered order, which is itself the specification.
  func runExperiment(
    _ definition: GrowthBook.Experiment,
    featureID: String?,
    context: inout GrowthBook.Context,
    path: Set<String>,
    conditionHolds: Bool? = nil
  ) -> (GrowthBook.ExperimentResult, GrowthBook.Experiment) {
    // A contextual bandit's matching leaf replaces the weights before anything else.
    let (experiment, bandit) = routed(definition, context)
    let count = experiment.variations.count
    let sticky = context.stickyBucketStore != nil && !experiment.disablesStickyBucketing
    let fallback = sticky ? experiment.fallbackAttribute : nil
    var outcome = ExperimentResultBuilder(
      experiment: experiment,
      featureID: featureID,
      sticky: sticky
    )
    // Only the experiment of the feature (or the inline experiment) asked for is explained.
    let recorder = path.count <= 1 ? self.recorder : nil
    func notIn(
      _ miss: @autoclosure () -> GrowthBook.RuleStep.ExperimentMiss
    ) -> (GrowthBook.ExperimentResult, GrowthBook.Experiment) {
      recorder?.experimentMiss = miss()
      return (outcome.result(-1, hashUsed: false, context), experiment)
    }
    func forced(_ index: Int) -> (GrowthBook.ExperimentResult, GrowthBook.Experiment) {
      (outcome.result(index, hashUsed: false, context), experiment)
    }
    // 1–4: too few variations, disabled, forced by the URL or the context.
    guard count >= 2 else { return notIn(.tooFewVariations) }
    guard context.isEnabled else { return notIn(.disabled) }
    if let url = context.url,
      let index = GrowthBook.queryStringOverride(experiment.key, url: url, variationCount: count)
    {
      return forced(index)
    }
    if let index = context.forcedVariations[experiment.key] { return forced(index) }
    // 5: draft or inactive.
    guard experiment.status != "draft" else { return notIn(.draft) }
    guard experiment.isActive else { return notIn(.inactive) }
    // 6: the hash value.
    let (_, hashValue) = hashAttribute(experiment.hashAttribute, fallback, context)
    guard let input = Bucketing.hashInput(hashValue) else {
      return notIn(
        .noHashValue(attribute: hashAttribute(experiment.hashAttribute, fallback, context).0)
      )
    }
    // 6.5: a sticky bucket, unless blocked by a minimum bucket version.
    var assigned = -1
    var isBlocked = false
    if sticky {
      (assigned, isBlocked) = stickyBucketVariation(experiment, &context)
    }
    let foundSticky = assigned >= 0
    // 7: filters, or else the namespace (skipped for a sticky bucket).
    if !foundSticky {
      if let filters = experiment.filters {
        if isFilteredOut(filters, context) { return notIn(.filteredOut) }
      } else if let namespace = experiment.namespace {
        let inside = Bucketing.inNamespace(
          input,
          namespace: namespace.id,
          start: namespace.start,
          end: namespace.end
        )
        if !inside { return notIn(.outsideNamespace(namespace.id)) }
      }
    }
    // 8: the condition and the prerequisites.
    if let condition = experiment.condition,
      !(conditionHolds ?? conditions.evaluate(condition, on: context.attributes))
    {
      return notIn(.condition(failure(condition, context.attributes)))
    }
    for parent in experiment.parentConditions {
      let parentResult = evaluateFeature(parent.id, context: &context, path: path)
      if parentResult.source == .cyclicPrerequisite {
        return notIn(.condition(.cyclicPrerequisite(parent: parent.id)))
      }
      if !passes(parent, parentValue: parentResult.value) {
        return notIn(
          .condition(
            .parentConditionFailed(
              parent: parent.id,
              value: parentResult.value,
              clause: parent.condition.json,
              isGate: parent.isGate
            )
          )
        )
      }
    }
    // 9: the bucket.
    guard
      let bucket = hash(
        seed: nonEmpty(experiment.seed) ?? experiment.key,
        input,
        version: experiment.hashVersion,
        default: 1
      )
    else { return notIn(.unknownHashVersion) }
    // 10: the variation, from explicit ranges or the (bandit's) weights and coverage.
    if !foundSticky {
      let ranges =
        experiment.ranges
        ?? Bucketing.bucketRanges(
          count: count,
          coverage: experiment.coverage ?? 1,
          weights: experiment.weights
        )
      assigned = Bucketing.chooseVariation(bucket, ranges: ranges)
    }
    // 11–15: blocked sticky bucket, no variation, forced, QA mode, stopped.
    if isBlocked {
      recorder?.experimentMiss = .blockedStickyBucket
      return (outcome.result(-1, hashUsed: false, stickyBucketUsed: true, context), experiment)
    }
    guard assigned >= 0 else { return notIn(.unassigned(bucket: bucket)) }
    if let index = experiment.force { return forced(index) }
    guard !context.isQAMode else { return notIn(.qaMode) }
    guard experiment.status != "stopped" else { return notIn(.stopped) }
    // 16–17: the result, remembered in the user's sticky bucket. A bandit is
    // reported only for users it bucketed.
    var ran = experiment
    if let bandit, !foundSticky {
      outcome.bandit = bandit
      var banditJSON: [(String, JSONValue)] = [
        ("leafId", bandit.leafID),
        ("variationWeights", .array(bandit.variationWeights.map(JSONValue.number))),
      ]
      if let version = bandit.banditVersion { banditJSON.append(("banditVersion", version)) }
      ran.json["contextualBandit"] = .object(JSONObject(banditJSON))
    }
    let result = outcome.result(
      assigned,
      hashUsed: true,
      bucket: bucket,
      stickyBucketUsed: foundSticky,
      context
    )
    if sticky {
      let (attribute, value) = hashAttribute(experiment.hashAttribute, fallback, context)
      remember(
        [stickyKey(experiment.key, experiment.bucketVersion): result.key],
        attributeName: attribute,
        attributeValue: JavaScript.toString(value),
        &context
      )
    }
    return (result, ran)
  }

  /// Builds experiment results, as GrowthBook's `getExperimentResult`.
  private struct ExperimentResultBuilder {
    let experiment: GrowthBook.Experiment
    let featureID: String?
    let sticky: Bool
    var bandit: GrowthBook.BanditAssignment?

    init(experiment: GrowthBook.Experiment, featureID: String?, sticky: Bool) {
      self.experiment = experiment
      self.featureID = featureID
      self.sticky = sticky
    }

    func result(
      _ index: Int,
      hashUsed: Bool,
      bucket: Double? = nil,
      stickyBucketUsed: Bool = false,
      _ context: GrowthBook.Context
    ) -> GrowthBook.ExperimentResult {
      let count = experiment.variations.count
      let inExperiment = index >= 0 && index < count
      let variation = inExperiment ? index : 0
      let (attribute, value) = FeatureInterpreter.hashAttribute(
        experiment.hashAttribute,
        sticky ? experiment.fallbackAttribute : nil,
        context
      )
      let meta = experiment.meta.flatMap { variation < $0.count ? $0[variation] : nil }
      return GrowthBook.ExperimentResult(
        isInExperiment: inExperiment,
        variationID: variation,
        value: variation < count ? experiment.variations[variation] : .null,
        key: nonEmpty(meta?.key) ?? String(variation),
        name: nonEmpty(meta?.name),
        hashAttribute: attribute,
        hashValue: value,
        isHashUsed: hashUsed,
        bucket: bucket,
        featureID: featureID,
        isStickyBucketUsed: stickyBucketUsed,
        isPassthrough: meta?.isPassthrough ?? false,
        bandit: inExperiment && hashUsed ? bandit : nil
      )
    }
  }

  /// The experiment with its contextual bandit's weights, and the bandit's
  /// choice; unchanged, and `nil`, without a bandit (or with an unknown one).
  private func routed(
    _ experiment: GrowthBook.Experiment,
    _ context: GrowthBook.Context
  ) -> (GrowthBook.Experiment, GrowthBook.BanditAssignment?) {
    guard let reference = experiment.contextualBanditRef,
      let bandit = payload.contextualBandits[reference]
    else { return (experiment, nil) }
    let assignment = route(experiment, bandit, context)
    var routed = experiment
    if experiment.weights != nil || assignment.leafID != -1 {
      routed.weights = assignment.variationWeights
      routed.json["weights"] = .array(assignment.variationWeights.map(JSONValue.number))
    }
    return (routed, assignment)
  }

  /// The first leaf whose condition holds chooses the weights; with none, the
  /// experiment's own weights apply and the leaf is -1.
  private func route(
    _ experiment: GrowthBook.Experiment,
    _ bandit: GrowthBook.ContextualBandit,
    _ context: GrowthBook.Context
  ) -> GrowthBook.BanditAssignment {
    for leaf in bandit.leaves where conditions.evaluate(leaf.condition, on: context.attributes) {
      return GrowthBook.BanditAssignment(
        leafID: leaf.id,
        variationWeights: leaf.weights,
        banditVersion: bandit.version
      )
    }
    return GrowthBook.BanditAssignment(
      leafID: -1,
      variationWeights: experiment.weights ?? Bucketing.equalWeights(experiment.variations.count),
      banditVersion: bandit.version
    )
  }

  // MARK: Hashing

  /// GrowthBook's `getHashAttribute`: the attribute (top level only) and its
  /// value, or `""` when it is falsy; the fallback is used when the value is falsy.
  static func hashAttribute(
    _ name: String?,
    _ fallback: String?,
    _ context: GrowthBook.Context
  ) -> (String, JSONValue) {
    let attribute = nonEmpty(name) ?? "id"
    if let value = topLevel(attribute, context), JavaScript.isTruthy(value) {
      return (attribute, value)
    }
    if let fallback = nonEmpty(fallback), let value = topLevel(fallback, context),
      JavaScript.isTruthy(value)
    {
      return (fallback, value)
    }
    return (attribute, "")
  }

  private func hashAttribute(
    _ name: String?,
    _ fallback: String?,
    _ context: GrowthBook.Context
  ) -> (String, JSONValue) {
    FeatureInterpreter.hashAttribute(name, fallback, context)
  }

  private static func topLevel(_ name: String, _ context: GrowthBook.Context) -> JSONValue? {
    guard case .object(let attributes) = context.attributes else { return nil }
    return attributes[name]
  }

  /// `hash(seed, value, version || default)`: `nil` for a version other than 1 or 2.
  private func hash(seed: String, _ value: String, version: Double?, default: Int) -> Double? {
    let chosen = version.flatMap { $0 == 0 ? nil : $0 } ?? Double(`default`)
    guard chosen == 1 || chosen == 2 else { return nil }
    return Bucketing.hash(seed: seed, value: value, version: Int(chosen))
  }

  /// GrowthBook's `isFilteredOut`: out when any filter lacks a hash value or
  /// puts the user outside all its ranges.
  private func isFilteredOut(_ filters: [GrowthBook.Filter], _ context: GrowthBook.Context) -> Bool
  {
    filters.contains { filter in
      let (_, value) = hashAttribute(filter.attribute, nil, context)
      guard let input = Bucketing.hashInput(value),
        let n = hash(seed: filter.seed, input, version: filter.hashVersion, default: 2)
      else { return true }
      return !filter.ranges.contains { n >= $0.start && n < $0.end }
    }
  }

  /// GrowthBook's `isIncludedInRollout`, with the user's bucket when one was hashed.
  ///
  /// A range admits `start ≤ n < end`; coverage admits `n ≤ coverage` (inclusive).
  private func isIncludedInRollout(
    seed: String,
    hashAttribute name: String?,
    fallbackAttribute: String?,
    range: BucketRange?,
    coverage: Double?,
    hashVersion: Double?,
    _ context: GrowthBook.Context
  ) -> (Bool, bucket: Double?) {
    if range == nil {
      guard let coverage else { return (true, nil) }
      if coverage == 0 { return (false, nil) }
    }
    let (_, value) = hashAttribute(name, fallbackAttribute, context)
    guard let input = Bucketing.hashInput(value),
      let n = hash(seed: seed, input, version: hashVersion, default: 1)
    else { return (false, nil) }
    if let range { return (n >= range.start && n < range.end, n) }
    if let coverage { return (n <= coverage, n) }
    return (true, n)
  }

  // MARK: Sticky buckets

  private func stickyKey(_ experimentKey: String, _ version: Int) -> String {
    experimentKey + "__" + String(version)
  }

  /// GrowthBook's `getStickyBucketVariation`: the stored variation (-1 when
  /// none), and whether an assignment from a version below the minimum blocks the user.
  private func stickyBucketVariation(
    _ experiment: GrowthBook.Experiment,
    _ context: inout GrowthBook.Context
  ) -> (Int, Bool) {
    let assignments = stickyAssignments(experiment, &context)
    for version in 0..<max(0, experiment.minBucketVersion)
    where assignments[stickyKey(experiment.key, version)] != nil {
      return (-1, true)
    }
    guard let key = assignments[stickyKey(experiment.key, experiment.bucketVersion)],
      let index = (experiment.meta ?? []).firstIndex(where: { $0.key == key })
    else { return (-1, false) }
    return (index, false)
  }

  /// The user's assignments: the fallback attribute's document, overridden by the hash attribute's.
  private func stickyAssignments(
    _ experiment: GrowthBook.Experiment,
    _ context: inout GrowthBook.Context
  ) -> [String: String] {
    let attribute = nonEmpty(experiment.hashAttribute) ?? "id"
    let (_, value) = hashAttribute(attribute, nil, context)
    let (fallbackAttribute, fallbackValue) = hashAttribute(
      experiment.fallbackAttribute,
      nil,
      context
    )
    var merged: [String: String] = [:]
    if JavaScript.isTruthy(fallbackValue),
      let document = stickyDocument(
        fallbackAttribute,
        JavaScript.toString(fallbackValue),
        &context
      )
    {
      merged.merge(document.assignments) { _, new in new }
    }
    if let document = stickyDocument(attribute, JavaScript.toString(value), &context) {
      merged.merge(document.assignments) { _, new in new }
    }
    return merged
  }

  /// Reads the sticky-bucket documents of every attribute the payload's
  /// experiments hash, once per context, as GrowthBook's SDKs do before evaluating.
  func loadStickyBuckets(_ context: inout GrowthBook.Context) {
    guard context.stickyBucketStore != nil else { return }
    for name in payload.stickyBucketAttributes {
      guard let value = FeatureInterpreter.topLevel(name, context), JavaScript.isTruthy(value)
      else { continue }
      _ = stickyDocument(name, JavaScript.toString(value), &context)
    }
  }

  /// The document for one attribute value: from the context, else read from the store once.
  private func stickyDocument(
    _ name: String,
    _ value: String,
    _ context: inout GrowthBook.Context
  ) -> GrowthBook.StickyBucketDocument? {
    let key = name + "||" + value
    if let document = context.stickyBucketDocuments[key] { return document }
    guard let store = context.stickyBucketStore, !context.lookedUp.contains(key) else { return nil }
    context.lookedUp.insert(key)
    let document = store.document(attributeName: name, attributeValue: value)
    context.stickyBucketDocuments[key] = document
    return document
  }

  /// Adds assignments to a user's document, saving it when anything changed.
  private func remember(
    _ assignments: [String: String],
    attributeName: String,
    attributeValue: String,
    _ context: inout GrowthBook.Context
  ) {
    let existing = stickyDocument(attributeName, attributeValue, &context)?.assignments ?? [:]
    let merged = existing.merging(assignments) { _, new in new }
    guard merged != existing else { return }
    let document = GrowthBook.StickyBucketDocument(
      attributeName: attributeName,
      attributeValue: attributeValue,
      assignments: merged
    )
    context.stickyBucketDocuments[document.storageKey] = document
    context.stickyBucketStore?.save(document)
  }
}

/// `text || nil`: JavaScript's truthiness for an optional string.
func nonEmpty(_ text: String?) -> String? {
  guard let text, !text.isEmpty else { return nil }
  return text
}

extension GrowthBook.FeatureResult {
  init(_ value: JSONValue, _ source: GrowthBook.FeatureSource, ruleID: String? = nil) {
    self.init(
      value: value,
      source: source,
      ruleID: ruleID ?? "",
      experiment: nil,
      experimentResult: nil
    )
  }
}
