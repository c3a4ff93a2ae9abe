#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Consistency checks of what the compiler builds: every decision graph and the flat
/// records the evaluator walks without bounds checks.
///
/// They run after lowering when the environment variable `TAILOR_INTERNAL_CHECKS` is set
/// (to anything but `0`): a violation stops the process with the list of problems. The
/// differential tests run them on every document they compile. Each check names the
/// record and the rule it breaks, so a problem points at the lowering step that made it.
enum InternalChecks {
  /// Whether loading checks every compiled document.
  static let isEnabled: Bool = {
    guard let value = ProcessInfo.processInfo.environment["TAILOR_INTERNAL_CHECKS"] else {
      return false
    }
    return !value.isEmpty && value != "0"
  }()

  /// Stops the process when `compiled` or `flat` breaks an invariant.
  static func verify(_ compiled: CompiledRules, _ flat: FlatRules) {
    let found = problems(compiled) + problems(flat)
    if !found.isEmpty {
      fatalError("TAILOR_INTERNAL_CHECKS: \(found.prefix(20).joined(separator: "; "))")
    }
  }

  /// The invariants every decision graph of `compiled` breaks, as messages.
  static func problems(_ compiled: CompiledRules) -> [String] {
    var found: [String] = []
    for decision in compiled.decisions {
      for problem in problems(decision.graph, rules: decision.rules.count, table: compiled.table) {
        found.append("decision `\(decision.name)`: \(problem)")
      }
    }
    return found
  }

  /// The invariants `graph` breaks, for a decision of `rules` rules.
  static func problems(_ graph: DecisionGraph, rules: Int, table: PredicateTable) -> [String] {
    var found: [String] = []
    let count = graph.nodes.count
    func check(_ condition: Bool, _ node: Int, _ message: @autoclosure () -> String) {
      if !condition { found.append("node \(node): \(message())") }
    }
    func isNode(_ index: Int32) -> Bool { isIndex(index, below: count) }
    guard graph.minimumRule.count == count else {
      return ["\(graph.minimumRule.count) minimum rules for \(count) nodes"]
    }
    if !isNode(graph.root) { found.append("root \(graph.root) is not a node") }
    /// A child's rules are among its parent's, so its lowest rule is not below the parent's.
    func checkChild(_ node: Int, _ child: Int32) {
      check(isNode(child), node, "child \(child) is not a node")
      if isNode(child) {
        check(
          graph.minimumRule[Int(child)] >= graph.minimumRule[node],
          node,
          "child \(child) has a rule below the node's lowest"
        )
      }
    }
    func checkSlot(_ node: Int, _ slot: Int32) {
      check(isIndex(slot, below: table.paths.count), node, "slot \(slot) is not a slot")
    }
    for (index, node) in graph.nodes.enumerated() {
      switch node {
      case .empty:
        check(graph.minimumRule[index] == Int32.max, index, "an empty node has a lowest rule")
      case .leaf(let range):
        guard range.lowerBound >= 0, Int(range.upperBound) <= graph.candidates.count,
          !range.isEmpty
        else {
          check(false, index, "leaf range \(range) is empty or outside the candidates")
          continue
        }
        var previous: Int32 = -1
        for position in range {
          let rule = graph.candidates[Int(position)].rule
          check(rule > previous && Int(rule) < rules, index, "leaf rules do not ascend at \(rule)")
          previous = rule
        }
        check(
          graph.minimumRule[index] == graph.candidates[Int(range.lowerBound)].rule,
          index,
          "a leaf's lowest rule is not its first"
        )
      case .firstOf(let children):
        check(children.count >= 2, index, "firstOf has \(children.count) children")
        for child in children { checkChild(index, child) }
        let minima = children.filter(isNode).map { graph.minimumRule[Int($0)] }
        check(minima == minima.sorted(), index, "firstOf children are not sorted by lowest rule")
        check(
          minima.first == graph.minimumRule[index],
          index,
          "firstOf's lowest rule is not its first child's"
        )
      case .switchOn(let slot, let cases, let fallback),
        .memberOf(let slot, let cases, let fallback):
        checkSlot(index, slot)
        let keyCount = Int(slot) < table.keyIDs.count ? table.keyIDs[Int(slot)].count : 0
        for (key, child) in cases {
          check(isIndex(key, below: keyCount), index, "case key \(key) is not a key of the slot")
          checkChild(index, child)
        }
        // The fallback is the slot's shared leaf: it may hold lower rules than the node.
        check(isNode(fallback), index, "fallback \(fallback) is not a node")
      case .interval(let slot, _, let thresholds, let isCut, let children, let null, let fallback):
        checkSlot(index, slot)
        check(
          zip(thresholds, thresholds.dropFirst()).allSatisfy { $0 < $1 },
          index,
          "thresholds do not ascend strictly"
        )
        check(!thresholds.contains { $0.isNaN }, index, "a threshold is NaN")
        let expected = isCut ? thresholds.count + 1 : 2 * thresholds.count + 1
        check(children.count == expected, index, "\(children.count) regions, expected \(expected)")
        for child in children { checkChild(index, child) }
        checkChild(index, null)
        check(isNode(fallback), index, "fallback \(fallback) is not a node")
      case .suffix(let slot, let cases):
        checkSlot(index, slot)
        check(
          Set(cases.map(\.suffix)).count == cases.count,
          index,
          "suffixes are repeated"
        )
        for entry in cases { checkChild(index, entry.child) }
      }
    }
    return found
  }

