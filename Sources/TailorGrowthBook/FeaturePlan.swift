import Tailor

/// Per-feature records for deciding features without the interpreter, for a
/// plain context (no forced values or variations, no URL, no sticky buckets,
/// enabled, not in QA mode) and features whose rules need nothing else (no
/// prerequisites, filters or contextual bandits, every condition compiled).
///
/// A fast feature has, in the compiled document, a first-match decision over the
/// rules that can serve (`g<position>`), one over its force rules without
/// rollout, which always serve when their condition holds (`t<position>`, the
/// terminal rules), and one single-rule decision per rollout or experiment rule
/// with a condition (`s<position>_<rule>`). The walk
/// asks the first decision for the first rule whose condition holds; a rollout or
/// experiment that lets the user through is followed by the next rollout or
/// experiment whose condition holds before the first terminal rule that does, or
/// that terminal rule. The answer is the rule GrowthBook's `evalFeature` stops at,
/// found without collecting every rule that matches.
///
/// Everything the walk reads is in plain memory (records, seeds as UTF-16 code
/// units, bucket ranges), so it allocates nothing and counts no references.
final class FeaturePlan: @unchecked Sendable {
  // @unchecked: the buffers are written only in `init` and freed in `deinit`.

  /// What a rule does when its condition holds.
  enum Kind: UInt8 {
    /// A force rule without coverage or range: always serves.
    case force
    /// A force rule with coverage or a range: serves users its hash admits.
    case rollout
    /// An experiment rule: serves users it assigns a variation that is not a passthrough.
    case experiment
  }

  struct FeatureRecord {
    /// The first-match decision over the rules that can serve; `nil` when none can.
    var first: DecisionID?
    /// The first-match decision over the terminal force rules; `nil` when every
    /// rule of `first` is one (the same answer).
    var terminal: DecisionID?
    /// The feature's rules in ``FeaturePlan/rules``, by feature rule index
    /// (rules that can never serve are there too, never read).
    var rulesStart: Int32
    var rulesCount: Int32
    /// Per rule of the first (then terminal) decision, its feature rule index, in ``FeaturePlan/maps``.
    var firstMap: Int32
    var terminalMap: Int32
    /// The rollout and experiment rules that can serve, ascending, in ``FeaturePlan/maps``.
    var openStart: Int32
    var openCount: Int32
  }

  struct RuleRecord {
    var kind: Kind
    /// For rollouts and experiments with a condition: its single-rule decision.
    var single: DecisionID?
    /// Position among the feature's open rules (rollouts and experiments), or -1.
    var openOrdinal: Int32
    /// The hashed attribute's slot in ``FeaturePlan/hashAttributes``.
    var hashSlot: Int32
    /// Hash version 1 or 2; 0 for an unknown version (nobody is hashed).
    var hashVersion: Int8
    /// The seed's UTF-16 code units in ``FeaturePlan/units``, and FNV-1a over them.
    var seedStart: Int32
    var seedCount: Int32
    var seedHash: UInt32
    /// Rollouts: coverage (NaN when absent) and range (start NaN when absent).
    var coverage: Double
    var rangeStart: Double
    var rangeEnd: Double
    /// Experiments: variation count, ranges in ``FeaturePlan/ranges``, a forced
    /// index (-1 when none), whether stopped, passthroughs in ``FeaturePlan/passthrough``.
    var variationCount: Int32
    var rangesStart: Int32
    var rangesCount: Int32
    var forcedVariation: Int32
    var isStopped: Bool
    /// Experiments with a namespace: `"__" + id` as units in ``FeaturePlan/units``
    /// (count -1 without a namespace), and the admitted range.
    var namespaceStart: Int32
    var namespaceCount: Int32
    var namespaceLow: Double
    var namespaceHigh: Double
    /// Experiments: per variation, whether it is a passthrough, from here in ``FeaturePlan/passthrough``.
    var passthroughStart: Int32
  }

  /// Per payload feature (in ``GrowthBook/Payload/featureKeys`` order), its
  /// record, and whether the walk decides it (a placeholder record when not).
  let features: UnsafeMutablePointer<FeatureRecord>
  let isFast: UnsafeMutablePointer<Bool>
  let featureCount: Int
  let rules: UnsafeMutablePointer<RuleRecord>
  let maps: UnsafeMutablePointer<Int32>
  let units: UnsafeMutablePointer<UInt16>
  let ranges: UnsafeMutablePointer<BucketRange>
  let passthrough: UnsafeMutablePointer<Bool>
  /// The attributes the fast rules hash, by slot.
  let hashAttributes: [String]
  /// How many features the walk decides.
  let fastCount: Int
  /// Feature positions by key.
  let positions: [String: Int]
  /// Identifies these compiled conditions among all loaded (feature ids carry it).
  let serial: UInt64

