/// Evaluates compiled rules for one profile at a time, reusing its memory.
///
/// An `Evaluator` is cheap to keep and not thread-safe: give each thread its
/// own (``Rules/makeEvaluator()``). ``Rules/decide(_:for:now:explain:)`` uses a
/// pool of them for you.
///
/// ```swift
/// let evaluator = rules.makeEvaluator()
/// for profile in profiles {
///   let decision = evaluator.decide("homepage-hero", for: profile, at: now)
/// }
/// ```
public final class Evaluator {
  let compiled: CompiledRules
  private let reference: ConditionEvaluator
  private var generation: UInt32 = 0
  private var root: JSONValue = .null
  private var now: Double = 0

  private var slotStamp: [UInt32]
  private var slotValues: [JSONValue]
  private var keyStamp: [UInt32]
  private var keyValues: [Int32]
  private var predicateStamp: [UInt32]
  private var predicateValues: [Bool]
  private var decisionStamp: [UInt32]
  private var decisionHits: [[Hit]]
  private var decisionGateFailed: [Bool]

  /// One served rule, before it is turned into a ``Decision/Match``.
  struct Hit {
    var rule: Int32
    var variant: Int32
    var reason: Decision.Reason
    var bucket: Double?
  }

  init(_ compiled: CompiledRules) {
    self.compiled = compiled
    reference = ConditionEvaluator(groups: compiled.groups, segment: { _ in false }, decision: { _, _ in false })
    let slots = compiled.table.paths.count
    let predicates = compiled.table.predicates.count
    let decisions = compiled.decisions.count
    slotStamp = Array(repeating: 0, count: slots)
    slotValues = Array(repeating: .null, count: slots)
    keyStamp = Array(repeating: 0, count: slots)
    keyValues = Array(repeating: -1, count: slots)
    predicateStamp = Array(repeating: 0, count: predicates)
    predicateValues = Array(repeating: false, count: predicates)
    decisionStamp = Array(repeating: 0, count: decisions)
    decisionHits = Array(repeating: [], count: decisions)
    decisionGateFailed = Array(repeating: false, count: decisions)
  }

  private func begin(_ profile: JSONValue, now: Double) {
    generation &+= 1
    if generation == 0 {
      // Wrapped around: clear every stamp once every 4 billion profiles.
      for index in slotStamp.indices { slotStamp[index] = 0 }
      for index in keyStamp.indices { keyStamp[index] = 0 }
      for index in predicateStamp.indices { predicateStamp[index] = 0 }
      for index in decisionStamp.indices { decisionStamp[index] = 0 }
      generation = 1
    }
    root = profile
    self.now = now
  }

  /// Decides one decision, or returns `nil` when there is no decision `name`.
  ///
  /// - Parameters:
  ///   - name: the decision's name.
  ///   - profile: the profile.
  ///   - now: seconds since 1970-01-01T00:00:00Z, for schedules.
  /// - Complexity: proportional to the path through the decision's graph and the
  ///   rules in the leaves it reaches, not to the number of rules.
  public func decide(_ name: String, for profile: Profile, at now: Double) -> Decision? {
    guard let index = compiled.decisionIndex[ByteString(name)] else { return nil }
    begin(profile.root, now: now)
    return decision(Int(index))
  }

  /// Decides every decision, in document order.
  ///
  /// - Complexity: the sum over decisions of the path through each graph.
  public func decideAll(for profile: Profile, at now: Double) -> [Decision] {
    begin(profile.root, now: now)
    return compiled.decisions.indices.map { decision($0) }
  }

  private func decision(_ index: Int) -> Decision {
    let definition = compiled.decisions[index]
    let hits = hits(of: Int32(index))
    func match(_ hit: Hit) -> Decision.Match {
      let variant = definition.variants[Int(hit.variant)]
      return Decision.Match(
        variant: variant.key,
        value: variant.value,
        rule: hit.rule >= 0 ? definition.rules[Int(hit.rule)].id : nil,
        reason: hit.reason,
        bucket: hit.bucket
      )
    }
    let matches = hits.map(match)
    let reason = matches.first?.reason ?? (decisionGateFailed[index] ? .prerequisiteFailed : .default)
    return Decision(name: definition.name, isMultiple: definition.isMultiple, matches: matches, reason: reason)
  }

