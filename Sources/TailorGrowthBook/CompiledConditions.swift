import Synchronization
import Tailor

/// A payload's rule conditions compiled into one rules document, so that
/// Tailor's compiled evaluator decides them instead of the interpreter.
///
/// Each feature with conditions becomes a decision in `mode: "all"` whose rules
/// carry the feature rules' conditions in order (rule id `"<index>"`, serving
/// one constant variant); deciding it for a user gives, at once, which of the
/// feature's rule conditions hold. Everything else — prerequisites, filters,
/// rollouts, experiments, sticky buckets — stays GrowthBook's logic in
/// ``FeatureInterpreter``, which asks here for a rule's condition.
///
/// A condition is compiled only when a rules document accepts it as GrowthBook
/// evaluates it: the lenient parse (``ConditionParser/Mode/growthBook``) already
/// turned unknown operators and unusable operands into constant false, and its
/// JSON is read again strictly; what a document still refuses (an invalid
/// pattern, an unknown saved group, a saved group with arrays or objects as
/// members, …) stays on the interpreter for that rule only, so answers are exact.
final class CompiledConditions: Sendable {
  /// The document; `nil` when no condition compiled.
  let rules: Rules?
  /// Per feature key: its decision, for each rule whether its condition compiled,
  /// and for each of the decision's rules the feature rule it carries.
  let features: [String: Entry]

  struct Entry: Sendable {
    let decision: DecisionID
    let compiled: [Bool]
    let ruleIndices: [Int]
    /// Rules that are passed over, unread, when their compiled condition is false:
    /// force rules without prerequisites. (A prerequisite is evaluated before
    /// the condition and can end the feature; an experiment can be forced by
    /// the URL or the context, or read a sticky bucket, before its condition.)
    let skippable: [Bool]
    /// The rules that are read whatever the compiled conditions say: those not ``skippable``.
    let unskippable: [Int]
    /// Experiment rules without prerequisites whose condition compiled: when it is
    /// false they are passed over too, for a context that cannot force a variation
    /// or hold a sticky bucket (no forced variations, no URL, no sticky-bucket store).
    let skippableExperiment: [Bool]
    /// The rules read whatever the compiled conditions say, for such a context.
    let unskippableForPlainContext: [Int]
  }
  /// How many rule conditions compiled, and how many stay interpreted.
  let compiledCount: Int
  let interpretedCount: Int
  /// The records of the features decided without the interpreter (``FeaturePlan``).
  let plan: FeaturePlan
  /// Identifies these compiled conditions among all loaded.
  var serial: UInt64 { plan.serial }
  /// The last serial handed out.
  private static let serials = Atomic<UInt64>(0)

