#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Evaluates compiled rules for one profile at a time, reusing its memory.
///
/// An `Evaluator` is cheap to keep and not thread-safe: give each thread its
/// own (``Rules/makeEvaluator()``). ``Rules/decide(_:for:at:explain:)`` uses a
/// pool of them for you.
///
/// ```swift
/// let evaluator = rules.makeEvaluator()
/// for line in lines {
///   let profile = try rules.prepare(json: line)
///   let decision = evaluator.decide("homepage-hero", for: profile, at: now)
/// }
/// ```
public final class Evaluator {
  let flat: FlatRules
  /// The generation of the last evaluation; memo entries stamped with it are current.
  private(set) var generation: UInt32 = 0
  /// Per predicate, its result for the profile of generation `g` as `g << 1 | result`.
  private let predicateStates: UnsafeMutablePointer<PredicateState>
  private let decisionStamp: UnsafeMutablePointer<UInt32>
  private let decisionFirst: UnsafeMutablePointer<Hit>
  private let decisionAll: UnsafeMutablePointer<[Hit]>
  private let predicateCount: Int
  private let decisionCount: Int
  /// Per slot, strings built from a prepared profile's pending bytes (and their
  /// padded versions) during one evaluation, stamped with its generation.
  private let slotCount: Int
  private let stringStamp: UnsafeMutablePointer<UInt32>
  private let strings: UnsafeMutablePointer<JSONValue>
  private let paddedStamp: UnsafeMutablePointer<UInt32>
  private let padded: UnsafeMutablePointer<String>
  /// Per slot, ``PendingStrings/versionBytesCapacity`` bytes for a pending version's padded form.
  private let versionStamp: UnsafeMutablePointer<UInt32>
  private let versionBytes: UnsafeMutablePointer<UInt8>
  private let versionLength: UnsafeMutablePointer<Int>
  private let matchResources = MatchResources.make()
  private let sieveBuffers: SieveBuffers

  /// A predicate and, in the same cache line, its result for the profile of
  /// generation `g` as `g << 1 | result`: the evaluator's own copy of the
  /// rules' predicate records.
  struct PredicateState {
    var record: FlatRules.PredicateRecord
    var memo: UInt32
  }

  /// One served rule (or the default) before it becomes a ``Decision/Match``.
  struct Hit {
    /// The rule index in its decision; -1 for the default or nothing.
    var rule: Int32
    /// The variant index; -1 for nothing.
    var variant: Int32
    var reason: Decision.Reason
    var bucket: Double
  }

  init(_ flat: FlatRules) {
    self.flat = flat
    predicateCount = flat.predicates.count
    decisionCount = flat.decisions.count
    predicateStates = .allocate(capacity: max(predicateCount, 1))
    for index in 0..<predicateCount {
      (predicateStates + index).initialize(
        to: PredicateState(record: flat.predicates[index], memo: 0)
      )
    }
    decisionStamp = .allocate(capacity: max(decisionCount, 1))
    decisionStamp.initialize(repeating: 0, count: max(decisionCount, 1))
    decisionFirst = .allocate(capacity: max(decisionCount, 1))
    decisionFirst.initialize(
      repeating: Hit(rule: -1, variant: -1, reason: .default, bucket: .nan),
      count: max(decisionCount, 1)
    )
    decisionAll = .allocate(capacity: max(decisionCount, 1))
    decisionAll.initialize(repeating: [], count: max(decisionCount, 1))
    slotCount = flat.slotPaths.count
    stringStamp = .allocate(capacity: max(slotCount, 1))
    stringStamp.initialize(repeating: 0, count: max(slotCount, 1))
    strings = .allocate(capacity: max(slotCount, 1))
    strings.initialize(repeating: .null, count: max(slotCount, 1))
    paddedStamp = .allocate(capacity: max(slotCount, 1))
    paddedStamp.initialize(repeating: 0, count: max(slotCount, 1))
    padded = .allocate(capacity: max(slotCount, 1))
    padded.initialize(repeating: "", count: max(slotCount, 1))
    versionStamp = .allocate(capacity: max(slotCount, 1))
    versionStamp.initialize(repeating: 0, count: max(slotCount, 1))
    versionBytes = .allocate(capacity: max(slotCount, 1) * PendingStrings.versionBytesCapacity)
    versionLength = .allocate(capacity: max(slotCount, 1))
    versionLength.initialize(repeating: 0, count: max(slotCount, 1))
    sieveBuffers = SieveBuffers(
      bits: .allocate(capacity: max(flat.sieveAccumulatorWords, 1)),
      scratch: .allocate(capacity: max(flat.sieveScratchWords, 1)),
      survivors: .allocate(capacity: max(flat.sieveSurvivorCount, 1))
    )
  }

  deinit {
    matchResources.free()
    predicateStates.deallocate()
    decisionStamp.deallocate()
    decisionFirst.deallocate()
    decisionAll.deinitialize(count: max(decisionCount, 1))
    decisionAll.deallocate()
    stringStamp.deallocate()
    strings.deinitialize(count: max(slotCount, 1))
    strings.deallocate()
    paddedStamp.deallocate()
    padded.deinitialize(count: max(slotCount, 1))
    padded.deallocate()
    versionStamp.deallocate()
    versionBytes.deallocate()
    versionLength.deallocate()
    sieveBuffers.bits.deallocate()
    sieveBuffers.scratch.deallocate()
    sieveBuffers.survivors.deallocate()
  }

  /// Generations stay below 2³¹, so a predicate's memo holds one and a result bit.
  static let generationLimit: UInt32 = 1 << 31

  func nextGeneration() -> UInt32 {
    generation &+= 1
    if generation == Evaluator.generationLimit {
      // Wrapped around: clear the stamps once every 2 billion profiles.
      for index in 0..<predicateCount { predicateStates[index].memo = 0 }
      decisionStamp.update(repeating: 0, count: max(decisionCount, 1))
      stringStamp.update(repeating: 0, count: max(slotCount, 1))
      paddedStamp.update(repeating: 0, count: max(slotCount, 1))
      versionStamp.update(repeating: 0, count: max(slotCount, 1))
      generation = 1
    }
    return generation
  }

  /// Prepares a profile for this evaluator's rules.
  public func prepare(_ profile: Profile) -> PreparedProfile {
    PreparedProfile(flat, root: profile.root)
  }

  /// Decides one decision, or returns `nil` when there is no decision `name`.
  ///
  /// - Parameters:
  ///   - name: the decision's name.
  ///   - profile: the profile.
  ///   - now: the instant schedules (`active`) are evaluated at.
  /// - Returns: the decision, or `nil` when there is no decision `name`.
  /// - Complexity: proportional to the path through the decision's graph and the
  ///   rules in the leaves it reaches, not to the number of rules; for a decision
  ///   compiled to a sieve (many diverse rules), a few word operations per 64 rules
  ///   for each attribute the rules test, plus the rules that pass every filter.
  public func decide(_ name: String, for profile: Profile, at now: Date) -> Decision? {
    guard let index = flat.index(ofDecision: name) else { return nil }
    return decide(
      index: index,
      for: PreparedProfile(flat, root: profile.root),
      at: Rules.seconds(now)
    )
  }