  /// One fast feature's decisions in the compiled document, and the rules each
  /// carries (feature rule indices; conditions as compiled).
  struct Spec {
    var name: String
    var feature: String
    var rules: [(Int, JSONValue?)]
  }

  /// Whether the walk can decide `feature` once its conditions compile.
  static func isEligible(_ feature: GrowthBook.Feature) -> Bool {
    feature.rules.allSatisfy { rule in
      guard rule.parentConditions.isEmpty, rule.filters == nil else { return false }
      if rule.force == nil, let experiment = rule.experiment {
        return experiment.contextualBanditRef == nil && experiment.filters == nil
          && experiment.parentConditions.isEmpty
      }
      return true
    }
  }

  /// Whether a rule can ever serve: a force rule, or an experiment that can assign someone.
  static func canServe(_ rule: GrowthBook.FeatureRule) -> Bool {
    if rule.force != nil { return true }
    guard let experiment = rule.experiment else { return false }
    return experiment.variations.count >= 2 && experiment.status != "draft" && experiment.isActive
  }

  /// Whether a rule serves whenever its condition holds: a force rule without rollout.
  static func isTerminal(_ rule: GrowthBook.FeatureRule) -> Bool {
    rule.force != nil && rule.coverage == nil && rule.range == nil
  }

  /// The decisions of `feature` (at `position` in the payload), named from `position`.
  static func specs(
    _ feature: GrowthBook.Feature,
    position: Int,
    condition: (GrowthBook.FeatureRule) -> JSONValue?
  ) -> [Spec] {
    let name = "f\(position)"
    var first: [(Int, JSONValue?)] = []
    var terminal: [(Int, JSONValue?)] = []
    var singles: [Spec] = []
    for (index, rule) in feature.rules.enumerated() where canServe(rule) {
      let json = condition(rule)
      first.append((index, json))
      if isTerminal(rule) {
        terminal.append((index, json))
      } else if let json {
        singles.append(Spec(name: "s\(position)_\(index)", feature: name, rules: [(index, json)]))
      }
    }
    guard !first.isEmpty else { return [] }
    var specs = [Spec(name: "g\(position)", feature: name, rules: first)]
    if terminal.count < first.count {
      specs.append(Spec(name: "t\(position)", feature: name, rules: terminal))
    }
    return specs + singles
  }