  /// The served hits of a decision, memoised per profile (prerequisites reuse them).
  private func hits(of index: Int32) -> [Hit] {
    let position = Int(index)
    if decisionStamp[position] == generation { return decisionHits[position] }
    let definition = compiled.decisions[position]
    var hits: [Hit] = []
    var gateFailed = false
    if let requires = definition.requires, !evaluate(requires) {
      gateFailed = true
      if let fallback = definition.defaultVariant {
        hits = [Hit(rule: -1, variant: fallback, reason: .prerequisiteFailed, bucket: nil)]
      }
    } else {
      let graph = definition.graph
      if definition.isMultiple {
        collect(graph, graph.root, definition, into: &hits)
        if hits.count > 1 { hits.sort { $0.rule < $1.rule } }
        if hits.count > definition.limit { hits.removeSubrange(definition.limit...) }
      } else if let hit = first(graph, graph.root, definition, below: Int32.max) {
        hits = [hit]
      }
      if hits.isEmpty, let fallback = definition.defaultVariant {
        hits = [Hit(rule: -1, variant: fallback, reason: .default, bucket: nil)]
      }
    }
    decisionStamp[position] = generation
    decisionHits[position] = hits
    decisionGateFailed[position] = gateFailed
    return hits
  }

  // MARK: Graph walks

  /// The first admitted rule under `node` with an index below `limit`.
  private func first(_ graph: DecisionGraph, _ node: Int32, _ definition: CompiledDecision, below limit: Int32)
    -> Hit?
  {
    switch graph.nodes[Int(node)] {
    case .empty:
      return nil
    case .leaf(let range):
      for position in range {
        let candidate = graph.candidates[Int(position)]
        if candidate.rule >= limit { return nil }
        if let hit = attempt(candidate, definition) { return hit }
      }
      return nil
    case .firstOf(let children):
      var best: Hit?
      var bound = limit
      for child in children {
        if graph.minimumRule[Int(child)] >= bound { break }
        if let hit = first(graph, child, definition, below: bound) {
          best = hit
          bound = hit.rule
        }
      }
      return best
    case .switchOn(let slot, let cases, let fallback):
      guard let next = branch(slot, cases, fallback) else { return nil }
      return first(graph, next, definition, below: limit)
    case .interval(let slot, let thresholds, let children, let null, let fallback):
      return first(graph, region(slot, thresholds, children, null, fallback), definition, below: limit)
    }
  }

  /// Every admitted rule under `node`.
  private func collect(_ graph: DecisionGraph, _ node: Int32, _ definition: CompiledDecision, into hits: inout [Hit]) {
    switch graph.nodes[Int(node)] {
    case .empty:
      return
    case .leaf(let range):
      for position in range {
        if let hit = attempt(graph.candidates[Int(position)], definition) { hits.append(hit) }
      }
    case .firstOf(let children):
      for child in children { collect(graph, child, definition, into: &hits) }
    case .switchOn(let slot, let cases, let fallback):
      if let next = branch(slot, cases, fallback) { collect(graph, next, definition, into: &hits) }
    case .interval(let slot, let thresholds, let children, let null, let fallback):
      collect(graph, region(slot, thresholds, children, null, fallback), definition, into: &hits)
    }
  }

  @inline(__always)
  private func branch(_ slot: Int32, _ cases: [Int32: Int32], _ fallback: Int32) -> Int32? {
    switch value(of: slot) {
    case .string:
      let key = keyID(of: slot)
      return key >= 0 ? cases[key] : nil
    case .null:
      return nil
    default:
      return fallback
    }
  }

  @inline(__always)
  private func region(_ slot: Int32, _ thresholds: [Double], _ children: [Int32], _ null: Int32, _ fallback: Int32)
    -> Int32
  {
    switch value(of: slot) {
    case .number(let number):
      var low = 0
      var high = thresholds.count
      while low < high {
        let middle = (low + high) / 2
        if thresholds[middle] < number { low = middle + 1 } else { high = middle }
      }
      let index = low < thresholds.count && thresholds[low] == number ? 2 * low + 1 : 2 * low
      return children[index]
    case .null:
      return null
    default:
      return fallback
    }
  }