  /// Decides one decision for a prepared profile, or returns `nil` when there is no decision `name`.
  ///
  /// - Complexity: as ``decide(_:for:at:)-(String,Profile,_)``.
  public func decide(_ name: String, for profile: PreparedProfile, at now: Date) -> Decision? {
    guard let index = flat.index(ofDecision: name) else { return nil }
    return decide(index: index, for: profile, at: Rules.seconds(now))
  }

  /// Decides every decision, in document order.
  public func decideAll(for profile: Profile, at now: Date) -> [Decision] {
    decideAll(for: PreparedProfile(flat, root: profile.root), at: Rules.seconds(now))
  }

  /// Decides every decision for a prepared profile, in document order.
  public func decideAll(for profile: PreparedProfile, at now: Date) -> [Decision] {
    decideAll(for: profile, at: Rules.seconds(now))
  }

  /// Decides every decision for a prepared profile at `now` seconds since 1970, in document order.
  func decideAll(for profile: PreparedProfile, at now: Double) -> [Decision] {
    flat.check(profile)
    let generation = nextGeneration()
    return (0..<decisionCount).map { index in
      withWalk(profile, now, generation) { walk in decision(index, walk.hits(of: Int32(index))) }
    }
  }

  func decide(
    index: Int,
    for profile: PreparedProfile,
    at now: Double,
    continuing: Bool = false
  ) -> Decision {
    flat.check(profile)
    let generation = continuing && self.generation != 0 ? self.generation : nextGeneration()
    return withWalk(profile, now, generation) { walk in decision(index, walk.hits(of: Int32(index)))
    }
  }

  /// The raw outcome of one decision: variant and rule indices, without building strings.
  func outcome(
    index: Int,
    for profile: PreparedProfile,
    at now: Double,
    generation reuse: Bool = false
  )
    -> HitList
  {
    let generation = reuse && self.generation != 0 ? self.generation : nextGeneration()
    return withWalk(profile, now, generation) { walk in walk.hits(of: Int32(index)) }
  }

  private func withWalk<T>(
    _ profile: PreparedProfile,
    _ now: Double,
    _ generation: UInt32,
    _ body: (Walk) -> T
  )
    -> T
  {
    withExtendedLifetime(profile) { withWalk(profile.unmanagedStorage, now, generation, body) }
  }

  /// The outcome of one decision for a prepared profile's storage, which the
  /// caller keeps alive: no reference is counted on the way.
  func outcome(
    index: Int,
    storage: Unmanaged<PreparedProfile.Storage>,
    at now: Double,
    generation reuse: Bool
  )
    -> HitList
  {
    let generation = reuse && self.generation != 0 ? self.generation : nextGeneration()
    return withWalk(storage, now, generation) { walk in walk.hits(of: Int32(index)) }
  }

  private func withWalk<T>(
    _ storage: Unmanaged<PreparedProfile.Storage>,
    _ now: Double,
    _ generation: UInt32,
    _ body: (Walk) -> T
  ) -> T {
    storage._withUnsafeGuaranteedRef { storage in
      body(
        Walk(
          flat: flat,
          slots: UnsafePointer(storage.summaries),
          values: UnsafePointer(storage.values),
          predicateStates: predicateStates,
          decisionStamp: decisionStamp,
          decisionFirst: decisionFirst,
          decisionAll: decisionAll,
          matchResources: matchResources,
          paddedVersions: UnsafePointer(storage.paddedVersions),
          arrayKeys: UnsafePointer(storage.arrayKeys),
          pending: PendingStrings(
            entries: storage.pending,
            kept: storage.kept,
            arena: storage.arena,
            stringStamp: stringStamp,
            strings: strings,
            paddedStamp: paddedStamp,
            padded: padded,
            versionStamp: versionStamp,
            versionBytes: versionBytes,
            versionLength: versionLength
          ),
          sieveBuffers: sieveBuffers,
          generation: generation,
          now: now
        )
      )
    }
  }

  private func decision(_ index: Int, _ hits: HitList) -> Decision {
    let info = flat.info[index]
    var matches: [Decision.Match] = []
    var reason = hits.emptyReason
    func match(_ hit: Hit) -> Decision.Match {
      Decision.Match(
        variant: info.variantKeys[Int(hit.variant)],
        value: info.variantValues[Int(hit.variant)],
        rule: hit.rule >= 0 ? info.ruleIDs[Int(hit.rule)] : nil,
        reason: hit.reason,
        bucket: hit.bucket.isNaN ? nil : hit.bucket
      )
    }
    if let list = hits.list {
      matches.reserveCapacity(list.count)
      for hit in list where hit.variant >= 0 { matches.append(match(hit)) }
    } else if hits.single.variant >= 0 {
      matches = [match(hits.single)]
    }
    if let first = matches.first { reason = first.reason }
    return Decision(name: info.name, isMultiple: info.isMultiple, matches: matches, reason: reason)
  }
}

/// The hits of one decision: a single one in first-match mode, a list in `all` mode.
struct HitList {
  var single: Evaluator.Hit
  var list: [Evaluator.Hit]?

  /// The reason when nothing is served: `default` or `prerequisite_failed`.
  var emptyReason: Decision.Reason { single.reason }

  func forEach(_ body: (Evaluator.Hit) -> Void) {
    if let list { list.forEach(body) } else if single.variant >= 0 { body(single) }
  }

  func contains(variant: Int32) -> Bool {
    if let list { return list.contains { $0.variant == variant } }
    return single.variant == variant
  }
}

/// A prepared profile's pending strings and the evaluator's memory for building them.
struct PendingStrings {
  let entries: UnsafePointer<Int64>
  /// Per slot, the UTF-8 of a built string value in `arena`, or -1.
  let kept: UnsafePointer<Int64>
  let arena: UnsafePointer<UInt8>
  let stringStamp: UnsafeMutablePointer<UInt32>
  let strings: UnsafeMutablePointer<JSONValue>
  let paddedStamp: UnsafeMutablePointer<UInt32>
  let padded: UnsafeMutablePointer<String>
  let versionStamp: UnsafeMutablePointer<UInt32>
  let versionBytes: UnsafeMutablePointer<UInt8>
  let versionLength: UnsafeMutablePointer<Int>

  /// Room per slot for a padded version built from bytes; longer ones are built as strings.
  static let versionBytesCapacity = 128
}

