/// Builds one ``DecisionGraph`` (see ``Compiler`` for the strategy).
struct GraphBuilder {
  /// A rule still in play: its index and the conjuncts not yet decided.
  struct Item: Hashable {
    var rule: Int32
    var conjuncts: [Condition]
  }

  /// What a group of rules is split on.
  private enum Anchor: Hashable {
    case switchOn(AttributePath)
    case interval(AttributePath)
  }

  var table: PredicateTable
  private let evaluator: ConditionEvaluator
  private let certain: [Bool]
  private let firstOnly: Bool
  private var budget: Int
  private let decisionIndex: [ByteString: Int32]
  private var nodes: [DecisionGraph.Node] = []
  private var minimumRule: [Int32] = []
  private var candidates: [DecisionGraph.Candidate] = []
  private var memo: [[Item]: Int32] = [:]
  private var emptyNode: Int32?

  /// The most thresholds an interval node takes; more and the rules stay in a leaf.
  static let maxThresholds = 512

  /// The most switch and interval nodes on a path from the root; deeper, the
  /// rules stay in a leaf.
  ///
  /// Building recurses once per node on a path, and a rule can test thousands of attributes:
  /// without a bound, five such rules recursed hundreds of levels (overflowing a 512 KB stack) and
  /// took minutes.
  static let maxDepth = 32
  private var depth = 0

  init(
    table: PredicateTable,
    groups: [String: Set<JSONValue>],
    certain: [Bool],
    firstOnly: Bool,
    budget: Int,
    decisionIndex: [ByteString: Int32]
  ) {
    self.table = table
    self.evaluator = ConditionEvaluator(
      groups: groups,
      segment: { _ in false },
      decision: { _, _ in false }
    )
    self.certain = certain
    self.firstOnly = firstOnly
    self.budget = budget
    self.decisionIndex = decisionIndex
  }

  mutating func build(_ items: [Item]) -> DecisionGraph {
    let root = node(for: items)
    return DecisionGraph(nodes: nodes, minimumRule: minimumRule, candidates: candidates, root: root)
  }

  // MARK: Nodes

  private mutating func add(_ node: DecisionGraph.Node, minimum: Int32) -> Int32 {
    nodes.append(node)
    minimumRule.append(minimum)
    budget -= 1
    return Int32(nodes.count - 1)
  }

  private mutating func empty() -> Int32 {
    if let emptyNode { return emptyNode }
    let index = add(.empty, minimum: Int32.max)
    emptyNode = index
    return index
  }

  /// In first-match mode, rules after one that always wins can never win.
  private func truncated(_ items: [Item]) -> [Item] {
    guard firstOnly,
      let winner = items.firstIndex(where: { $0.conjuncts.isEmpty && certain[Int($0.rule)] })
    else { return items }
    return Array(items[...winner])
  }

  private mutating func node(for input: [Item]) -> Int32 {
    let items = truncated(input)
    if items.isEmpty { return empty() }
    if let known = memo[items] { return known }
    let result: Int32
    if items.count <= Compiler.leafSize || budget <= 0 || depth >= GraphBuilder.maxDepth {
      result = leaf(items)
    } else {
      depth += 1
      result = split(items)
      depth -= 1
    }
    memo[items] = result
    return result
  }

  private mutating func leaf(_ items: [Item]) -> Int32 {
    let items = truncated(items)
    if items.isEmpty { return empty() }
    let start = Int32(candidates.count)
    for item in items {
      candidates.append(
        DecisionGraph.Candidate(rule: item.rule, program: program(for: .and(item.conjuncts)))
      )
    }
    budget -= items.count
    return add(.leaf(range: start..<Int32(candidates.count)), minimum: items[0].rule)
  }