  /// The problems of one sieve's records: every offset inside its pool, runs ascending
  /// within the decision's words, positions naming rules, regions and events in range.
  static func sieveProblems(
    _ flat: FlatRules,
    _ sieve: FlatRules.SieveRecord,
    _ decision: FlatRules.DecisionRecord,
    _ name: String
  ) -> [String] {
    var found: [String] = []
    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
      if !condition { found.append("\(name): " + message()) }
    }
    func inside(_ start: Int32, _ count: Int32, _ pool: Int) -> Bool {
      start >= 0 && count >= 0 && Int(start) + Int(count) <= pool
    }
    let words = sieve.words
    check(Int(words) * 64 >= Int(decision.ruleCount), "fewer bits than rules")
    check(inside(sieve.possible, words, flat.sieveWords.count), "possible bits out of range")
    check(inside(sieve.order, decision.ruleCount, flat.sieveInts.count), "order out of range")
    check(
      inside(sieve.firstCandidate, decision.ruleCount, flat.candidates.count),
      "candidates out of range"
    )
    check(
      inside(sieve.firstFilter, sieve.filterCount, flat.sieveFilters.count),
      "filters out of range"
    )
    guard found.isEmpty else { return found }
    for position in 0..<Int(decision.ruleCount) {
      let rule = flat.sieveInts[Int(sieve.order) + position]
      check(
        isIndex(rule, below: Int(decision.ruleCount)),
        "position \(position) names rule \(rule)"
      )
    }
    for offset in 0..<sieve.filterCount {
      let filter = flat.sieveFilters[Int(sieve.firstFilter + offset)]
      let local = filter.localWords
      check(
        isIndex(filter.slot, below: flat.slotPaths.count),
        "filter \(offset): slot out of range"
      )
      check(
        inside(filter.runs, 2 * filter.runCount, flat.sieveInts.count),
        "filter \(offset): runs out of range"
      )
      check(
        inside(filter.unconstrained, local, flat.sieveWords.count),
        "filter \(offset): bits out of range"
      )
      check(
        inside(filter.null, local, flat.sieveWords.count),
        "filter \(offset): null bits out of range"
      )
      guard inside(filter.runs, 2 * filter.runCount, flat.sieveInts.count) else { continue }
      var total: Int32 = 0
      var previous: Int32 = 0
      for run in 0..<Int(filter.runCount) {
        let start = flat.sieveInts[Int(filter.runs) + 2 * run]
        let end = flat.sieveInts[Int(filter.runs) + 2 * run + 1]
        check(
          start >= previous && start < end && end <= words,
          "filter \(offset): run \(run) out of order"
        )
        previous = end
        total += end - start
      }
      check(total == local, "filter \(offset): runs hold \(total) words, not \(local)")
      func localBits(_ start: Int32, _ count: Int32) -> Bool {
        guard inside(start, count, flat.sieveInts.count) else { return false }
        return (start..<start + count).allSatisfy {
          isIndex(flat.sieveInts[Int($0)], below: Int(local) * 64)
        }
      }
      func entry(_ entry: FlatRules.SieveEntry) -> Bool {
        entry.bitset >= 0
          ? inside(entry.bitset, local, flat.sieveWords.count) : localBits(entry.start, entry.count)
      }
      switch filter.kind {
      case .keys:
        check(
          inside(filter.start, filter.count, flat.sieveEntries.count),
          "filter \(offset): entries out of range"
        )
        if inside(filter.start, filter.count, flat.sieveEntries.count) {
          for key in 0..<filter.count {
            check(
              entry(flat.sieveEntries[Int(filter.start + key)]),
              "filter \(offset): key \(key) out of range"
            )
          }
        }
      case .suffix, .prefix:
        if let problem = InternalChecks.suffixTrieProblem(
          flat,
          table: filter.start,
          capacity: filter.count,
          nodes: filter.extra
        ) {
          check(false, "filter \(offset): \(problem)")
        } else {
          for child in InternalChecks.suffixChildren(flat, nodes: filter.extra) {
            check(
              isIndex(child, below: flat.sieveEntries.count)
                && entry(flat.sieveEntries[Int(child)]),
              "filter \(offset): suffix entry \(child) out of range"
            )
          }
        }
      case .number, .time, .version, .string:
        // Versions and strings order byte strings: `(start, count)` spans of `affixBytes`.
        let isBytes = filter.kind == .version || filter.kind == .string
        check(
          isBytes
            ? inside(filter.start, 2 * filter.count, flat.sieveInts.count)
            : inside(filter.start, filter.count, flat.thresholds.count),
          "filter \(offset): thresholds out of range"
        )
        if isBytes {
          check(
            inside(filter.versionKeys, 2 * filter.count, flat.sieveWords.count),
            "filter \(offset): version keys out of range"
          )
          if inside(filter.start, 2 * filter.count, flat.sieveInts.count) {
            for operand in 0..<Int(filter.count) {
              let span = Int(filter.start) + 2 * operand
              check(
                inside(flat.sieveInts[span], flat.sieveInts[span + 1], flat.affixBytes.count),
                "filter \(offset): operand \(operand) out of range"
              )
            }
          }
        }
        let regions = 2 * filter.count + 1
        check(
          inside(filter.extra, regions, flat.sieveRegions.count),
          "filter \(offset): regions out of range"
        )
        guard inside(filter.extra, regions, flat.sieveRegions.count) else { continue }
        for index in filter.extra..<filter.extra + regions {
          let region = flat.sieveRegions[Int(index)]
          check(
            inside(region.checkpoint, local, flat.sieveWords.count)
              && localBits(region.eventStart, region.eventEnd - region.eventStart),
            "filter \(offset): region \(index - filter.extra) out of range"
          )
        }
      }
    }
    return found
  }

  /// The invariants the flat records break: every index the walk follows without a
  /// bounds check lies inside its pool.
  static func problems(_ flat: FlatRules) -> [String] {
    var found: [String] = []
    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
      if !condition { found.append(message()) }
    }
    func inside(_ start: Int32, _ count: Int32, _ pool: Int) -> Bool {
      start >= 0 && count >= 0 && Int(start) + Int(count) <= pool
    }
    let nodeCount = flat.nodes.count
    let slotCount = flat.slotPaths.count
    func isNode(_ index: Int32) -> Bool { isIndex(index, below: nodeCount) }

    for (index, node) in flat.nodes.enumerated() {
      let name = "node record \(index) (\(node.kind))"
      switch node.kind {
      case .empty:
        break
      case .leaf:
        check(
          inside(node.start, node.count, flat.candidates.count),
          "\(name): candidates out of range"
        )
      case .firstOf:
        check(inside(node.start, node.count, flat.children.count), "\(name): children out of range")
        if inside(node.start, node.count, flat.children.count) {
          for offset in 0..<node.count {
            check(isNode(flat.children[Int(node.start + offset)]), "\(name): child is not a node")
          }
        }
      case .switchDense, .memberDense, .switchSorted, .memberSorted:
        let dense = node.kind == .switchDense || node.kind == .memberDense
        let width: Int32 = dense ? 1 : 2
        check(isIndex(node.slot, below: slotCount), "\(name): slot out of range")
        check(
          inside(node.start, width * node.count, flat.switchEntries.count),
          "\(name): entries out of range"
        )
        check(isNode(node.fallback), "\(name): fallback is not a node")
        guard inside(node.start, width * node.count, flat.switchEntries.count) else { continue }
        var previousKey: Int32 = -1
        for offset in 0..<Int(node.count) {
          if dense {
            let child = flat.switchEntries[Int(node.start) + offset]
            check(child == -1 || isNode(child), "\(name): case child is not a node")
          } else {
            let key = flat.switchEntries[Int(node.start) + 2 * offset]
            let child = flat.switchEntries[Int(node.start) + 2 * offset + 1]
            check(key > previousKey, "\(name): keys do not ascend")
            check(isNode(child), "\(name): case child is not a node")
            previousKey = key
          }
        }
      case .interval, .intervalCut:
        let regions = node.kind == .interval ? 2 * node.count + 1 : node.count + 1
        check(isIndex(node.slot, below: slotCount), "\(name): slot out of range")
        check(
          inside(node.start, node.count, flat.thresholds.count),
          "\(name): thresholds out of range"
        )
        check(
          inside(node.firstChild, regions, flat.children.count),
          "\(name): regions out of range"
        )
        // -1: a region, or null, where no rule can match.
        check(
          (node.null == -1 || isNode(node.null)) && isNode(node.fallback),
          "\(name): null or fallback is not a node"
        )
        if inside(node.firstChild, regions, flat.children.count) {
          for offset in 0..<regions {
            let child = flat.children[Int(node.firstChild + offset)]
            check(child == -1 || isNode(child), "\(name): region is not a node")
          }
        }
        if inside(node.start, node.count, flat.thresholds.count), node.count > 1 {
          for offset in 1..<Int(node.count) {
            check(
              flat.thresholds[Int(node.start) + offset - 1]
                < flat.thresholds[Int(node.start) + offset],
              "\(name): thresholds do not ascend"
            )
          }
        }
      case .suffix:
        check(isIndex(node.slot, below: slotCount), "\(name): slot out of range")
        if let problem = InternalChecks.suffixTrieProblem(
          flat,
          table: node.start,
          capacity: node.count,
          nodes: node.firstChild
        ) {
          check(false, "\(name): \(problem)")
        } else {
          for child in InternalChecks.suffixChildren(flat, nodes: node.firstChild) {
            check(isNode(child), "\(name): case child is not a node")
          }
        }
      }
    }

    for (index, candidate) in flat.candidates.enumerated() {
      check(
        isIndex(candidate.program, below: flat.programs.count),
        "candidate \(index): program out of range"
      )
      check(
        candidate.predicate >= -1 && Int(candidate.predicate) < flat.predicates.count,
        "candidate \(index): predicate out of range"
      )
      check(
        candidate.firstTest >= -1 && Int(candidate.firstTest) < flat.predicates.count,
        "candidate \(index): first test out of range"
      )
    }

    for (index, program) in flat.programs.enumerated() {
      let name = "program \(index) (\(program.op))"
      switch program.op {
      case .and, .or, .nor:
        guard inside(program.start, program.count, flat.programChildren.count) else {
          check(false, "\(name): children out of range")
          continue
        }
        for offset in 0..<program.count {
          let entry = flat.programChildren[Int(program.start + offset)]
          // Children are lowered before their parent, so programs form no cycle.
          check(
            entry < 0 ? Int(~entry) < flat.predicates.count : Int(entry) < index,
            "\(name): child \(entry) out of range"
          )
        }
      case .not:
        check(isIndex(program.start, below: index), "\(name): child out of range")
      case .predicate:
        check(
          isIndex(program.start, below: flat.predicates.count),
          "\(name): predicate out of range"
        )
      case .decision:
        check(
          isIndex(program.start, below: flat.decisions.count),
          "\(name): decision out of range"
        )
      case .constant:
        break
      }
    }

    for (index, predicate) in flat.predicates.enumerated() {
      let name = "predicate \(index) (\(predicate.kind))"
      check(isIndex(predicate.slot, below: slotCount), "\(name): slot out of range")
      check(
        isIndex(predicate.test, below: flat.tests.count),
        "\(name): test out of range"
      )
      switch predicate.kind {
      case .keyIn, .keyNotIn, .keyAll, .keyElement:
        check(
          inside(predicate.start, predicate.count, flat.keySets.count),
          "\(name): keys out of range"
        )
        if inside(predicate.start, predicate.count, flat.keySets.count), predicate.count > 1 {
          let keys = flat.keySets[Int(predicate.start)..<Int(predicate.start + predicate.count)]
          check(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }, "\(name): keys do not ascend")
        }
      case .regex:
        check(
          isIndex(predicate.start, below: flat.patterns.count),
          "\(name): pattern out of range"
        )
      case .version:
        check(
          isIndex(predicate.start, below: flat.paddedOperands.count),
          "\(name): operand out of range"
        )
      case .prefix, .suffix:
        check(
          inside(predicate.start, predicate.count, flat.affixBytes.count),
          "\(name): bytes out of range"
        )
      default:
        break
      }
    }

    for (index, rule) in flat.rules.enumerated() {
      check(
        inside(rule.rangeStart, rule.rangeCount, flat.ranges.count),
        "rule \(index): ranges out of range"
      )
      if rule.kind != .serve {
        check(isIndex(rule.slot, below: slotCount), "rule \(index): slot out of range")
        check(
          isIndex(rule.seed, below: flat.seeds.count),
          "rule \(index): seed out of range"
        )
      }
    }

    for (index, decision) in flat.decisions.enumerated() {
      check(isNode(decision.root), "decision \(index): root is not a node")
      check(
        decision.requires >= -1 && Int(decision.requires) < flat.programs.count,
        "decision \(index): prerequisite out of range"
      )
      check(
        inside(decision.firstRule, decision.ruleCount, flat.rules.count),
        "decision \(index): rules out of range"
      )
    }
    found += identityProblems(flat)
    // Candidates name rules of their decision: find each leaf's decision by its root's range.
    for (index, decision) in flat.decisions.enumerated() {
      var stack = [decision.root]
      var seen: Set<Int32> = []
      while let node = stack.popLast() {
        guard isNode(node), seen.insert(node).inserted else { continue }
        let record = flat.nodes[Int(node)]
        if record.kind == .leaf, inside(record.start, record.count, flat.candidates.count) {
          for position in record.start..<record.start + record.count {
            let rule = flat.candidates[Int(position)].rule
            check(
              rule >= 0 && rule < decision.ruleCount,
              "decision \(index): candidate rule \(rule) out of range"
            )
          }
        }
        stack.append(contentsOf: successors(flat, record))
      }
    }
    for (index, decision) in flat.decisions.enumerated() where decision.sieve >= 0 {
      guard isIndex(decision.sieve, below: flat.sieves.count) else {
        found.append("decision \(index): sieve out of range")
        continue
      }
      found += sieveProblems(flat, flat.sieves[Int(decision.sieve)], decision, "decision \(index)")
    }
    return found
  }

  /// The invariants behind the per-document handles: a ``DecisionID`` is checked
  /// against the serial and then indexes every per-decision table, a
  /// ``PreparedProfile`` and an ``Evaluator`` size their per-slot memory by the
  /// slot paths, and a decision's variant and rule indices name its names.
  static func identityProblems(_ flat: FlatRules) -> [String] {
    var found: [String] = []
    func check(_ condition: Bool, _ message: @autoclosure () -> String) {
      if !condition { found.append(message()) }
    }
    let slotCount = flat.slotPaths.count
    check(flat.serial != 0, "serial 0, which no document is given")
    check(
      flat.info.count == flat.decisions.count
        && flat.compiled.decisions.count == flat.decisions.count,
      "\(flat.info.count) decision names and \(flat.compiled.decisions.count) compiled decisions for \(flat.decisions.count) decision records"
    )
    for (name, index) in flat.decisionIndex {
      check(
        isIndex(index, below: flat.info.count)
          && JSONValue.sameBytes(flat.info[Int(index)].name, name.value),
        "decision index: a name leads to decision \(index), not of that name"
      )
    }
    for (index, decision) in zip(flat.info.indices, flat.decisions) {
      let info = flat.info[index]
      let variants = info.variantKeys.count
      let name = "decision \(index)"
      check(
        info.variantValues.count == variants,
        "\(name): \(info.variantValues.count) variant values for \(variants) keys"
      )
      check(
        info.ruleIDs.count == Int(decision.ruleCount),
        "\(name): \(info.ruleIDs.count) rule ids for \(decision.ruleCount) rule records"
      )
      check(
        decision.defaultVariant >= -1 && Int(decision.defaultVariant) < variants,
        "\(name): default variant \(decision.defaultVariant) out of range"
      )
      let first = Int(decision.firstRule)
      guard first >= 0, first + Int(decision.ruleCount) <= flat.rules.count else { continue }
      for rule in flat.rules[first..<first + Int(decision.ruleCount)] {
        if rule.kind != .split {
          check(isIndex(rule.variant, below: variants), "\(name): a rule's variant out of range")
        }
        let start = Int(rule.rangeStart)
        guard start >= 0, start + Int(rule.rangeCount) <= flat.ranges.count else { continue }
        for range in flat.ranges[start..<start + Int(rule.rangeCount)] {
          check(isIndex(range.variant, below: variants), "\(name): a split's variant out of range")
        }
      }
    }
    let layout = flat.profileLayout
    check(
      layout.slotFlags.count == slotCount && layout.slotTable.count == slotCount
        && flat.slotKeys.count == slotCount,
      "profile layout: \(layout.slotFlags.count) slot flags, \(layout.slotTable.count) slot tables and \(flat.slotKeys.count) key tables for \(slotCount) slots"
    )
    check(
      layout.versionSlots.allSatisfy { isIndex($0, below: slotCount) },
      "profile layout: a version slot out of range"
    )
    return found
  }

  /// The nodes a flat node leads to.
  private static func successors(_ flat: FlatRules, _ node: FlatRules.NodeRecord) -> [Int32] {
    var next: [Int32] = []
    func range(_ start: Int32, _ count: Int32, _ pool: UnsafeBufferPointer<Int32>) -> [Int32] {
      guard start >= 0, count >= 0, Int(start + count) <= pool.count else { return [] }
      return Array(pool[Int(start)..<Int(start + count)])
    }
    switch node.kind {
    case .empty, .leaf:
      break
    case .firstOf:
      next = range(node.start, node.count, flat.children)
    case .switchDense, .memberDense:
      next = range(node.start, node.count, flat.switchEntries).filter { $0 >= 0 } + [node.fallback]
    case .switchSorted, .memberSorted:
      let entries = range(node.start, 2 * node.count, flat.switchEntries)
      next = stride(from: 1, to: entries.count, by: 2).map { entries[$0] } + [node.fallback]
    case .interval:
      next = range(node.firstChild, 2 * node.count + 1, flat.children) + [node.null, node.fallback]
      next.removeAll { $0 == -1 }
    case .intervalCut:
      next = range(node.firstChild, node.count + 1, flat.children) + [node.null, node.fallback]
      next.removeAll { $0 == -1 }
    case .suffix:
      if InternalChecks.suffixTrieProblem(
        flat,
        table: node.start,
        capacity: node.count,
        nodes: node.firstChild
      ) == nil {
        next.append(contentsOf: InternalChecks.suffixChildren(flat, nodes: node.firstChild))
      }
    }
    return next
  }
}