/// One evaluation's view of the compiled rules, the prepared profile and the
/// memo: plain pointers, so the walk does no reference counting.
private struct Walk {
  unowned(unsafe) let flat: FlatRules
  let nodes: UnsafeBufferPointer<FlatRules.NodeRecord>
  let candidates: UnsafeBufferPointer<FlatRules.CandidateRecord>
  let children: UnsafeBufferPointer<Int32>
  let switchEntries: UnsafeBufferPointer<Int32>
  let thresholds: UnsafeBufferPointer<Double>
  let programs: UnsafeBufferPointer<FlatRules.ProgramRecord>
  let programChildren: UnsafeBufferPointer<Int32>
  let predicates: UnsafeBufferPointer<FlatRules.PredicateRecord>
  let keySets: UnsafeBufferPointer<Int32>
  let rules: UnsafeBufferPointer<FlatRules.RuleRecord>
  let ranges: UnsafeBufferPointer<FlatRules.RangeRecord>
  let decisions: UnsafeBufferPointer<FlatRules.DecisionRecord>
  let patterns: UnsafeBufferPointer<Unmanaged<Pattern>>
  let slots: UnsafePointer<PreparedProfile.Summary>
  let values: UnsafePointer<JSONValue>
  let predicateStates: UnsafeMutablePointer<Evaluator.PredicateState>
  let decisionStamp: UnsafeMutablePointer<UInt32>
  let decisionFirst: UnsafeMutablePointer<Evaluator.Hit>
  let decisionAll: UnsafeMutablePointer<[Evaluator.Hit]>
  let matchResources: MatchResources
  let paddedVersions: UnsafePointer<String>
  let arrayKeys: UnsafePointer<Int32>
  let pending: PendingStrings
  let sieveBuffers: SieveBuffers
  let generation: UInt32
  let now: Double

  typealias Hit = Evaluator.Hit

  init(
    flat: FlatRules,
    slots: UnsafePointer<PreparedProfile.Summary>,
    values: UnsafePointer<JSONValue>,
    predicateStates: UnsafeMutablePointer<Evaluator.PredicateState>,
    decisionStamp: UnsafeMutablePointer<UInt32>,
    decisionFirst: UnsafeMutablePointer<Evaluator.Hit>,
    decisionAll: UnsafeMutablePointer<[Evaluator.Hit]>,
    matchResources: MatchResources,
    paddedVersions: UnsafePointer<String>,
    arrayKeys: UnsafePointer<Int32>,
    pending: PendingStrings,
    sieveBuffers: SieveBuffers,
    generation: UInt32,
    now: Double
  ) {
    self.sieveBuffers = sieveBuffers
    self.paddedVersions = paddedVersions
    self.arrayKeys = arrayKeys
    self.pending = pending
    self.flat = flat
    nodes = flat.nodes
    candidates = flat.candidates
    children = flat.children
    switchEntries = flat.switchEntries
    thresholds = flat.thresholds
    programs = flat.programs
    programChildren = flat.programChildren
    predicates = flat.predicates
    keySets = flat.keySets
    rules = flat.rules
    ranges = flat.ranges
    decisions = flat.decisions
    patterns = flat.unmanagedPatterns
    self.slots = slots
    self.values = values
    self.predicateStates = predicateStates
    self.decisionStamp = decisionStamp
    self.decisionFirst = decisionFirst
    self.decisionAll = decisionAll
    self.matchResources = matchResources
    self.generation = generation
    self.now = now
  }

  /// The hits of a decision, memoised per profile (prerequisites reuse them).
  func hits(of index: Int32) -> HitList {
    let position = Int(index)
    let record = decisions[position]
    if decisionStamp[position] == generation {
      return HitList(
        single: decisionFirst[position],
        list: record.isMultiple ? decisionAll[position] : nil
      )
    }
    var single = Hit(rule: -1, variant: -1, reason: .default, bucket: .nan)
    var list: [Hit]? = record.isMultiple ? [] : nil
    if record.requires >= 0 && !evaluate(record.requires) {
      single.reason = .prerequisiteFailed
      if record.defaultVariant >= 0 {
        single.variant = record.defaultVariant
        list?.append(single)
      }
    } else {
      if record.isMultiple {
        var collected: [Hit] = []
        if record.sieve >= 0 {
          forEachSieveHit(record) { hit in
            collected.append(hit)
            return true
          }
        } else {
          collect(record.root, record, into: &collected)
        }
        if collected.count > 1 {
          // A rule under several keys of a member switch is found once per key an array holds.
          collected.sort { $0.rule < $1.rule }
          var unique = 0
          for position in collected.indices
          where unique == 0 || collected[unique - 1].rule != collected[position].rule {
            collected[unique] = collected[position]
            unique += 1
          }
          collected.removeSubrange(unique...)
        }
        if collected.count > record.limit { collected.removeSubrange(record.limit...) }
        list = collected
        if let first = collected.first { single = first }
      } else if record.sieve >= 0 {
        forEachSieveHit(record) { hit in
          single = hit
          return false
        }
      } else if let hit = first(record.root, record, below: Int32.max) {
        single = hit
      }
      if single.variant < 0 && record.defaultVariant >= 0 {
        single.variant = record.defaultVariant
        if list != nil { list = [single] }
      }
    }
    decisionStamp[position] = generation
    decisionFirst[position] = single
    if let list { decisionAll[position] = list }
    return HitList(single: single, list: list)
  }

  // MARK: Graph walks

  /// The first admitted rule under `node` with an index below `limit`.
  func first(_ node: Int32, _ decision: FlatRules.DecisionRecord, below limit: Int32) -> Hit? {
    var node = node
    while true {
      let record = nodes[Int(node)]
      switch record.kind {
      case .empty:
        return nil
      case .leaf:
        var position = record.start
        let end = record.start + record.count
        while position < end {
          let candidate = candidates[Int(position)]
          if candidate.rule >= limit { return nil }
          if let hit = attempt(candidate, decision) { return hit }
          position += 1
        }
        return nil
      case .firstOf:
        var best: Hit?
        var bound = limit
        for offset in 0..<record.count {
          let child = children[Int(record.start + offset)]
          if nodes[Int(child)].minimumRule >= bound { break }
          if let hit = first(child, decision, below: bound) {
            best = hit
            bound = hit.rule
          }
        }
        return best
      case .switchDense, .switchSorted, .interval, .intervalCut:
        guard let next = branch(record) else { return nil }
        node = next
      case .memberDense, .memberSorted:
        let slot = slots[Int(record.slot)]
        switch slot.kind {
        case .string:
          guard let next = lookup(record, slot.key) else { return nil }
          node = next
        case .keyArray:
          var best: Hit?
          var bound = limit
          let start = Int(slot.key)
          for index in start..<start + Int(slot.number) {
            guard let child = lookup(record, arrayKeys[index]),
              nodes[Int(child)].minimumRule < bound,
              let hit = first(child, decision, below: bound)
            else { continue }
            best = hit
            bound = hit.rule
          }
          return best
        case .array:
          node = record.fallback
        default:
          return nil
        }
      case .suffix:
        var best: Hit?
        var bound = limit
        forEachSuffix(record) { child in
          guard nodes[Int(child)].minimumRule < bound,
            let hit = first(child, decision, below: bound)
          else { return }
          best = hit
          bound = hit.rule
        }
        return best
      }
    }
  }