  /// Groups the items by anchor and builds one switch or interval node per group.
  private mutating func split(_ items: [Item]) -> Int32 {
    var popularity: [Anchor: Int] = [:]
    var anchorsOfItem: [[Anchor]] = []
    for item in items {
      var anchors: [Anchor] = []
      var seen: Set<Anchor> = []  // a rule can have thousands of conjuncts
      for conjunct in item.conjuncts {
        guard case .predicate(let predicate) = conjunct else { continue }
        let anchor: Anchor
        if GraphBuilder.switchKeys(predicate) != nil {
          anchor = .switchOn(predicate.path)
        } else if GraphBuilder.isIntervalAnchor(predicate) {
          anchor = .interval(predicate.path)
        } else {
          continue
        }
        if seen.insert(anchor).inserted { anchors.append(anchor) }
      }
      for anchor in anchors { popularity[anchor, default: 0] += 1 }
      anchorsOfItem.append(anchors)
    }
    var order: [Anchor] = []
    var grouped: [Anchor: [Item]] = [:]
    var unanchored: [Item] = []
    for (item, anchors) in zip(items, anchorsOfItem) {
      // The most popular anchor; switches before intervals on ties.
      guard
        let anchor = anchors.max(by: { a, b in
          let (pa, pb) = (popularity[a] ?? 0, popularity[b] ?? 0)
          if pa != pb { return pa < pb }
          if case .interval = a, case .switchOn = b { return true }
          return false
        })
      else {
        unanchored.append(item)
        continue
      }
      if grouped[anchor] == nil { order.append(anchor) }
      grouped[anchor, default: []].append(item)
    }
    if order.isEmpty { return leaf(items) }
    var children: [Int32] = []
    for anchor in order {
      let members = grouped[anchor] ?? []
      switch anchor {
      case .switchOn(let path): children.append(switchNode(path, members))
      case .interval(let path): children.append(intervalNode(path, members))
      }
    }
    if !unanchored.isEmpty { children.append(leaf(unanchored)) }
    children = children.filter { $0 != emptyNode }
    if children.isEmpty { return empty() }
    if children.count == 1 { return children[0] }
    children.sort { minimumRule[Int($0)] < minimumRule[Int($1)] }
    return add(.firstOf(children: children), minimum: minimumRule[Int(children[0])])
  }

  private mutating func switchNode(_ path: AttributePath, _ items: [Item]) -> Int32 {
    let slot = table.slot(for: path)
    // Each item can only survive under the keys of its anchor conjuncts.
    var keys: [String] = []
    var itemsOfKey: [ByteString: [Int]] = [:]
    for (position, item) in items.enumerated() {
      var itemKeys: Set<ByteString>?
      for conjunct in item.conjuncts {
        guard case .predicate(let predicate) = conjunct, predicate.path == path,
          let found = GraphBuilder.switchKeys(predicate)
        else { continue }
        let set = Set(found.map(ByteString.init))
        itemKeys = itemKeys.map { $0.intersection(set) } ?? set
      }
      for key in itemKeys ?? [] {
        if itemsOfKey[key] == nil { keys.append(key.value) }
        itemsOfKey[key, default: []].append(position)
      }
    }
    var cases: [Int32: Int32] = [:]
    for key in keys {
      let value = JSONValue.string(key)
      let survivors = (itemsOfKey[ByteString(key)] ?? []).compactMap { position in
        specialize(items[position], path: path) { evaluator.matches($0, value) }
      }
      let child = node(for: survivors)
      if child != emptyNode { cases[table.keyID(key, slot: slot)] = child }
    }
    budget -= keys.count
    let fallback = leaf(items)
    if cases.isEmpty && fallback == emptyNode { return empty() }
    return add(.switchOn(slot: slot, cases: cases, fallback: fallback), minimum: items[0].rule)
  }

  private mutating func intervalNode(_ path: AttributePath, _ items: [Item]) -> Int32 {
    let slot = table.slot(for: path)
    var thresholdSet: Set<Double> = []
    for item in items {
      for conjunct in item.conjuncts {
        guard case .predicate(let predicate) = conjunct, predicate.path == path,
          let found = GraphBuilder.intervalThresholds(predicate)
        else { continue }
        thresholdSet.formUnion(found)
      }
    }
    let thresholds = thresholdSet.sorted()
    if thresholds.isEmpty || thresholds.count > GraphBuilder.maxThresholds { return leaf(items) }
    var representatives: [Double] = []
    for (index, threshold) in thresholds.enumerated() {
      let below =
        index == 0
        ? threshold - max(1, abs(threshold)) : (thresholds[index - 1] + threshold) / 2
      representatives.append(below)
      representatives.append(threshold)
    }
    let last = thresholds[thresholds.count - 1]
    representatives.append(last + max(1, abs(last)))
    var children: [Int32] = []
    for representative in representatives {
      let value = JSONValue.number(representative)
      let survivors = items.compactMap { item in
        specialize(item, path: path) { test in
          GraphBuilder.intervalThresholds(Predicate(path: path, test: test)) != nil
            ? evaluator.matches(test, value) : nil
        }
      }
      children.append(node(for: survivors))
    }
    let null = node(
      for: items.compactMap { specialize($0, path: path) { evaluator.matches($0, .null) } }
    )
    let fallback = leaf(items)
    return add(
      .interval(
        slot: slot,
        thresholds: thresholds,
        children: children,
        null: null,
        fallback: fallback
      ),
      minimum: items[0].rule
    )
  }

  // MARK: Specialisation