/// Whether `value` indexes a pool of `count` entries.
extension InternalChecks {
  /// What is wrong with a suffix trie (edges `table..<table + capacity` in
  /// ``FlatRules/suffixEntries``, nodes from `nodes` in ``FlatRules/suffixNodes``), if
  /// anything: every edge must lead to one of its nodes and read bytes in ``FlatRules/affixBytes``
  /// ending with its byte.
  static func suffixTrieProblem(
    _ flat: FlatRules,
    table: Int32,
    capacity: Int32,
    nodes: Int32
  ) -> String? {
    guard capacity > 0 && capacity & (capacity - 1) == 0 else {
      return "table size \(capacity) is not a power of two"
    }
    guard table >= 0, Int(table) + Int(capacity) <= flat.suffixEntries.count else {
      return "table out of range"
    }
    let pool = flat.suffixNodes
    guard isIndex(nodes, below: pool.count) else { return "nodes out of range" }
    let count = pool[Int(nodes)]
    guard count >= 1, Int(nodes) + 1 + Int(count) <= pool.count else { return "nodes out of range" }
    for offset in 0..<Int(capacity) {
      let entry = flat.suffixEntries[Int(table) + offset]
      guard entry.key != FlatRules.SuffixEntry.free else { continue }
      guard entry.next > 0 && entry.next < count else { return "transition out of range" }
      let label = Int(entry.label)
      guard label >= 0 && label < flat.affixBytes.count,
        flat.affixBytes[label] > 0, label + Int(flat.affixBytes[label]) < flat.affixBytes.count
      else { return "edge bytes out of range" }
      guard flat.affixBytes[label + Int(flat.affixBytes[label])] == UInt8(entry.key & 0xFF) else {
        return "edge bytes do not end with the edge's byte"
      }
    }
    return nil
  }

  /// The children of a suffix trie's nodes (whose list `suffixTrieProblem` accepted).
  static func suffixChildren(_ flat: FlatRules, nodes: Int32) -> [Int32] {
    let count = Int(flat.suffixNodes[Int(nodes)])
    return (0..<count).map { flat.suffixNodes[Int(nodes) + 1 + $0] }.filter { $0 >= 0 }
  }
}

private func isIndex(_ value: Int32, below count: Int) -> Bool {
  value >= 0 && Int(value) < count
}