  /// Every admitted rule under `node` (a rule may come twice through a member switch).
  func collect(_ node: Int32, _ decision: FlatRules.DecisionRecord, into hits: inout [Hit]) {
    let record = nodes[Int(node)]
    switch record.kind {
    case .empty:
      return
    case .leaf:
      for position in record.start..<record.start + record.count {
        if let hit = attempt(candidates[Int(position)], decision) { hits.append(hit) }
      }
    case .firstOf:
      for offset in 0..<record.count {
        collect(children[Int(record.start + offset)], decision, into: &hits)
      }
    case .switchDense, .switchSorted, .interval, .intervalCut:
      if let next = branch(record) { collect(next, decision, into: &hits) }
    case .memberDense, .memberSorted:
      let slot = slots[Int(record.slot)]
      switch slot.kind {
      case .string:
        if let next = lookup(record, slot.key) { collect(next, decision, into: &hits) }
      case .keyArray:
        let start = Int(slot.key)
        for index in start..<start + Int(slot.number) {
          if let child = lookup(record, arrayKeys[index]) { collect(child, decision, into: &hits) }
        }
      case .array:
        collect(record.fallback, decision, into: &hits)
      default:
        return
      }
    case .suffix:
      var found: [Int32] = []
      forEachSuffix(record) { found.append($0) }
      for child in found { collect(child, decision, into: &hits) }
    }
  }

  /// The child a switch or interval node leads to, or `nil` when no rule can match.
  @inline(__always)
  func branch(_ record: FlatRules.NodeRecord) -> Int32? {
    let slot = slots[Int(record.slot)]
    if record.kind == .interval || record.kind == .intervalCut {
      let key: Double
      switch (record.domain, slot.kind) {
      case (_, .null):
        return record.null >= 0 ? record.null : nil
      case (.number, .number):
        key = slot.number
      case (.time, .string):
        key = time(Int(record.slot))
        if key.isNaN { return record.fallback }
      default:
        return record.fallback
      }
      let base = Int(record.start)
      let count = Int(record.count)
      if record.kind == .intervalCut {
        // The cell: the number of thresholds at or below the key.
        var low = 0
        var high = count
        while low < high {
          let middle = (low + high) >> 1
          if thresholds[base + middle] <= key { low = middle + 1 } else { high = middle }
        }
        let child = children[Int(record.firstChild) + low]
        return child >= 0 ? child : nil
      }
      let index = FlatRules.region(
        of: key,
        in: UnsafeBufferPointer(rebasing: thresholds[base..<base + count])
      )
      let child = children[Int(record.firstChild) + index]
      return child >= 0 ? child : nil
    }
    switch slot.kind {
    case .string:
      return lookup(record, slot.key)
    case .null:
      return nil
    default:
      return record.fallback
    }
  }

  /// The case of key id `key` in a switch or member switch, or `nil`.
  @inline(__always)
  func lookup(_ record: FlatRules.NodeRecord, _ key: Int32) -> Int32? {
    guard key >= 0 else { return nil }
    if record.kind == .switchDense || record.kind == .memberDense {
      guard key < record.count else { return nil }
      let child = switchEntries[Int(record.start + key)]
      return child >= 0 ? child : nil
    }
    var low = 0
    var high = Int(record.count)
    let base = Int(record.start)
    while low < high {
      let middle = (low + high) >> 1
      let probe = switchEntries[base + 2 * middle]
      if probe == key { return switchEntries[base + 2 * middle + 1] }
      if probe < key { low = middle + 1 } else { high = middle }
    }
    return nil
  }

  /// Calls `body` with the child of every case of a suffix node that the slot's string ends
  /// with, shortest suffix first; nothing for a value that is not a string.
  @inline(__always)
  func forEachSuffix(_ record: FlatRules.NodeRecord, _ body: (Int32) -> Void) {
    forEachSuffix(
      slot: Int(record.slot),
      table: Int(record.start),
      capacity: Int(record.count),
      nodes: Int(record.firstChild),
      body
    )
  }

  /// Calls `body` with the child of every suffix the slot's string ends with, shortest first.
  ///
  /// The suffixes are the path-compressed trie at `table` (`capacity` edges, nodes from
  /// `nodes` in `suffixNodes`, edge bytes in `affixBytes`); a value that is not a string
  /// ends with none. The string is read from its last byte, one edge at a time, until the
  /// trie has no way on.
  @inline(__always)
  func forEachSuffix(
    slot: Int,
    table: Int,
    capacity: Int,
    nodes: Int,
    _ body: (Int32) -> Void
  ) {
    forEachAffix(fromStart: false, slot: slot, table: table, capacity: capacity, nodes: nodes, body)
  }

  /// Calls `body` with the child of every suffix (or prefix) the slot's string has.
  ///
  /// `fromStart` false: suffixes, the string read from its last byte; true: prefixes, read
  /// from its first byte (the trie holds its prefixes reversed). Shortest first, one edge
  /// at a time, until the trie has no way on; a value that is not a string has none.
  @inline(__always)
  func forEachAffix(
    fromStart: Bool,
    slot: Int,
    table: Int,
    capacity: Int,
    nodes: Int,
    _ body: (Int32) -> Void
  ) {
    guard slots[slot].kind == .string else { return }
    // The pools as locals: the compiler keeps them in registers across `body`.
    let edges = UnsafeBufferPointer(rebasing: flat.suffixEntries[table..<table + capacity])
    let nodeCount = Int(flat.suffixNodes[nodes])
    let children = UnsafeBufferPointer(
      rebasing: flat.suffixNodes[nodes + 1..<nodes + 1 + nodeCount]
    )
    let labels = flat.affixBytes
    let shift = FlatRules.SuffixEntry.shift(capacity)
    let mask = capacity &- 1
    /// The edge from `node` on `byte`, if the trie has one.
    @inline(__always) func edge(from node: Int32, on byte: UInt8) -> FlatRules.SuffixEntry? {
      let key = FlatRules.SuffixEntry.key(node, byte)
      var position = FlatRules.SuffixEntry.position(key, shift)
      while edges[position].key != key {
        if edges[position].key == FlatRules.SuffixEntry.free { return nil }
        position = (position &+ 1) & mask
      }
      return edges[position]
    }
    if children[0] >= 0 { body(children[0]) }
    if fromStart {
      withBytes(slot) { bytes in
        var node: Int32 = 0
        var index = 0
        while index < bytes.count {
          guard let edge = edge(from: node, on: bytes[index]) else { return }
          // The edge's other bytes follow that one in the string; its label holds them
          // last first, as the trie of reversed prefixes read them.
          let label = Int(edge.label)
          let length = Int(labels[label])
          guard length <= bytes.count &- index else { return }
          var offset = 1
          while offset < length {
            if labels[label &+ length &- offset] != bytes[index &+ offset] { return }
            offset &+= 1
          }
          index &+= length
          node = edge.next
          let child = children[Int(node)]
          if child >= 0 { body(child) }
        }
      }
      return
    }
    withBytes(slot) { bytes in
      var node: Int32 = 0
      var index = bytes.count
      while index > 0 {
        guard let edge = edge(from: node, on: bytes[index &- 1]) else { return }
        // The edge's other bytes precede that one in the string.
        let label = Int(edge.label)
        let length = Int(labels[label])
        guard length <= index else { return }
        index &-= length
        var offset = 1
        while offset < length {
          if labels[label &+ offset] != bytes[index &+ offset &- 1] { return }
          offset &+= 1
        }
        node = edge.next
        let child = children[Int(node)]
        if child >= 0 { body(child) }
      }
    }
  }