  init(
    features: [String: GrowthBook.Feature],
    keys: [String],
    rules compiled: Rules?,
    serial: UInt64,
    isFast: (String) -> Bool
  ) {
    var featureRecords: [FeatureRecord?] = []
    var ruleRecords: [RuleRecord] = []
    var maps: [Int32] = []
    var units: [UInt16] = []
    var ranges: [BucketRange] = []
    var passthrough: [Bool] = []
    var hashAttributes: [String] = []
    func slot(_ name: String?) -> Int32 {
      let attribute = nonEmpty(name) ?? "id"
      if let index = hashAttributes.firstIndex(of: attribute) { return Int32(index) }
      hashAttributes.append(attribute)
      return Int32(hashAttributes.count - 1)
    }
    func append(_ text: String) -> (Int32, Int32, UInt32) {
      let start = Int32(units.count)
      let code = Array(text.utf16)
      units.append(contentsOf: code)
      return (start, Int32(code.count), FeaturePlan.fnv(FeaturePlan.offsetBasis, code))
    }
    func version(_ value: Double?, default: Int8) -> Int8 {
      let chosen = value.flatMap { $0 == 0 ? nil : $0 } ?? Double(`default`)
      return chosen == 1 ? 1 : chosen == 2 ? 2 : 0
    }
    for (position, key) in keys.enumerated() {
      let name = "f\(position)"
      guard let feature = features[key], let compiled, isFast(name) else {
        featureRecords.append(nil)
        continue
      }
      // Every decision `specs` names must have compiled, or the walk would read a
      // missing one as "no rule holds" (a terminal decision) or "holds" (a single).
      let first = compiled.decisionID(named: "g\(position)")
      let expected = FeaturePlan.specs(feature, position: position) {
        $0.condition.map { _ in .null }
      }
      if expected.contains(where: { compiled.decisionID(named: $0.name) == nil }) {
        featureRecords.append(nil)
        continue
      }
      var record = FeatureRecord(
        first: first,
        terminal: compiled.decisionID(named: "t\(position)"),
        rulesStart: Int32(ruleRecords.count),
        rulesCount: Int32(feature.rules.count),
        firstMap: Int32(maps.count),
        terminalMap: 0,
        openStart: 0,
        openCount: 0
      )
      let serving = feature.rules.indices.filter { FeaturePlan.canServe(feature.rules[$0]) }
      maps.append(contentsOf: serving.map(Int32.init))
      record.terminalMap = Int32(maps.count)
      maps.append(
        contentsOf: serving.filter { FeaturePlan.isTerminal(feature.rules[$0]) }.map(Int32.init)
      )
      let open = serving.filter { !FeaturePlan.isTerminal(feature.rules[$0]) }
      record.openStart = Int32(maps.count)
      record.openCount = Int32(open.count)
      maps.append(contentsOf: open.map(Int32.init))
      for (index, rule) in feature.rules.enumerated() {
        var entry = RuleRecord(
          kind: .force,
          single: nil,
          openOrdinal: open.firstIndex(of: index).map(Int32.init) ?? -1,
          hashSlot: 0,
          hashVersion: 1,
          seedStart: 0,
          seedCount: 0,
          seedHash: 0,
          coverage: .nan,
          rangeStart: .nan,
          rangeEnd: .nan,
          variationCount: 0,
          rangesStart: 0,
          rangesCount: 0,
          forcedVariation: -1,
          isStopped: false,
          namespaceStart: 0,
          namespaceCount: -1,
          namespaceLow: 0,
          namespaceHigh: 0,
          passthroughStart: -1
        )
        if entry.openOrdinal >= 0, rule.condition != nil {
          entry.single = compiled.decisionID(named: "s\(position)_\(index)")
        }
        if rule.force != nil {
          if !FeaturePlan.isTerminal(rule) {
            entry.kind = .rollout
            entry.hashSlot = slot(rule.hashAttribute)
            entry.hashVersion = version(rule.hashVersion, default: 1)
            (entry.seedStart, entry.seedCount, entry.seedHash) = append(nonEmpty(rule.seed) ?? key)
            entry.coverage = rule.coverage ?? .nan
            if let range = rule.range {
              entry.rangeStart = range.start
              entry.rangeEnd = range.end
            }
          }
        } else if let experiment = rule.experiment {
          entry.kind = .experiment
          entry.hashSlot = slot(experiment.hashAttribute)
          entry.hashVersion = version(experiment.hashVersion, default: 1)
          (entry.seedStart, entry.seedCount, entry.seedHash) = append(
            nonEmpty(experiment.seed) ?? experiment.key
          )
          let count = experiment.variations.count
          entry.variationCount = Int32(count)
          let chosen =
            experiment.ranges
            ?? Bucketing.bucketRanges(
              count: count,
              coverage: experiment.coverage ?? 1,
              weights: experiment.weights
            )
          entry.rangesStart = Int32(ranges.count)
          entry.rangesCount = Int32(chosen.count)
          ranges.append(contentsOf: chosen)
          entry.forcedVariation = experiment.force.map { Int32(clamping: $0) } ?? -1
          entry.isStopped = experiment.status == "stopped"
          if let namespace = experiment.namespace {
            (entry.namespaceStart, entry.namespaceCount, _) = append("__" + namespace.id)
            entry.namespaceLow = namespace.start
            entry.namespaceHigh = namespace.end
          }
          entry.passthroughStart = Int32(passthrough.count)
          passthrough.append(
            contentsOf: (0..<max(count, 1)).map { variation in
              experiment.meta.flatMap { variation < $0.count ? $0[variation] : nil }?.isPassthrough
                ?? false
            }
          )
        }
        ruleRecords.append(entry)
      }
      featureRecords.append(record)
    }
    func buffer<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
      let buffer = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
      array.withUnsafeBufferPointer { elements in
        for (offset, element) in elements.enumerated() { (buffer + offset).initialize(to: element) }
      }
      return buffer
    }
    let placeholder = FeatureRecord(
      first: nil,
      terminal: nil,
      rulesStart: 0,
      rulesCount: 0,
      firstMap: 0,
      terminalMap: 0,
      openStart: 0,
      openCount: 0
    )
    self.features = buffer(featureRecords.map { $0 ?? placeholder })
    self.isFast = buffer(featureRecords.map { $0 != nil })
    self.rules = buffer(ruleRecords)
    self.maps = buffer(maps)
    self.units = buffer(units)
    self.ranges = buffer(ranges)
    self.passthrough = buffer(passthrough)
    self.featureCount = featureRecords.count
    self.hashAttributes = hashAttributes
    self.fastCount = featureRecords.count { $0 != nil }
    self.positions = Dictionary(keys.enumerated().map { ($1, $0) }) { first, _ in first }
    self.serial = serial
  }

  deinit {
    // Every element is a plain value: deallocating is enough.
    features.deallocate()
    isFast.deallocate()
    rules.deallocate()
    maps.deallocate()
    units.deallocate()
    ranges.deallocate()
    passthrough.deallocate()
  }

  // MARK: Hashing

  static let offsetBasis: UInt32 = 0x811C_9DC5

  /// FNV-1a, 32-bit, continued from `hash` over UTF-16 code units (GrowthBook hashes code units).
  @inline(__always)
  static func fnv(_ hash: UInt32, _ units: some Collection<UInt16>) -> UInt32 {
    var hash = hash
    for unit in units { hash = (hash ^ UInt32(unit)) &* 0x0100_0193 }
    return hash
  }

  @inline(__always)
  static func fnv(_ hash: UInt32, _ units: UnsafePointer<UInt16>, _ count: Int) -> UInt32 {
    var hash = hash
    for index in 0..<count { hash = (hash ^ UInt32(units[index])) &* 0x0100_0193 }
    return hash
  }

  /// Hash version 2 from its inner hash, `fnv32a(seed + value)`: FNV-1a over the
  /// inner hash's decimal digits, modulo 10,000.
  @inline(__always)
  static func hashV2(inner: UInt32) -> Double {
    var divisor: UInt32 = 1_000_000_000
    while divisor > 1 && inner / divisor == 0 { divisor /= 10 }
    var hash = offsetBasis
    var remaining = inner
    while divisor > 0 {
      let digit = remaining / divisor
      remaining %= divisor
      hash = (hash ^ (digit + 48)) &* 0x0100_0193
      divisor /= 10
    }
    return Double(hash % 10000) / 10000
  }
}