  init(features: [String: GrowthBook.Feature], keys: [String], savedGroups: [String: [JSONValue]]) {
    var decisions: [(String, String, [(Int, JSONValue)])] = []
    var fast: [FeaturePlan.Spec] = []
    for (position, key) in keys.enumerated() {
      guard let feature = features[key] else { continue }
      let conditions = feature.rules.enumerated().compactMap { index, rule in
        rule.condition.map { (index, CompiledConditions.compilable($0).json) }
      }
      if !conditions.isEmpty { decisions.append((key, "f\(position)", conditions)) }
      if FeaturePlan.isEligible(feature) {
        fast += FeaturePlan.specs(feature, position: position) { rule in
          rule.condition.map { CompiledConditions.compilable($0).json }
        }
      }
    }
    let fastByName = Dictionary(fast.enumerated().map { ($1.name, $0) }) { first, _ in first }
    var groups = savedGroups
    var refused: Set<[String]> = []
    var loaded: Rules?
    // Each pass drops what the document refused (later checks run only once
    // earlier ones pass, so a pass may find more); a refusal outside rules and
    // groups (none is expected) leaves every condition interpreted.
    for _ in 0..<16 where !decisions.isEmpty || !fast.isEmpty {
      let document = CompiledConditions.document(
        decisions,
        fast: fast,
        groups: groups,
        refused: refused
      )
      do {
        loaded = try Rules(json: Array(document.jsonText.utf8), analyze: false)
        break
      } catch {
        // A refused group makes every reference to it unknown in the same pass:
        // drop refused groups first, and only then refuse rules.
        let groupErrors = error.errors.compactMap { diagnostic -> String? in
          let tokens = diagnostic.location.pointer.tokens.map(\.text)
          return tokens.count >= 2 && tokens[0] == "groups" ? tokens[1] : nil
        }
        if !groupErrors.isEmpty {
          for name in groupErrors { groups[name] = nil }
          continue
        }
        var understood = true
        var pending: Set<[String]> = []
        for diagnostic in error.errors {
          let tokens = diagnostic.location.pointer.tokens.map(\.text)
          // The pointer indexes the document's rules, which skip those already refused.
          if tokens.count >= 4, tokens[0] == "decisions", tokens[2] == "rules",
            let position = Int(tokens[3]), let spec = fastByName[tokens[1]].map({ fast[$0] })
          {
            // A fast feature's decision carries every rule while none is refused.
            guard position < spec.rules.count else {
              understood = false
              continue
            }
            pending.insert([spec.feature, String(spec.rules[position].0)])
          } else if tokens.count >= 4, tokens[0] == "decisions", tokens[2] == "rules",
            let position = Int(tokens[3]),
            let conditions = decisions.first(where: { $0.1 == tokens[1] })?.2
          {
            let present = conditions.filter { !refused.contains([tokens[1], String($0.0)]) }
            guard position < present.count else {
              understood = false
              continue
            }
            pending.insert([tokens[1], String(present[position].0)])
          } else {
            understood = false
          }
        }
        if !understood { break }
        refused.formUnion(pending)
      }
    }
    rules = loaded
    var table: [String: Entry] = [:]
    var compiledCount = 0
    var interpretedCount = 0
    for (key, name, conditions) in decisions {
      var compiled = [Bool](repeating: false, count: features[key]?.rules.count ?? 0)
      var ruleIndices: [Int] = []
      for (index, _) in conditions {
        if loaded != nil && !refused.contains([name, String(index)]) {
          compiled[index] = true
          ruleIndices.append(index)
          compiledCount += 1
        } else {
          interpretedCount += 1
        }
      }
      if let loaded, let decision = loaded.decisionID(named: name) {
        let skippable = (features[key]?.rules ?? []).enumerated().map { index, rule in
          compiled[index] && rule.force != nil && rule.parentConditions.isEmpty
        }
        let skippableExperiment = (features[key]?.rules ?? []).enumerated().map { index, rule in
          compiled[index] && rule.force == nil && rule.experiment != nil
            && rule.parentConditions.isEmpty
        }
        table[key] = Entry(
          decision: decision,
          compiled: compiled,
          ruleIndices: ruleIndices,
          skippable: skippable,
          unskippable: skippable.indices.filter { !skippable[$0] },
          skippableExperiment: skippableExperiment,
          unskippableForPlainContext: skippable.indices.filter {
            !skippable[$0] && !skippableExperiment[$0]
          }
        )
      }
    }
    self.features = table
    self.compiledCount = compiledCount
    self.interpretedCount = interpretedCount
    let refusedFeatures = Set(refused.map { $0[0] })
    plan = FeaturePlan(
      features: features,
      keys: keys,
      rules: loaded,
      serial: CompiledConditions.serials.add(1, ordering: .relaxed).newValue
    ) { loaded != nil && !refusedFeatures.contains($0) }
  }

  /// The condition with every operator object that holds an unknown operator replaced by false.
  ///
  /// An unknown operator (or an unusable operand) is false in GrowthBook, and so
  /// is its operator object, since all of an object's operators must pass. A rules
  /// document would refuse the operator (`$startsWith` is Tailor's own, say), not
  /// read it as false.
  static func compilable(_ condition: Condition) -> Condition {
    switch condition {
    case .and(let parts): return .and(parts.map(compilable))
    case .or(let parts): return .or(parts.map(compilable))
    case .nor(let parts): return .nor(parts.map(compilable))
    case .not(let inner): return .not(compilable(inner))
    case .predicate(let predicate):
      if case .operators(let operators) = predicate.test,
        operators.contains(where: {
          if case .never = $0 { return true }
          return false
        })
      {
        return .constant(false)
      }
      return condition
    case .segment, .decision, .constant:
      return condition
    }
  }

  /// The rules document: one `mode: "all"` decision per feature with conditions,
  /// and the first-match decisions of each fast feature none of whose conditions
  /// was refused (``FeaturePlan``).
  private static func document(
    _ decisions: [(String, String, [(Int, JSONValue)])],
    fast: [FeaturePlan.Spec],
    groups: [String: [JSONValue]],
    refused: Set<[String]>
  ) -> JSONValue {
    var members: [(String, JSONValue)] = []
    let refusedFeatures = Set(refused.map { $0[0] })
    for spec in fast where !refusedFeatures.contains(spec.feature) {
      let rules = spec.rules.map { index, condition in
        var rule = JSONObject([("id", .string(String(index))), ("serve", "m")])
        if let condition { rule["when"] = condition }
        return JSONValue.object(rule)
      }
      members.append(
        (
          spec.name,
          .object(
            JSONObject([
              ("variants", .object(JSONObject([("m", true)]))), ("rules", .array(rules)),
            ])
          )
        )
      )
    }
    for (_, name, conditions) in decisions {
      let rules = conditions.filter { !refused.contains([name, String($0.0)]) }.map {
        index,
        condition in
        JSONValue.object(
          JSONObject([("id", .string(String(index))), ("when", condition), ("serve", "m")])
        )
      }
      members.append(
        (
          name,
          .object(
            JSONObject([
              ("mode", "all"), ("variants", .object(JSONObject([("m", true)]))),
              ("rules", .array(rules)),
            ])
          )
        )
      )
    }
    let groupMembers = groups.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.array($0.value)) }
    return .object(
      JSONObject([
        ("tailor", 1), ("groups", .object(JSONObject(groupMembers))),
        ("decisions", .object(JSONObject(members))),
      ])
    )
  }
}