  /// Whether `count` bytes of `a` from `i` equal those of `b` from `j`.
  @inline(__always)
  static func sameBytes(
    _ a: UnsafeBufferPointer<UInt8>,
    _ i: Int,
    _ b: UnsafeBufferPointer<UInt8>,
    _ j: Int,
    _ count: Int
  ) -> Bool {
    var offset = 0
    while offset < count {
      if a[i + offset] != b[j + offset] { return false }
      offset += 1
    }
    return true
  }

  /// Calls `body` with the UTF-8 of a string slot, read where its bytes are.
  @inline(__always)
  func withBytes<T>(_ slot: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    let entry = pending.entries[slot]
    if entry >= 0 {
      return body(
        UnsafeBufferPointer(
          start: pending.arena + Int(entry >> 32),
          count: Int(entry & 0xFFFF_FFFF)
        )
      )
    }
    let kept = pending.kept[slot]
    if kept >= 0 {
      return body(
        UnsafeBufferPointer(start: pending.arena + Int(kept >> 32), count: Int(kept & 0xFFFF_FFFF))
      )
    }
    guard case .string(var text) = values[slot] else {
      return body(UnsafeBufferPointer(start: nil, count: 0))
    }
    return text.withUTF8(body)
  }

  /// The instant of a string slot's date-time, parsed when the profile was read (its
  /// slot is one of ``ProfileLayout/isTime``); NaN when it is not one.
  @inline(__always)
  func time(_ slot: Int) -> Double { slots[slot].number }

  /// Checks a candidate's schedule, condition, and rollout or split.
  func attempt(_ candidate: FlatRules.CandidateRecord, _ decision: FlatRules.DecisionRecord) -> Hit?
  {
    if candidate.served >= 0 {
      // Serves a variant at any time: only the condition is read.
      guard holds(candidate) else { return nil }
      return Hit(rule: candidate.rule, variant: candidate.served, reason: .match, bucket: .nan)
    }
    let rule = rules[Int(decision.firstRule + candidate.rule)]
    if rule.hasSchedule && (now < rule.from || now >= rule.until) { return nil }
    guard holds(candidate) else { return nil }
    switch rule.kind {
    case .serve:
      return Hit(rule: candidate.rule, variant: rule.variant, reason: .match, bucket: .nan)
    case .rollout:
      guard let bucket = bucket(rule), rule.percent > 0, bucket <= rule.percent / 100 else {
        return nil
      }
      return Hit(rule: candidate.rule, variant: rule.variant, reason: .rollout, bucket: bucket)
    case .split:
      guard let bucket = bucket(rule) else { return nil }
      for offset in 0..<rule.rangeCount {
        let range = ranges[Int(rule.rangeStart + offset)]
        if bucket >= range.start && bucket < range.end {
          return Hit(rule: candidate.rule, variant: range.variant, reason: .split, bucket: bucket)
        }
      }
      return nil
    }
  }

  /// Whether a candidate's condition holds, reading its program only when its single or
  /// first predicate does not settle it.
  @inline(__always)
  func holds(_ candidate: FlatRules.CandidateRecord) -> Bool {
    if candidate.predicate >= 0 { return predicate(candidate.predicate) }
    guard candidate.firstTest >= 0 else { return evaluate(candidate.program) }
    guard predicate(candidate.firstTest) else { return false }
    // The rest of the conjunction, after the first test.
    let program = programs[Int(candidate.program)]
    for offset in 1..<max(program.count, 1)
    where !evaluate(child: programChildren[Int(program.start + offset)]) {
      return false
    }
    return true
  }

  func bucket(_ rule: FlatRules.RuleRecord) -> Double? {
    let entry = pending.entries[Int(rule.slot)]
    if entry >= 0 {
      // A pending ASCII string is hashed where its bytes are; `""` is falsy.
      let length = Int(entry & 0xFFFF_FFFF)
      guard length > 0 else { return nil }
      if let inner = Bucketing.fnv32a(
        continuing: flat.seedStates[Int(rule.seed)],
        ascii: pending.arena + Int(entry >> 32),
        length
      ) {
        return Bucketing.hashV2(inner: inner)
      }
    }
    guard let input = Bucketing.hashInput(value(Int(rule.slot))) else { return nil }
    return Bucketing.hashV2(seed: flat.seeds[Int(rule.seed)], value: input)
  }

  // MARK: Conditions

  /// An entry of ``FlatRules/programChildren``: a program, or `~p` for predicate `p`.
  @inline(__always)
  func evaluate(child entry: Int32) -> Bool {
    entry < 0 ? predicate(~entry) : evaluate(entry)
  }

  func evaluate(_ index: Int32) -> Bool {
    let program = programs[Int(index)]
    switch program.op {
    case .predicate:
      return predicate(program.start)
    case .and:
      for offset in 0..<program.count
      where !evaluate(child: programChildren[Int(program.start + offset)]) {
        return false
      }
      return true
    case .or:
      if program.count == 0 { return true }
      for offset in 0..<program.count
      where evaluate(child: programChildren[Int(program.start + offset)]) {
        return true
      }
      return false
    case .nor:
      if program.count == 0 { return false }
      for offset in 0..<program.count
      where evaluate(child: programChildren[Int(program.start + offset)]) {
        return false
      }
      return true
    case .not:
      return !evaluate(program.start)
    case .decision:
      return program.count >= 0 && hits(of: program.start).contains(variant: program.count)
    case .constant:
      return program.count != 0
    }
  }