extension FeaturePlan {
  /// The walk's answer: the deciding rule (-1 for the default value), the
  /// experiment variation (-1 for a force rule) and the bucket hashed (NaN when none).
  struct Outcome {
    var rule: Int32
    var variation: Int32
    var bucket: Double
  }

  /// Decides fast feature `position` for `attributes` (prepared for these rules).
  ///
  /// `continuing`: whether the evaluator's previous call was for the same
  /// attributes, so its memo stands; true on return when the walk used the evaluator.
  /// The evaluator (of these rules) is the caller's, kept alive for the call.
  func decide(
    _ position: Int,
    _ attributes: GrowthBook.PreparedAttributes,
    _ evaluator: Unmanaged<Evaluator>?,
    continuing: inout Bool
  ) -> Outcome {
    let feature = features[position]
    let base = Int(feature.rulesStart)
    guard let first = feature.first else { return Outcome(rule: -1, variation: -1, bucket: .nan) }
    // A fast feature with a decision has compiled rules, and the attributes a profile.
    guard let evaluator, let storage = attributes.storage else {
      return Outcome(rule: -1, variation: -1, bucket: .nan)
    }
    /// The rule index the first-match decision `decision` serves, or -1.
    func served(_ decision: DecisionID) -> Int {
      let found = evaluator._withUnsafeGuaranteedRef {
        $0.firstMatchedRule(of: decision, storage: storage, at: 0, continuing: continuing)
      }
      continuing = true
      return found
    }
    /// The feature rule index the first-match decision `decision` serves, through its map.
    func ask(_ decision: DecisionID, _ map: Int32) -> Int {
      let found = served(decision)
      return found < 0 ? -1 : Int(maps[Int(map) + found])
    }
    /// Whether the single-rule decision `decision` serves its rule.
    func holds(_ decision: DecisionID) -> Bool { served(decision) >= 0 }
    var index = ask(first, feature.firstMap)
    var terminal = -2
    while index >= 0 {
      let rule = rules[base + index]
      switch rule.kind {
      case .force:
        return Outcome(rule: Int32(index), variation: -1, bucket: .nan)
      case .rollout:
        let bucket = rolloutBucket(rule, attributes)
        if !bucket.isNaN { return Outcome(rule: Int32(index), variation: -1, bucket: bucket) }
      case .experiment:
        if let (variation, bucket) = assignment(rule, attributes) {
          return Outcome(rule: Int32(index), variation: variation, bucket: bucket)
        }
      }
      // Passed through: the next rollout or experiment whose condition holds, before
      // the first terminal rule whose condition holds.
      if terminal == -2 {
        terminal = feature.terminal.map { ask($0, feature.terminalMap) } ?? -1
      }
      let limit = terminal >= 0 ? terminal : Int(feature.rulesCount)
      var next = -1
      var ordinal = Int(rule.openOrdinal) + 1
      while ordinal < Int(feature.openCount) {
        let candidate = Int(maps[Int(feature.openStart) + ordinal])
        if candidate >= limit { break }
        if rules[base + candidate].single.map(holds) ?? true {
          next = candidate
          break
        }
        ordinal += 1
      }
      index = next >= 0 ? next : terminal
    }
    return Outcome(rule: -1, variation: -1, bucket: .nan)
  }