/// One user's view of ``CompiledConditions``: the attributes read once into the
/// document's slots, and each feature's decision made at most once.
///
/// Within ``run(_:)`` one evaluator, borrowed from the document's pool, decides
/// every feature asked for, reusing the predicates it already worked out.
final class CompiledMatcher {
  let compiled: CompiledConditions
  let attributes: JSONValue
  private var prepared: PreparedProfile?
  private var evaluator: Evaluator?
  /// Whether the evaluator has decided for this profile, so it may continue.
  private var hasDecided = false
  /// Per feature key: which rules' conditions hold, by rule index, and the indices
  /// of those that hold, in order.
  private var holding: [String: (byRule: [Bool], indices: [Int])] = [:]
  /// The last feature looked up, its entry and what holds: rules are asked
  /// about feature by feature.
  private var lastKey: String?
  private var lastEntry: CompiledConditions.Entry?
  private var lastHolding: (byRule: [Bool], indices: [Int])?

  init(_ compiled: CompiledConditions, attributes: JSONValue) {
    self.compiled = compiled
    self.attributes = attributes
  }

  /// Runs `body` with an evaluator borrowed for every decision it asks for.
  func run<T>(_ body: () -> T) -> T {
    guard let rules = compiled.rules else { return body() }
    return rules.withEvaluator { evaluator in
      self.evaluator = evaluator
      hasDecided = false
      defer { self.evaluator = nil }
      return body()
    }
  }

  /// Whether rule `index` of feature `key` has a condition that holds, when the
  /// condition compiled; `nil` when it did not (the interpreter decides).
  func holds(_ key: String, _ index: Int) -> Bool? {
    select(key)
    guard let rules = compiled.rules, let entry = lastEntry, index < entry.compiled.count,
      entry.compiled[index]
    else { return nil }
    return decided(key, entry, rules).byRule[index]
  }

  /// The rules of feature `key` that the walk reads, in order.
  ///
  /// Every rule that is not skippable is read, and a skippable one only when its
  /// compiled condition holds: the others are force rules without prerequisites
  /// whose condition is false, passed over unread. With `plainContext` (see
  /// ``CompiledConditions/Entry/skippableExperiment``) the same goes for experiment
  /// rules without prerequisites. `nil` when the feature has no compiled conditions
  /// (every rule is read).
  func rulesToRead(_ key: String, plainContext: Bool) -> [Int]? {
    select(key)
    guard let rules = compiled.rules, let entry = lastEntry else { return nil }
    let holding = decided(key, entry, rules).indices
    let unskippable = plainContext ? entry.unskippableForPlainContext : entry.unskippable
    var merged: [Int] = []
    merged.reserveCapacity(unskippable.count + holding.count)
    var next = 0
    for index in holding
    where entry.skippable[index] || (plainContext && entry.skippableExperiment[index]) {
      while next < unskippable.count && unskippable[next] < index {
        merged.append(unskippable[next])
        next += 1
      }
      merged.append(index)
    }
    merged.append(contentsOf: unskippable[next...])
    return merged
  }

  /// Makes `key` the feature whose entry and conditions are at hand.
  private func select(_ key: String) {
    guard key != lastKey else { return }
    lastKey = key
    lastEntry = compiled.features[key]
    lastHolding = holding[key]
  }

  /// What holds of the selected feature's compiled conditions, decided on first use.
  private func decided(
    _ key: String,
    _ entry: CompiledConditions.Entry,
    _ rules: Rules
  ) -> (byRule: [Bool], indices: [Int]) {
    if let lastHolding { return lastHolding }
    let found = decide(entry, rules)
    holding[key] = found
    lastHolding = found
    return found
  }

  /// Which of a feature's compiled conditions hold (false for the others), and the
  /// indices of those that do, in rule order.
  private func decide(
    _ entry: CompiledConditions.Entry,
    _ rules: Rules
  ) -> (byRule: [Bool], indices: [Int]) {
    var found = [Bool](repeating: false, count: entry.compiled.count)
    var indices: [Int] = []
    let profile = prepared ?? rules.prepare(Profile(attributes))
    prepared = profile
    func mark(_ evaluator: Evaluator, continuing: Bool) {
      evaluator.forEachMatchedRule(of: entry.decision, for: profile, at: 0, continuing: continuing)
      {
        if $0 < entry.ruleIndices.count {
          found[entry.ruleIndices[$0]] = true
          indices.append(entry.ruleIndices[$0])
        }
      }
    }
    if let evaluator {
      mark(evaluator, continuing: hasDecided)
      hasDecided = true
    } else {
      rules.withEvaluator { mark($0, continuing: false) }
    }
    // The decision lists its rules in feature order, but say so rather than assume it.
    if !indices.isSorted() { indices.sort() }
    return (found, indices)
  }
}

extension Array where Element: Comparable {
  /// Whether the elements ascend (equal neighbours allowed).
  fileprivate func isSorted() -> Bool {
    indices.dropFirst().allSatisfy { self[$0 - 1] <= self[$0] }
  }
}