  func predicate(_ index: Int32) -> Bool {
    let position = Int(index)
    let state = predicateStates + position
    let memo = state.pointee.memo
    if memo >> 1 == generation { return memo & 1 != 0 }
    let record = state.pointee.record
    let slot = slots[Int(record.slot)]
    let result: Bool
    switch record.kind {
    case .literalKey where slot.kind == .string:
      result = slot.key >= 0 && slot.key == record.start
    case .strictKey:
      result = slot.kind == .string && slot.key >= 0 && slot.key == record.start
    case .keyIn where slot.kind == .string:
      result = slot.key >= 0 && containsKey(slot.key, record.start, record.count)
    case .keyNotIn where slot.kind == .string:
      result = !(slot.key >= 0 && containsKey(slot.key, record.start, record.count))
    case .keyIn where slot.kind == .keyArray:
      result = anyKey(slot, record.start, record.count)
    case .keyNotIn where slot.kind == .keyArray:
      result = !anyKey(slot, record.start, record.count)
    case .keyAll where slot.kind == .keyArray:
      result = allKeys(slot, record.start, record.count)
    case .keyElement where slot.kind == .keyArray:
      result = anyKey(slot, record.start, record.count)
    case .numberCompare where slot.kind == .number:
      result = record.comparison.holds(slot.number, record.number)
    case .numberRange where slot.kind == .number:
      result =
        record.comparison.holds(slot.number, record.number)
        && record.comparison2.holds(slot.number, record.number2)
    case .exists:
      result = (slot.kind != .null) == (record.count != 0)
    case .prefix:
      result =
        slot.kind == .string
        && withBytes(Int(record.slot)) { bytes in
          bytes.count >= Int(record.count)
            && Walk.sameBytes(bytes, 0, flat.affixBytes, Int(record.start), Int(record.count))
        }
    case .suffix:
      result =
        slot.kind == .string
        && withBytes(Int(record.slot)) { bytes in
          bytes.count >= Int(record.count)
            && Walk.sameBytes(
              bytes,
              bytes.count - Int(record.count),
              flat.affixBytes,
              Int(record.start),
              Int(record.count)
            )
        }
    case .instant:
      // NaN (not a date-time string) compares false either way.
      result =
        slot.kind == .string && record.comparison.holds(time(Int(record.slot)), record.number)
    case .regex where slot.kind == .string:
      // Matched where the string's bytes are (pending, or kept beside the slots): no string
      // is built or retained.
      result = withBytes(Int(record.slot)) { bytes in
        patterns[Int(record.start)]._withUnsafeGuaranteedRef {
          $0.matches(bytes: bytes, using: matchResources)
        }
      }
    case .version:
      let order =
        pendingVersionOrder(Int(record.slot), Int(record.start))
        ?? JavaScript.compareUTF16(
          paddedVersion(Int(record.slot)),
          flat.paddedOperands[Int(record.start)]
        )
      result = record.comparison.holds(order: order)
    default:
      result = flat.reference.matches(flat.tests[Int(record.test)], value(Int(record.slot)))
    }
    state.pointee.memo = generation << 1 | (result ? 1 : 0)
    return result
  }

  /// A slot's value; a pending string is built once per evaluation.
  @inline(__always)
  func value(_ slot: Int) -> JSONValue {
    let entry = pending.entries[slot]
    if entry < 0 { return values[slot] }
    return pendingString(slot, entry)
  }

  func pendingString(_ slot: Int, _ entry: Int64) -> JSONValue {
    if pending.stringStamp[slot] == generation { return pending.strings[slot] }
    let bytes = UnsafeBufferPointer(
      start: pending.arena + Int(entry >> 32),
      count: Int(entry & 0xFFFF_FFFF)
    )
    let string = JSONValue.string(String(decoding: bytes, as: UTF8.self))
    pending.strings[slot] = string
    pending.stringStamp[slot] = generation
    return string
  }

  // swift-format-ignore: NeverForceUnwrap
  // `paddedOperandBytes` is allocated with room for one byte at least, so it has a base address.
  /// How a pending (plain ASCII) version compares with padded operand `operand`,
  /// from bytes: for ASCII, byte order is UTF-16 order.
  ///
  /// `nil` when the slot is not pending, the operand is not ASCII or the version is long.
  func pendingVersionOrder(_ slot: Int, _ operand: Int) -> Int? {
    let span = flat.paddedOperandSpans[operand]
    guard span.1 >= 0, let padded = paddedVersionBytes(slot) else { return nil }
    return Walk.order(padded, flat.paddedOperandBytes.baseAddress! + Int(span.0), Int(span.1))
  }