  /// The user's bucket for a rollout when it admits them, else NaN: GrowthBook's
  /// `isIncludedInRollout` (a range admits `start ≤ n < end`, coverage `n ≤ coverage`).
  @inline(__always)
  private func rolloutBucket(
    _ rule: RuleRecord,
    _ attributes: GrowthBook.PreparedAttributes
  ) -> Double {
    if rule.rangeStart.isNaN && rule.coverage == 0 { return .nan }
    let n = hash(rule, attributes)
    if n.isNaN { return .nan }
    if !rule.rangeStart.isNaN { return n >= rule.rangeStart && n < rule.rangeEnd ? n : .nan }
    if !rule.coverage.isNaN { return n <= rule.coverage ? n : .nan }
    return n
  }

  /// The variation an experiment rule assigns the user and the bucket, when the
  /// feature takes it: GrowthBook's `runExperiment` for a plain context, from
  /// the hash value on (the condition holds; no filters or prerequisites).
  @inline(__always)
  private func assignment(
    _ rule: RuleRecord,
    _ attributes: GrowthBook.PreparedAttributes
  ) -> (Int32, Double)? {
    let slot = Int(rule.hashSlot)
    let count = attributes.hashCounts[slot]
    guard count >= 0 else { return nil }
    if rule.namespaceCount >= 0 {
      // GrowthBook's `inNamespace`: hash version 1 of the value with seed `"__" + id`.
      let hashed = FeaturePlan.fnv(
        attributes.hashStates[slot],
        units + Int(rule.namespaceStart),
        Int(rule.namespaceCount)
      )
      let n = Double(hashed % 1000) / 1000
      guard n >= rule.namespaceLow && n < rule.namespaceHigh else { return nil }
    }
    let bucket = hash(rule, attributes)
    guard !bucket.isNaN else { return nil }
    var assigned: Int32 = -1
    for offset in 0..<Int(rule.rangesCount) {
      let range = ranges[Int(rule.rangesStart) + offset]
      if bucket >= range.start && bucket < range.end {
        assigned = Int32(offset)
        break
      }
    }
    guard assigned >= 0 else { return nil }
    let variation: Int32
    if rule.forcedVariation >= 0 {
      variation = rule.forcedVariation
    } else {
      guard !rule.isStopped else { return nil }
      variation = assigned
    }
    guard variation < rule.variationCount else { return nil }
    guard !passthrough[Int(rule.passthroughStart) + Int(variation)] else { return nil }
    return (variation, bucket)
  }

  /// GrowthBook's `hash(seed, value, version)` of the rule's hashed attribute, or NaN
  /// when the value is falsy or the version unknown.
  @inline(__always)
  private func hash(_ rule: RuleRecord, _ attributes: GrowthBook.PreparedAttributes) -> Double {
    let slot = Int(rule.hashSlot)
    let count = Int(attributes.hashCounts[slot])
    guard count >= 0 else { return .nan }
    switch rule.hashVersion {
    case 1:
      // fnv32a(value + seed) % 1000 / 1000
      let hashed = FeaturePlan.fnv(
        attributes.hashStates[slot],
        units + Int(rule.seedStart),
        Int(rule.seedCount)
      )
      return Double(hashed % 1000) / 1000
    case 2:
      let inner = FeaturePlan.fnv(
        rule.seedHash,
        attributes.units + Int(attributes.hashStarts[slot]),
        count
      )
      return FeaturePlan.hashV2(inner: inner)
    default:
      return .nan
    }
  }
}