  /// Checks a candidate's schedule, condition, and rollout or split.
  private func attempt(_ candidate: DecisionGraph.Candidate, _ definition: CompiledDecision) -> Hit? {
    let rule = definition.rules[Int(candidate.rule)]
    if let schedule = rule.schedule, !schedule.contains(now) { return nil }
    guard evaluate(candidate.program) else { return nil }
    switch rule.action {
    case .serve(let variant):
      return Hit(rule: candidate.rule, variant: variant, reason: .match, bucket: nil)
    case .rollout(let variant, let slot, let seed, let percent):
      guard let bucket = bucket(slot, seed), percent > 0, bucket <= percent / 100 else { return nil }
      return Hit(rule: candidate.rule, variant: variant, reason: .rollout, bucket: bucket)
    case .split(let slot, let seed, let ranges, let variants):
      guard let bucket = bucket(slot, seed) else { return nil }
      let index = Bucketing.chooseVariation(bucket, ranges: ranges)
      guard index >= 0 else { return nil }
      return Hit(rule: candidate.rule, variant: variants[index], reason: .split, bucket: bucket)
    }
  }

  private func bucket(_ slot: Int32, _ seed: String) -> Double? {
    guard let input = Bucketing.hashInput(value(of: slot)) else { return nil }
    return Bucketing.hashV2(seed: seed, value: input)
  }

  // MARK: Conditions

  private func evaluate(_ program: Program) -> Bool {
    switch program {
    case .predicate(let index): return predicate(index)
    case .and(let parts):
      for part in parts where !evaluate(part) { return false }
      return true
    case .or(let parts):
      if parts.isEmpty { return true }
      for part in parts where evaluate(part) { return true }
      return false
    case .nor(let parts):
      if parts.isEmpty { return false }
      for part in parts where evaluate(part) { return false }
      return true
    case .not(let inner): return !evaluate(inner)
    case .decision(let index, let variant):
      return hits(of: index).contains { hit in
        JSONValue.sameBytes(compiled.decisions[Int(index)].variants[Int(hit.variant)].key, variant)
      }
    case .constant(let value): return value
    }
  }

  private func predicate(_ index: Int32) -> Bool {
    let position = Int(index)
    if predicateStamp[position] == generation { return predicateValues[position] }
    let compiledPredicate = compiled.table.predicates[position]
    let value = value(of: compiledPredicate.slot)
    let result: Bool
    switch (compiledPredicate.fast, value) {
    case (.stringLiteral(let expected), .string(let actual)):
      result = JSONValue.sameBytes(actual, expected)
    case (.stringIn(let set), .string(let actual)):
      result = set.contains(ByteString(actual))
    case (.stringNotIn(let set), .string(let actual)):
      result = !set.contains(ByteString(actual))
    case (.numberCompare(let relation, let operand), .number(let actual)):
      result =
        switch relation {
        case .less: actual < operand
        case .lessOrEqual: actual <= operand
        case .greater: actual > operand
        case .greaterOrEqual: actual >= operand
        }
    case (.regex(let pattern), .string(let actual)):
      result = pattern.matches(actual)
    default:
      result = reference.matches(compiledPredicate.test, value)
    }
    predicateStamp[position] = generation
    predicateValues[position] = result
    return result
  }

  private func value(of slot: Int32) -> JSONValue {
    let position = Int(slot)
    if slotStamp[position] == generation { return slotValues[position] }
    let resolved = ConditionEvaluator.resolve(compiled.table.paths[position].components, in: root)
    slotStamp[position] = generation
    slotValues[position] = resolved
    return resolved
  }

  private func keyID(of slot: Int32) -> Int32 {
    let position = Int(slot)
    if keyStamp[position] == generation { return keyValues[position] }
    var key: Int32 = -1
    if case .string(let text) = value(of: slot) {
      key = compiled.table.keyIDs[position][ByteString(text)] ?? -1
    }
    keyStamp[position] = generation
    keyValues[position] = key
    return key
  }
}