  /// How bytes compare with `count` bytes at `other` (negative, zero, positive): for ASCII,
  /// the order of their UTF-16.
  @inline(__always)
  static func order(
    _ bytes: UnsafeBufferPointer<UInt8>,
    _ other: UnsafePointer<UInt8>,
    _ count: Int
  )
    -> Int
  {
    let common = min(bytes.count, count)
    var index = 0
    if let start = bytes.baseAddress {
      // Eight bytes at a time: as big-endian integers they order as the bytes do.
      let own = UnsafeRawPointer(start)
      let theirs = UnsafeRawPointer(other)
      while index + 8 <= common {
        let mine = UInt64(bigEndian: own.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        let yours = UInt64(bigEndian: theirs.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        if mine != yours { return mine < yours ? -1 : 1 }
        index += 8
      }
    }
    while index < common {
      if bytes[index] != other[index] { return bytes[index] < other[index] ? -1 : 1 }
      index += 1
    }
    return bytes.count == count ? 0 : (bytes.count < count ? -1 : 1)
  }

  /// The padded form of a pending plain ASCII version, built once per evaluation; `nil`
  /// when the slot is not pending, not ASCII, empty or long (the string path handles those).
  func paddedVersionBytes(_ slot: Int) -> UnsafeBufferPointer<UInt8>? {
    let entry = pending.entries[slot]
    guard entry >= 0 else { return nil }
    let bytes = pending.versionBytes + slot * PendingStrings.versionBytesCapacity
    if pending.versionStamp[slot] != generation {
      let length = Int(entry & 0xFFFF_FFFF)
      // An empty version reads as "0": the string path handles it.
      guard length > 0, Version.paddedCapacity(length) <= PendingStrings.versionBytesCapacity else {
        return nil
      }
      let text = UnsafeBufferPointer(start: pending.arena + Int(entry >> 32), count: length)
      // UTF-8 byte order is UTF-16 order only for ASCII: other text takes the string path.
      guard !text.contains(where: { $0 >= 0x80 }) else { return nil }
      pending.versionLength[slot] = Version.pad(text, into: bytes)
      pending.versionStamp[slot] = generation
    }
    return UnsafeBufferPointer(start: bytes, count: pending.versionLength[slot])
  }

  /// A version slot's padded form; a pending string's is built once per evaluation.
  func paddedVersion(_ slot: Int) -> String {
    let entry = pending.entries[slot]
    if entry < 0 { return paddedVersions[slot] }
    if pending.paddedStamp[slot] == generation { return pending.padded[slot] }
    let version = Version.padded(pendingString(slot, entry))
    pending.padded[slot] = version
    pending.paddedStamp[slot] = generation
    return version
  }

  /// Whether a key array holds a key of the sorted set `keySets[start..<start + count]` (an array attribute intersects).
  @inline(__always)
  func anyKey(_ slot: PreparedProfile.Summary, _ start: Int32, _ count: Int32) -> Bool {
    let first = Int(slot.key)
    for index in first..<first + Int(slot.number) where containsKey(arrayKeys[index], start, count)
    {
      return true
    }
    return false
  }

  /// Whether an array of strings holds every key of the set `start..<start + count`.
  func allKeys(_ slot: PreparedProfile.Summary, _ start: Int32, _ count: Int32) -> Bool {
    let first = Int(slot.key)
    let elements = first..<first + Int(slot.number)
    for key in keySets[Int(start)..<Int(start + count)]
    where !elements.contains(where: { arrayKeys[$0] == key }) {
      return false
    }
    return true
  }

  @inline(__always)
  func containsKey(_ key: Int32, _ start: Int32, _ count: Int32) -> Bool {
    var low = Int(start)
    var high = Int(start + count)
    while low < high {
      let middle = (low + high) >> 1
      let probe = keySets[middle]
      if probe == key { return true }
      if probe < key { low = middle + 1 } else { high = middle }
    }
    return false
  }
}

/// An evaluator's memory for sieves: every sieved decision's bits and survivors (apart, so
/// a decision a rule refers to is sieved without disturbing the one checking it), and
/// scratch words for one filter at a time.
struct SieveBuffers {
  let bits: UnsafeMutablePointer<UInt64>
  let scratch: UnsafeMutablePointer<UInt64>
  let survivors: UnsafeMutablePointer<Int32>
}

// swift-format-ignore: NeverForceUnwrap
// The sieve pools are allocated with room for one element at least, so they have base addresses.
/// The bit set a filter admits for a value when it is one entry's (an array with one key, a
/// string with one suffix), intersected without building it in the scratch words.
private struct SieveSources {
  var only: Int32 = -1
  var count = 0
  /// The entry listed positions (no bit set).
  var isList = false

  @inline(__always)
  mutating func add(_ entry: FlatRules.SieveEntry) {
    if count == 0 {
      only = entry.bitset
      isList = entry.bitset < 0
    }
    count += 1
  }

  /// Intersects `bits` with the one bit set (or the unconstrained bits when there is no
  /// entry); false, doing nothing, when there are several entries or a list.
  @inline(__always)
  func intersect(
    _ bits: UnsafeMutablePointer<UInt64>,
    _ filter: FlatRules.SieveFilterRecord,
    _ walk: Walk
  ) -> Bool {
    guard count <= 1 && !isList else { return false }
    let words = walk.flat.sieveWords.baseAddress!
    // A key's or suffix's bit set holds the unconstrained bits.
    walk.intersect(bits, filter, words + Int(count == 0 ? filter.unconstrained : only))
    return true
  }
}

// swift-format-ignore: NeverForceUnwrap
// The sieve pools are allocated with room for one element at least, so they have base addresses.
extension Walk {
  /// Calls `body` with each admitted rule of a sieved decision, in rule order, while it
  /// returns true.
  @inline(__always)
  func forEachSieveHit(_ decision: FlatRules.DecisionRecord, _ body: (Hit) -> Bool) {
    let firstCandidate = Int(flat.sieves[Int(decision.sieve)].firstCandidate)
    for rule in sieve(decision) {
      if let hit = attempt(candidates[firstCandidate + Int(rule)], decision), !body(hit) { return }
    }
  }

  /// The rules of a sieved decision that pass every filter, ascending: the only ones
  /// whose conditions need checking.
  func sieve(_ decision: FlatRules.DecisionRecord) -> UnsafeBufferPointer<Int32> {
    let sieve = flat.sieves[Int(decision.sieve)]
    let bits = sieveBuffers.bits + Int(sieve.accumulator)
    let words = Int(sieve.words)
    bits.update(from: flat.sieveWords.baseAddress! + Int(sieve.possible), count: words)
    for offset in 0..<sieve.filterCount {
      apply(flat.sieveFilters[Int(sieve.firstFilter + offset)], bits)
    }
    let survivors = sieveBuffers.survivors + Int(sieve.survivors)
    let order = flat.sieveInts.baseAddress! + Int(sieve.order)
    var count = 0
    // Most words are zero by now: four are tested at once.
    var word = 0
    while word < words {
      if word &+ 4 <= words
        && (bits[word] | bits[word &+ 1] | bits[word &+ 2] | bits[word &+ 3]) == 0
      {
        word &+= 4
        continue
      }
      var remaining = bits[word]
      while remaining != 0 {
        survivors[count] = order[word << 6 | remaining.trailingZeroBitCount]
        count &+= 1
        remaining &= remaining &- 1
      }
      word &+= 1
    }
    var found = UnsafeMutableBufferPointer(start: survivors, count: count)
    if count > 1 {
      if count <= 16 {
        for index in 1..<count {
          let rule = found[index]
          var position = index
          while position > 0 && found[position - 1] > rule {
            found[position] = found[position - 1]
            position -= 1
          }
          found[position] = rule
        }
      } else {
        found.sort()
      }
    }
    return UnsafeBufferPointer(found)
  }

  /// Clears the bits of the rules `filter` rules out for the profile's value; a value it
  /// cannot read leaves them.
  @inline(__always)
  func apply(_ filter: FlatRules.SieveFilterRecord, _ bits: UnsafeMutablePointer<UInt64>) {
    let value = slots[Int(filter.slot)]
    let words = flat.sieveWords.baseAddress!
    if value.kind == .null {
      intersect(bits, filter, words + Int(filter.null))
      return
    }
    let scratch = sieveBuffers.scratch
    let localWords = Int(filter.localWords)
    switch filter.kind {
    case .keys:
      switch value.kind {
      case .string:
        guard value.key >= 0 && value.key < filter.count else {
          intersect(bits, filter, words + Int(filter.unconstrained))
          return
        }
        let entry = flat.sieveEntries[Int(filter.start + value.key)]
        if entry.bitset >= 0 {
          intersect(bits, filter, words + Int(entry.bitset))
          return
        }
        scratch.update(from: words + Int(filter.unconstrained), count: localWords)
        add(entry, to: scratch, localWords)
        intersect(bits, filter, UnsafePointer(scratch))
      case .keyArray where filter.acceptsArrays:
        let first = Int(value.key)
        var sources = SieveSources()
        for index in first..<first + Int(value.number) {
          let key = arrayKeys[index]
          guard key >= 0 && key < filter.count else { continue }
          sources.add(flat.sieveEntries[Int(filter.start + key)])
        }
        if sources.intersect(bits, filter, self) { return }
        // A bit set holds the unconstrained bits: the union starts from the first one's.
        var skip = sources.only >= 0
        scratch.update(
          from: words + Int(skip ? sources.only : filter.unconstrained),
          count: localWords
        )
        for index in first..<first + Int(value.number) {
          let key = arrayKeys[index]
          guard key >= 0 && key < filter.count else { continue }
          if skip {
            skip = false
            continue
          }
          add(flat.sieveEntries[Int(filter.start + key)], to: scratch, localWords)
        }
        intersect(bits, filter, UnsafePointer(scratch))
      default:
        return
      }
    case .version:
      guard value.kind == .string else { return }
      let slot = Int(filter.slot)
      let region: Int?
      if let version = paddedVersionBytes(slot) {
        region = versionRegion(version, filter)
      } else if pending.entries[slot] < 0 {
        // UTF-8 byte order is UTF-16 order only for ASCII: other text skips the filter.
        region =
          paddedVersions[slot].utf8.withContiguousStorageIfAvailable { version in
            version.allSatisfy { $0 < 0x80 } ? versionRegion(version, filter) : nil
          } ?? nil
      } else {
        region = nil
      }
      guard let region else { return }
      intersect(bits, filter, region: Int(filter.extra) + region)
    case .string:
      guard value.kind == .string else { return }
      // The operands are ASCII, so byte order is the comparisons' (UTF-16) order for any
      // value: where it first differs from an operand, a byte that is not ASCII starts a
      // scalar above every ASCII one in both orders.
      let region = withBytes(Int(filter.slot)) { versionRegion($0, filter) }
      intersect(bits, filter, region: Int(filter.extra) + region)
    case .number, .time:
      let key: Double
      if filter.kind == .number {
        guard value.kind == .number else { return }
        key = value.number
      } else {
        guard value.kind == .string else { return }
        key = time(Int(filter.slot))
        guard !key.isNaN else { return }
      }
      let thresholds = UnsafeBufferPointer(
        start: flat.thresholds.baseAddress! + Int(filter.start),
        count: Int(filter.count)
      )
      intersect(bits, filter, region: Int(filter.extra) + FlatRules.region(of: key, in: thresholds))
    case .suffix, .prefix:
      guard value.kind == .string else { return }
      // Most values end (start) with no suffix (prefix), and then only the unconstrained
      // rules stay, or with one whose bit set is intersected at once.
      let fromStart = filter.kind == .prefix
      var sources = SieveSources()
      forEachAffix(
        fromStart: fromStart,
        slot: Int(filter.slot),
        table: Int(filter.start),
        capacity: Int(filter.count),
        nodes: Int(filter.extra)
      ) { entry in
        sources.add(flat.sieveEntries[Int(entry)])
      }
      if sources.intersect(bits, filter, self) { return }
      // A bit set holds the unconstrained bits: the union starts from the first one's.
      var skip = sources.only >= 0
      scratch.update(
        from: words + Int(skip ? sources.only : filter.unconstrained),
        count: localWords
      )
      forEachAffix(
        fromStart: fromStart,
        slot: Int(filter.slot),
        table: Int(filter.start),
        capacity: Int(filter.count),
        nodes: Int(filter.extra)
      ) { entry in
        if skip {
          skip = false
          return
        }
        add(flat.sieveEntries[Int(entry)], to: scratch, localWords)
      }
      intersect(bits, filter, UnsafePointer(scratch))
    }
  }

  /// Intersects the decision's bits with those an interval filter admits in `index` of `sieveRegions`.
  @inline(__always)
  func intersect(
    _ bits: UnsafeMutablePointer<UInt64>,
    _ filter: FlatRules.SieveFilterRecord,
    region index: Int
  ) {
    let region = flat.sieveRegions[index]
    let words = flat.sieveWords.baseAddress!
    if region.eventStart == region.eventEnd {
      intersect(bits, filter, words + Int(region.checkpoint))
      return
    }
    let scratch = sieveBuffers.scratch
    scratch.update(from: words + Int(region.checkpoint), count: Int(filter.localWords))
    for index in Int(region.eventStart)..<Int(region.eventEnd) {
      let bit = flat.sieveInts[index]
      scratch[Int(bit >> 6)] ^= 1 << UInt64(bit & 63)
    }
    intersect(bits, filter, UnsafePointer(scratch))
  }

  /// The region of a padded version among a version filter's operands, or of a string
  /// among a string filter's (byte order).
  func versionRegion(
    _ version: UnsafeBufferPointer<UInt8>,
    _ filter: FlatRules.SieveFilterRecord
  )
    -> Int
  {
    let spans = flat.sieveInts.baseAddress! + Int(filter.start)
    let affixes = flat.affixBytes.baseAddress!
    let keys = flat.sieveWords.baseAddress! + Int(filter.versionKeys)
    let key = FlatRules.versionKey(version)
    // Most operands differ from the version in their first 16 bytes: two integer comparisons.
    func order(_ index: Int) -> Int {
      let (high, low) = (keys[2 &* index], keys[2 &* index &+ 1])
      if key.0 != high { return key.0 < high ? -1 : 1 }
      if key.1 != low { return key.1 < low ? -1 : 1 }
      return Walk.order(version, affixes + Int(spans[2 * index]), Int(spans[2 * index + 1]))
    }
    var low = 0
    var high = Int(filter.count)
    while low < high {
      let middle = (low + high) >> 1
      if order(middle) > 0 { low = middle + 1 } else { high = middle }
    }
    return low < Int(filter.count) && order(low) == 0 ? 2 * low + 1 : 2 * low
  }

  /// Sets the local bits of the rules an entry admits.
  @inline(__always)
  func add(
    _ entry: FlatRules.SieveEntry,
    to scratch: UnsafeMutablePointer<UInt64>,
    _ localWords: Int
  ) {
    if entry.bitset >= 0 {
      let source = flat.sieveWords.baseAddress! + Int(entry.bitset)
      for word in 0..<localWords { scratch[word] |= source[word] }
      return
    }
    for index in Int(entry.start)..<Int(entry.start + entry.count) {
      let bit = flat.sieveInts[index]
      scratch[Int(bit >> 6)] |= 1 << UInt64(bit & 63)
    }
  }

  /// Intersects the decision's bits with a filter's local bits, run by run.
  @inline(__always)
  func intersect(
    _ bits: UnsafeMutablePointer<UInt64>,
    _ filter: FlatRules.SieveFilterRecord,
    _ local: UnsafePointer<UInt64>
  ) {
    let runs = flat.sieveInts.baseAddress! + Int(filter.runs)
    var source = local
    for run in 0..<Int(filter.runCount) {
      let start = Int(runs[2 * run])
      let count = Int(runs[2 * run + 1]) - start
      let target = bits + start
      for word in 0..<count { target[word] &= source[word] }
      source += count
    }
  }
}