  /// The item with every predicate on `path` that `decide` can answer replaced by
  /// its answer, or `nil` when a conjunct became false.
  private func specialize(_ item: Item, path: AttributePath, decide: (ValueTest) -> Bool?) -> Item?
  {
    var conjuncts: [Condition] = []
    for conjunct in item.conjuncts {
      let simplified = GraphBuilder.simplify(conjunct) { predicate in
        predicate.path == path ? decide(predicate.test) : nil
      }
      switch simplified {
      case .constant(false): return nil
      case .constant(true): continue
      case .and(let parts): conjuncts.append(contentsOf: parts)
      default: conjuncts.append(simplified)
      }
    }
    return Item(rule: item.rule, conjuncts: conjuncts)
  }

  /// The conjuncts of a condition after constant folding, or `nil` when it is false.
  static func conjuncts(of condition: Condition) -> [Condition]? {
    switch simplify(condition, decide: { _ in nil }) {
    case .constant(false): nil
    case .constant(true): []
    case .and(let parts): parts
    case let other: [other]
    }
  }

  /// Folds constants, asking `decide` about each top-level predicate.
  static func simplify(_ condition: Condition, decide: (Predicate) -> Bool?) -> Condition {
    switch condition {
    case .predicate(let predicate):
      return decide(predicate).map(Condition.constant) ?? condition
    case .and(let parts):
      var kept: [Condition] = []
      for part in parts {
        switch simplify(part, decide: decide) {
        case .constant(false): return .constant(false)
        case .constant(true): continue
        case .and(let inner): kept.append(contentsOf: inner)
        case let other: kept.append(other)
        }
      }
      return kept.isEmpty ? .constant(true) : (kept.count == 1 ? kept[0] : .and(kept))
    case .or(let parts):
      if parts.isEmpty { return .constant(true) }
      var kept: [Condition] = []
      for part in parts {
        switch simplify(part, decide: decide) {
        case .constant(true): return .constant(true)
        case .constant(false): continue
        case let other: kept.append(other)
        }
      }
      return kept.isEmpty ? .constant(false) : (kept.count == 1 ? kept[0] : .or(kept))
    case .nor(let parts):
      if parts.isEmpty { return .constant(false) }
      var kept: [Condition] = []
      for part in parts {
        switch simplify(part, decide: decide) {
        case .constant(true): return .constant(false)
        case .constant(false): continue
        case let other: kept.append(other)
        }
      }
      return kept.isEmpty ? .constant(true) : .nor(kept)
    case .not(let inner):
      let simplified = simplify(inner, decide: decide)
      if case .constant(let value) = simplified { return .constant(!value) }
      return .not(simplified)
    case .segment, .decision, .constant:
      return condition
    }
  }

  // MARK: Anchors

  /// The keys of a string-equality predicate that is false for null, for
  /// non-listed strings, and true exactly for its keys; `nil` for any other predicate.
  static func switchKeys(_ predicate: Predicate) -> [String]? {
    switch predicate.test {
    case .literal(.string(let text)) where text != "null":
      return [text]
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .eq(.string(let text)): return [text]
      case .in(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
        return list.compactMap(\.stringValue)
      default: return nil
      }
    default:
      return nil
    }
  }

  /// The thresholds of a predicate whose truth is constant for numbers between
  /// consecutive thresholds; `nil` for any other predicate.
  static func intervalThresholds(_ predicate: Predicate) -> [Double]? {
    switch predicate.test {
    case .literal(.number(let value)):
      return [value]
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .eq(.number(let value)), .ne(.number(let value)), .compare(_, .number(let value)):
        return [value]
      case .in(let list, false) where list.allSatisfy({ $0.numberValue != nil }),
        .nin(let list, false) where list.allSatisfy({ $0.numberValue != nil }):
        return list.compactMap(\.numberValue)
      default: return nil
      }
    default:
      return nil
    }
  }

  /// Whether a predicate is worth an interval node: it is false on some interval.
  static func isIntervalAnchor(_ predicate: Predicate) -> Bool {
    switch predicate.test {
    case .literal(.number): return true
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .eq(.number), .compare(_, .number): return true
      case .in(let list, false): return !list.isEmpty && list.allSatisfy { $0.numberValue != nil }
      default: return false
      }
    default: return false
    }
  }

  // MARK: Programs

  /// Compiles a condition against the predicate table.
  mutating func program(for condition: Condition) -> Program {
    switch condition {
    case .and(let parts):
      parts.isEmpty
        ? .constant(true)
        : (parts.count == 1 ? program(for: parts[0]) : .and(parts.map { program(for: $0) }))
    case .or(let parts): .or(parts.map { program(for: $0) })
    case .nor(let parts): .nor(parts.map { program(for: $0) })
    case .not(let inner): .not(program(for: inner))
    case .predicate(let predicate): .predicate(table.index(of: predicate))
    case .decision(let name, let variant):
      decisionIndex[ByteString(name)].map { .decision($0, variant: variant) } ?? .constant(false)
    case .segment: .constant(false)  // segments are inlined before compilation
    case .constant(let value): .constant(value)
    }
  }
}
