/// Builds one ``DecisionGraph`` (see ``Compiler`` for the strategy).
///
/// Rules enter as *items*: a rule index and the ids of its conjuncts (atomic
/// single-operator predicates, or whole `$or`/`$not`/`$decision` conditions),
/// interned in ``conjuncts`` so that grouping, specialising and memoising hash
/// small integers rather than condition trees.
struct GraphBuilder {
  /// A rule still in play: its index and the conjuncts not yet decided.
  struct Item: Hashable {
    var rule: Int32
    var conjuncts: [Int32]
  }

  /// What an index node can do with a conjunct.
  enum Shape {
    /// Nothing: the conjunct is checked in a leaf.
    case none
    /// A literal string (not `"null"`) or `$eq` with a string: a switch on the value's
    /// key id (``PredicateTable/keyID(_:slot:)``).
    case key(Int32)
    /// `$in` of strings: true for a listed string or an array that holds one (distinct
    /// key ids, ascending).
    case members([Int32])
    /// A test of a number or an instant against thresholds.
    case numeric(IntervalDomain, NumericTest)
    /// `$endsWith`: a string value ends with these bytes.
    case suffix([UInt8])
  }

  /// One interned conjunct.
  struct Conjunct {
    var condition: Condition
    /// The slot a single predicate reads; -1 for a compound condition.
    var slot: Int32
    var shape: Shape
    /// The relative cost of testing it: leaves test cheap conjuncts first.
    var cost: Int
  }

  /// What a group of rules is indexed on.
  private enum Anchor: Hashable {
    case switchOn(Int32)
    case memberOf(Int32)
    case interval(Int32, IntervalDomain)
    case suffix(Int32)

    /// Lookups by cost, for ties in selectivity.
    var rank: Int {
      switch self {
      case .switchOn: 0
      case .memberOf: 1
      case .interval: 2
      case .suffix: 3
      }
    }
  }

  private struct MemoKey: Hashable {
    var items: [Item]
    var excluded: [Int32]
  }

  var table: PredicateTable
  private(set) var conjuncts: [Conjunct] = []
  private var conjunctIndex: [FingerprintedCondition: Int32] = [:]
  private var conjunctPrograms: [Program?] = []
  /// Per slot, by key id, the text of each key that a switch or member conjunct names.
  private var keyTexts: [[ByteString?]] = []
  private let evaluator: ConditionEvaluator
  private let certain: [Bool]
  private let firstOnly: Bool
  private var budget: Int
  private let decisionIndex: [ByteString: Int32]
  private var nodes: [DecisionGraph.Node] = []
  private var minimumRule: [Int32] = []
  private var candidates: [DecisionGraph.Candidate] = []
  private var memo: [MemoKey: Int32] = [:]
  private var leafMemo: [[Item]: Int32] = [:]
  private var emptyNode: Int32?
  /// Every item as it entered ``build(_:)``, in rule order.
  private var original: [Item] = []
  /// Per slot, the leaf of every original item that tests the slot: the fallback of index
  /// nodes on the slot for values they cannot look up.
  private var slotLeaves: [Int32: Int32] = [:]
  /// Slots no longer used as anchors on the current path: their thresholds did not split the rules.
  private var excluded: [Int32] = []

  /// Interval nodes with at most this many thresholds decide every test in each region;
  /// more, and the values are cut into cells at quantiles of the thresholds.
  static let exactThresholds = 32

  /// The most cells of a cut interval node.
  static let maxCells = 1024

  /// The most switch and interval nodes on a path from the root; deeper, the
  /// rules stay in a leaf.
  ///
  /// Building recurses once per node on a path, and a rule can test thousands of attributes:
  /// without a bound, five such rules recursed hundreds of levels (overflowing a 512 KB stack) and
  /// took minutes.
  static let maxDepth = 32
  private var depth = 0
  /// Whether the budget ran out while rules were still being split: some leaves scan
  /// more rules than ``Compiler/leafSize``.
  private(set) var isExhausted = false
  /// Whether to stop building once the budget is spent (a probe: the graph is then
  /// discarded for a sieve, so its remaining leaves are not worth building).
  var stopsWhenExhausted = false

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
    // Rules have a few conjuncts each: growing the index would hash every one again.
    conjunctIndex.reserveCapacity(4 * certain.count)
    self.firstOnly = firstOnly
    self.budget = budget
    // Sized for the nodes a budget allows, so the memos are not rehashed as they grow.
    memo.reserveCapacity(min(budget / 8, 1 << 22))
    leafMemo.reserveCapacity(min(budget / 16, 1 << 21))
    self.decisionIndex = decisionIndex
  }

  mutating func build(_ items: [Item]) -> DecisionGraph {
    original = items
    let root = node(for: items)
    return DecisionGraph(nodes: nodes, minimumRule: minimumRule, candidates: candidates, root: root)
  }

  /// Whether the graph of `sample` (a decision's first rules) outgrows `budget` nodes,
  /// built by a copy of this builder, which stays as it was.
  func outgrows(_ budget: Int, with sample: [Item]) -> Bool {
    var probe = self
    probe.budget = budget
    probe.stopsWhenExhausted = true
    _ = probe.build(sample)
    return probe.isExhausted
  }

  // MARK: Items and conjuncts

  /// The item of a rule whose condition (segments inlined) is `condition`; `nil` when it never holds.
  ///
  /// Operator objects are split into one conjunct per operator, and `$exists: true` is
  /// dropped beside another test of the same attribute that is false for a missing value.
  mutating func item(rule: Int32, condition: Condition) -> Item? {
    guard let parts = GraphBuilder.conjuncts(of: condition) else { return nil }
    var ids: [Int32] = []
    for part in parts {
      if case .predicate(let predicate) = part, case .operators(let operators) = predicate.test,
        operators.count > 1
      {
        for op in operators {
          ids.append(intern(.predicate(Predicate(path: predicate.path, test: .operators([op])))))
        }
      } else {
        ids.append(intern(part))
      }
    }
    // Most rules have a few conjuncts: a linear scan drops their repeats without hashing.
    if ids.count <= 16 {
      var unique: [Int32] = []
      unique.reserveCapacity(ids.count)
      for id in ids where !unique.contains(id) { unique.append(id) }
      ids = unique
    } else {
      var seen: Set<Int32> = []
      ids = ids.filter { seen.insert($0).inserted }
    }
    let implied = ids.filter { id in
      guard case .predicate(let predicate) = conjuncts[Int(id)].condition,
        case .operators(let operators) = predicate.test, operators.count == 1,
        case .exists(true) = operators[0]
      else { return false }
      return ids.contains { other in
        guard other != id, conjuncts[Int(other)].slot == conjuncts[Int(id)].slot,
          case .predicate(let sibling) = conjuncts[Int(other)].condition
        else { return false }
        return !evaluator.matches(sibling.test, .null)
      }
    }
    if !implied.isEmpty { ids.removeAll { implied.contains($0) } }
    return Item(rule: rule, conjuncts: ids)
  }

  /// The id of a conjunct, interning it on first use.
  private mutating func intern(_ condition: Condition) -> Int32 {
    let (id, isNew) = conjunctIndex.findOrInsert(
      FingerprintedCondition(condition),
      Int32(conjuncts.count)
    )
    if !isNew { return id }
    var conjunct = Conjunct(condition: condition, slot: -1, shape: .none, cost: 8)
    switch condition {
    case .predicate(let predicate):
      conjunct.slot = table.slot(for: predicate.path)
      let slot = conjunct.slot
      // The strings an array test names get key ids, so that a profile's array names them
      // and the test is read from the array's key ids (``arrayStrings(_:)``).
      for text in GraphBuilder.arrayStrings(predicate.test)?.strings ?? [] {
        _ = table.keyID(text, slot: slot)
      }
      conjunct.shape = GraphBuilder.shape(of: predicate.test) { text in keyID(text, slot) }
      conjunct.cost = GraphBuilder.cost(of: predicate.test)
    case .decision:
      conjunct.cost = 20
    default:
      break
    }
    conjuncts.append(conjunct)
    return id
  }

  /// The key id of `text` on `slot`, remembering its text for specialising switch cases.
  private mutating func keyID(_ text: String, _ slot: Int32) -> Int32 {
    let id = table.keyID(text, slot: slot)
    // Key ids are dense per slot: the texts sit in arrays, not dictionaries.
    let (slotIndex, index) = (Int(slot), Int(id))
    if keyTexts.count <= slotIndex {
      keyTexts.append(contentsOf: repeatElement([], count: slotIndex + 1 - keyTexts.count))
    }
    if keyTexts[slotIndex].count <= index {
      keyTexts[slotIndex].append(
        contentsOf: repeatElement(nil, count: index + 1 - keyTexts[slotIndex].count)
      )
    }
    if keyTexts[slotIndex][index] == nil { keyTexts[slotIndex][index] = ByteString(text) }
    return id
  }

  /// The strings of an `$all` of strings or an `$elemMatch` of string equality: an array
  /// passes when it holds every one of them (`requiresAll`) or one.
  ///
  /// Such a test is read from the key ids of the array's strings
  /// (``FlatRules/PredicateKind/keyAll``, ``FlatRules/PredicateKind/keyElement``).
  static func arrayStrings(_ test: ValueTest) -> (strings: [String], requiresAll: Bool)? {
    guard case .operators(let operators) = test, operators.count == 1 else { return nil }
    switch operators[0] {
    case .all(let tests, caseInsensitive: false):
      var strings: [String] = []
      for test in tests {
        guard case .literal(.string(let text)) = test else { return nil }
        strings.append(text)
      }
      return (strings, true)
    case .elemMatch(.value(let test)):
      return elementStrings(test).map { ($0, false) }
    default:
      return nil
    }
  }

  /// The strings an `$elemMatch` element test `test` accepts when it is string equality
  /// (`$eq` of a string, or a case-sensitive `$in` of strings): an element matches when it
  /// is one of them and not empty (an empty string is falsy, and `$elemMatch` skips it).
  static func elementStrings(_ test: ValueTest) -> [String]? {
    guard case .operators(let operators) = test, operators.count == 1 else { return nil }
    switch operators[0] {
    case .eq(.string(let text)):
      return text.isEmpty ? [] : [text]
    case .in(let list, caseInsensitive: false):
      var strings: [String] = []
      for value in list {
        guard case .string(let text) = value else { return nil }
        if !text.isEmpty { strings.append(text) }
      }
      return strings
    default:
      return nil
    }
  }

  /// The number or instant test an interval node can decide, if `test` is one.
  static func numericShape(of test: ValueTest) -> (IntervalDomain, NumericTest)? {
    if let numeric = NumericTest(test) { return (.number, numeric) }
    guard case .operators(let operators) = test, operators.count == 1 else { return nil }
    switch operators[0] {
    case .after(let instant, _): return (.time, .relation(.greater, instant))
    case .before(let instant, _): return (.time, .relation(.less, instant))
    default: return nil
    }
  }

  /// What an index can do with a value test; `keyID` names a string key.
  static func shape(of test: ValueTest, keyID: (String) -> Int32) -> Shape {
    if let (domain, numeric) = numericShape(of: test) { return .numeric(domain, numeric) }
    switch test {
    case .literal(.string(let text)) where text != "null":
      return .key(keyID(text))
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .eq(.string(let text)): return .key(keyID(text))
      case .in(let list, false) where list.allSatisfy({ $0.stringValue != nil }) && !list.isEmpty:
        // Distinct and ascending (no set for a list or two).
        var keys: [Int32] = []
        keys.reserveCapacity(list.count)
        for case .string(let text) in list { keys.append(keyID(text)) }
        keys.sortDroppingRepeats()
        return .members(keys)
      case .endsWith(let suffix): return .suffix(Array(suffix.utf8))
      default: return .none
      }
    default:
      return .none
    }
  }

  /// The relative cost of a value test on the evaluator's fast path.
  static func cost(of test: ValueTest) -> Int {
    guard case .operators(let operators) = test, operators.count == 1 else { return 2 }
    switch operators[0] {
    case .eq, .ne, .compare, .in, .nin, .exists: return 1
    case .startsWith, .endsWith, .before, .after: return 2
    case .version: return 3
    case .regex: return 10
    default: return 5
    }
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
    let key = MemoKey(items: items, excluded: excluded)
    if let known = memo[key] { return known }
    let result: Int32
    if items.count <= Compiler.leafSize || budget <= 0 || depth >= GraphBuilder.maxDepth {
      if items.count > Compiler.leafSize { isExhausted = true }
      if isExhausted && stopsWhenExhausted { return empty() }
      result = leaf(items)
    } else {
      depth += 1
      result = split(items)
      depth -= 1
    }
    memo[key] = result
    return result
  }

  /// The node for `items` with `slot` no longer used as an anchor below it.
  private mutating func node(for items: [Item], excluding slot: Int32) -> Int32 {
    if excluded.contains(slot) { return node(for: items) }
    let saved = excluded
    excluded.append(slot)
    excluded.sort()
    defer { excluded = saved }
    return node(for: items)
  }

  private mutating func leaf(_ input: [Item]) -> Int32 {
    let items = truncated(input)
    if items.isEmpty { return empty() }
    if let known = leafMemo[items] { return known }
    let start = Int32(candidates.count)
    for item in items {
      candidates.append(DecisionGraph.Candidate(rule: item.rule, program: program(of: item)))
    }
    budget -= items.count
    let index = add(.leaf(range: start..<Int32(candidates.count)), minimum: items[0].rule)
    leafMemo[items] = index
    return index
  }

  /// Groups the items by the anchor that narrows each most and builds one index node per group.
  private mutating func split(_ items: [Item]) -> Int32 {
    let statistics = Statistics(items, conjuncts, excluded: excluded)
    let options = items.map { statistics.candidates(of: $0, conjuncts) }
    // Every group costs each profile one lookup, so rules share the anchors most of them
    // have; among equally common anchors a rule takes the one expected to admit fewest
    // profiles. (Preferring each rule's narrowest anchor, even within 4× or 16× of it,
    // made more groups and measured slower on both workloads.)
    var popularity: [Anchor: Int] = [:]
    for list in options { for option in list { popularity[option.anchor, default: 0] += 1 } }
    var order: [Anchor] = []
    var grouped: [Anchor: [Item]] = [:]
    var unanchored: [Item] = []
    for (item, list) in zip(items, options) {
      guard
        let anchor = list.max(by: { a, b in
          let (pa, pb) = (popularity[a.anchor] ?? 0, popularity[b.anchor] ?? 0)
          if pa != pb { return pa < pb }
          if a.share != b.share { return a.share > b.share }
          return a.anchor.rank > b.anchor.rank
        })?.anchor
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
      case .switchOn(let slot): children.append(switchNode(slot, members))
      case .memberOf(let slot): children.append(memberNode(slot, members))
      case .interval(let slot, let domain): children.append(intervalNode(slot, domain, members))
      case .suffix(let slot): children.append(suffixNode(slot, members))
      }
    }
    if !unanchored.isEmpty { children.append(leaf(unanchored)) }
    children = children.filter { $0 != emptyNode }
    if children.isEmpty { return empty() }
    if children.count == 1 { return children[0] }
    children.sort { minimumRule[Int($0)] < minimumRule[Int($1)] }
    return add(.firstOf(children: children), minimum: minimumRule[Int(children[0])])
  }

  /// A switch on a string value: each rule under the keys its key tests allow,
  /// with every test of the slot decided for that key.
  private mutating func switchNode(_ slot: Int32, _ items: [Item]) -> Int32 {
    var keys: [Int32] = []
    var itemsOfKey: [Int32: [Int]] = [:]
    for (position, item) in items.enumerated() {
      var itemKeys: [Int32]?
      for id in item.conjuncts where conjuncts[Int(id)].slot == slot {
        let found: [Int32]
        switch conjuncts[Int(id)].shape {
        case .key(let key): found = [key]
        case .members(let list): found = list
        default: continue
        }
        itemKeys = itemKeys.map { known in known.filter { found.contains($0) } } ?? found
      }
      for key in itemKeys ?? [] {
        if itemsOfKey[key] == nil { keys.append(key) }
        itemsOfKey[key, default: []].append(position)
      }
    }
    var cases: [Int32: Int32] = [:]
    let evaluator = self.evaluator
    let texts = Int(slot) < keyTexts.count ? keyTexts[Int(slot)] : []
    for key in keys {
      guard Int(key) < texts.count, let text = texts[Int(key)] else { continue }
      let value = JSONValue.string(text.value)
      let survivors = (itemsOfKey[key] ?? []).compactMap { position in
        specialize(items[position], slot) { evaluator.matches($0, value) }
      }
      let child = node(for: survivors)
      if child != emptyNode { cases[key] = child }
    }
    budget -= keys.count
    return add(
      .switchOn(slot: slot, cases: cases, fallback: slotLeaf(slot)),
      minimum: items[0].rule
    )
  }

  /// A member switch: each rule under every key of its anchor `$in`, that test
  /// removed and the slot's other tests kept (so it also serves array values).
  private mutating func memberNode(_ slot: Int32, _ items: [Item]) -> Int32 {
    var keys: [Int32] = []
    var itemsOfKey: [Int32: [Item]] = [:]
    for item in items {
      guard
        let (shape, rest) = removingAnchor(
          of: item,
          slot,
          { if case .members = $0 { true } else { false } }
        ),
        case .members(let list) = shape
      else { continue }
      for key in list {
        if itemsOfKey[key] == nil { keys.append(key) }
        itemsOfKey[key, default: []].append(rest)
      }
    }
    var cases: [Int32: Int32] = [:]
    for key in keys {
      let child = node(for: itemsOfKey[key] ?? [])
      if child != emptyNode { cases[key] = child }
    }
    budget -= keys.count
    return add(
      .memberOf(slot: slot, cases: cases, fallback: slotLeaf(slot)),
      minimum: items[0].rule
    )
  }

  /// The shape of an item's first conjunct on `slot` that `isAnchor` accepts, and the item
  /// without it; `nil` when it has none.
  private func removingAnchor(
    of item: Item,
    _ slot: Int32,
    _ isAnchor: (Shape) -> Bool
  ) -> (Shape, Item)? {
    guard
      let position = item.conjuncts.firstIndex(where: {
        conjuncts[Int($0)].slot == slot && isAnchor(conjuncts[Int($0)].shape)
      })
    else { return nil }
    var rest = item
    rest.conjuncts.remove(at: position)
    return (conjuncts[Int(item.conjuncts[position])].shape, rest)
  }

  /// A suffix switch: each rule under the bytes of its anchor `$endsWith`, that test removed.
  private mutating func suffixNode(_ slot: Int32, _ items: [Item]) -> Int32 {
    var suffixes: [[UInt8]] = []
    var itemsOfSuffix: [[UInt8]: [Item]] = [:]
    for item in items {
      guard
        let (shape, rest) = removingAnchor(
          of: item,
          slot,
          { if case .suffix = $0 { true } else { false } }
        ),
        case .suffix(let bytes) = shape
      else { continue }
      if itemsOfSuffix[bytes] == nil { suffixes.append(bytes) }
      itemsOfSuffix[bytes, default: []].append(rest)
    }
    var cases: [DecisionGraph.SuffixCase] = []
    for suffix in suffixes {
      let child = node(for: itemsOfSuffix[suffix] ?? [])
      if child != emptyNode { cases.append(DecisionGraph.SuffixCase(suffix: suffix, child: child)) }
    }
    budget -= suffixes.count
    if cases.isEmpty { return empty() }
    return add(.suffix(slot: slot, cases: cases), minimum: items[0].rule)
  }

  /// An interval node on numbers or instants.
  ///
  /// With few thresholds every numeric test of the slot is decided in each region
  /// (below, at and between thresholds). With many, the values are cut into cells at
  /// quantiles of the thresholds; a rule goes to the cells its tests can hold in, decided
  /// where a cell lies wholly inside or outside them, and rules that span most cells
  /// go to one more child that does not index this slot again.
  private mutating func intervalNode(
    _ slot: Int32,
    _ domain: IntervalDomain,
    _ items: [Item]
  ) -> Int32 {
    var all: [Double] = []
    for item in items {
      for id in item.conjuncts where conjuncts[Int(id)].slot == slot {
        if case .numeric(domain, let test) = conjuncts[Int(id)].shape {
          all.append(contentsOf: test.keys)
        }
      }
    }
    // `all` keeps its repeats: the cells below are cut at its quantiles.
    all.sort()
    var thresholds: [Double] = []
    for value in all where thresholds.last != value { thresholds.append(value) }
    if thresholds.isEmpty { return leaf(items) }
    var children: [Int32] = []
    if thresholds.count <= GraphBuilder.exactThresholds {
      for (index, threshold) in thresholds.enumerated() {
        let below =
          index == 0
          ? threshold - max(1, abs(threshold)) : (thresholds[index - 1] + threshold) / 2
        for representative in [below, threshold] {
          children.append(
            node(
              for: items.compactMap { item in
                specialize(item, slot, domain) { $0.holds(at: representative) }
              }
            )
          )
        }
      }
      let last = thresholds[thresholds.count - 1]
      let above = last + max(1, abs(last))
      children.append(
        node(
          for: items.compactMap { item in specialize(item, slot, domain) { $0.holds(at: above) } }
        )
      )
      return add(
        .interval(
          slot: slot,
          domain: domain,
          thresholds: thresholds,
          isCut: false,
          children: children,
          null: nullNode(slot, items),
          fallback: slotLeaf(slot)
        ),
        minimum: items[0].rule
      )
    }
    // Cells at quantiles of every threshold written, so each holds about as many rules.
    let cells = min(GraphBuilder.maxCells, max(2, items.count / 2))
    var bounds: [Double] = []
    for cell in 1..<cells {
      let value = all[min(all.count - 1, cell * all.count / cells)]
      if bounds.last.map({ $0 < value }) ?? true { bounds.append(value) }
    }
    let count = bounds.count + 1
    /// The number of bounds at or below `value`: the cell that holds it.
    func cellIndex(_ value: Double) -> Int {
      var (low, high) = (0, bounds.count)
      while low < high {
        let middle = (low + high) / 2
        if bounds[middle] <= value { low = middle + 1 } else { high = middle }
      }
      return low
    }
    var inCell = [[Item]](repeating: [], count: count)
    var narrow: [Item] = []
    var wide: [Item] = []
    let spanLimit = max(4, count / 8)
    for item in items {
      // The cells the item's tests of the slot can hold in, from their bounds.
      var (low, high) = (-Double.infinity, Double.infinity)
      for id in item.conjuncts where conjuncts[Int(id)].slot == slot {
        guard case .numeric(domain, let test) = conjuncts[Int(id)].shape else { continue }
        (low, high) = test.narrowing(low, high)
      }
      if low > high { continue }  // no number passes
      let first = low == -.infinity ? 0 : cellIndex(low)
      let last = high == .infinity ? count - 1 : cellIndex(high)
      if last - first + 1 > spanLimit {
        wide.append(item)
        continue
      }
      narrow.append(item)
      for index in first...last {
        let cellLow = index == 0 ? -Double.infinity : bounds[index - 1]
        let cellHigh = index == count - 1 ? Double.infinity : bounds[index]
        if let kept = specialize(item, slot, domain, { $0.holds(inCell: cellLow, cellHigh) }) {
          inCell[index].append(kept)
        }
      }
    }
    var cut = emptyNode ?? empty()
    if !narrow.isEmpty {
      for index in 0..<count {
        // A cell that holds every rule unchanged would recurse for ever: it stops indexing the slot.
        children.append(
          inCell[index] == items ? node(for: items, excluding: slot) : node(for: inCell[index])
        )
      }
      cut = add(
        .interval(
          slot: slot,
          domain: domain,
          thresholds: bounds,
          isCut: true,
          children: children,
          null: nullNode(slot, narrow),
          fallback: slotLeaf(slot)
        ),
        minimum: narrow[0].rule
      )
    }
    // Rules whose tests span most cells keep them, in a child that indexes other slots.
    let rest = wide.isEmpty ? empty() : node(for: wide, excluding: slot)
    if rest == emptyNode { return cut }
    if cut == emptyNode { return rest }
    let both = [cut, rest].sorted { minimumRule[Int($0)] < minimumRule[Int($1)] }
    return add(.firstOf(children: both), minimum: minimumRule[Int(both[0])])
  }

  /// The child of an interval node for a missing or null value: every test of the slot decided.
  private mutating func nullNode(_ slot: Int32, _ items: [Item]) -> Int32 {
    let evaluator = self.evaluator
    return node(for: items.compactMap { specialize($0, slot) { evaluator.matches($0, .null) } })
  }

  /// The fallback of index nodes on `slot`, for a value they cannot look up (a number where
  /// strings are switched on, a string that is not a date-time, …): a leaf of every rule that
  /// tests the slot, with its whole condition.
  ///
  /// It holds more rules than the node's own, and that is sound: every rule a leaf admits
  /// holds, so a first match found there is the first match overall or is beaten by a
  /// lower one found elsewhere, and `mode: all` removes rules found twice. One leaf per
  /// slot keeps these rarely taken branches from costing each index node a copy of its rules.
  private mutating func slotLeaf(_ slot: Int32) -> Int32 {
    if let known = slotLeaves[slot] { return known }
    let testing = original.filter { item in
      item.conjuncts.contains { id in
        let conjunct = conjuncts[Int(id)]
        return conjunct.slot == slot || (conjunct.slot < 0 && mentions(conjunct.condition, slot))
      }
    }
    let index = leaf(testing)
    slotLeaves[slot] = index
    return index
  }

  // MARK: Specialisation

  /// The item with every test of `slot` that `decide` can answer replaced by
  /// its answer, or `nil` when a conjunct became false.
  private mutating func specialize(
    _ item: Item,
    _ slot: Int32,
    _ decide: (ValueTest) -> Bool?
  ) -> Item? {
    var kept: [Int32] = []
    var changed = false
    for id in item.conjuncts {
      let conjunct = conjuncts[Int(id)]
      if conjunct.slot == slot {
        guard case .predicate(let predicate) = conjunct.condition else {
          kept.append(id)
          continue
        }
        switch decide(predicate.test) {
        case false?: return nil
        case true?: changed = true
        case nil: kept.append(id)
        }
      } else if conjunct.slot < 0, mentions(conjunct.condition, slot) {
        let path = table.paths[Int(slot)]
        let simplified = GraphBuilder.simplify(conjunct.condition) { predicate in
          predicate.path == path ? decide(predicate.test) : nil
        }
        switch simplified {
        case .constant(false): return nil
        case .constant(true): changed = true
        case let other:
          let replaced = intern(other)
          changed = changed || replaced != id
          kept.append(replaced)
        }
      } else {
        kept.append(id)
      }
    }
    return changed ? Item(rule: item.rule, conjuncts: kept) : item
  }

  /// The item with every `domain` test of `slot` that `decide` can answer replaced by its
  /// answer, or `nil` when one became false: ``specialize(_:_:_:)`` reading the tests'
  /// interned numeric shapes instead of converting each test again.
  private mutating func specialize(
    _ item: Item,
    _ slot: Int32,
    _ domain: IntervalDomain,
    _ decide: (NumericTest) -> Bool?
  ) -> Item? {
    var kept: [Int32] = []
    kept.reserveCapacity(item.conjuncts.count)
    var changed = false
    for id in item.conjuncts {
      let conjunct = conjuncts[Int(id)]
      if conjunct.slot == slot, case .numeric(domain, let test) = conjunct.shape {
        switch decide(test) {
        case false?: return nil
        case true?: changed = true
        case nil: kept.append(id)
        }
      } else if conjunct.slot < 0, mentions(conjunct.condition, slot) {
        return specialize(item, slot) { test in
          guard let (found, numeric) = GraphBuilder.numericShape(of: test), found == domain else {
            return nil
          }
          return decide(numeric)
        }
      } else {
        kept.append(id)
      }
    }
    return changed ? Item(rule: item.rule, conjuncts: kept) : item
  }

  /// Whether a compound condition tests `slot` anywhere in it.
  private func mentions(_ condition: Condition, _ slot: Int32) -> Bool {
    switch condition {
    case .and(let parts), .or(let parts), .nor(let parts): parts.contains { mentions($0, slot) }
    case .not(let inner): mentions(inner, slot)
    case .predicate(let predicate): predicate.path == table.paths[Int(slot)]
    case .segment, .decision, .constant: false
    }
  }

  /// The conjuncts of a condition after constant folding, or `nil` when it is false.
  static func conjuncts(of condition: Condition) -> [Condition]? {
    // The usual `when`, a conjunction of predicates, has nothing to fold: its parts as they are.
    switch condition {
    case .predicate: return [condition]
    case .and(let parts)
    where !parts.isEmpty && parts.allSatisfy({ if case .predicate = $0 { true } else { false } }):
      return parts
    default: break
    }
    return switch simplify(condition, decide: { _ in nil }) {
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

  // MARK: Programs

  /// The program of an item's conjunction, cheap tests first (the order of a conjunction
  /// does not change its value).
  mutating func program(of item: Item) -> Program {
    var ordered = item.conjuncts
    if ordered.count <= 16 {
      // A few conjuncts: a stable insertion sort by cost, in place.
      for index in ordered.indices.dropFirst() {
        let id = ordered[index]
        let cost = conjuncts[Int(id)].cost
        var position = index
        while position > 0, conjuncts[Int(ordered[position - 1])].cost > cost {
          ordered[position] = ordered[position - 1]
          position -= 1
        }
        ordered[position] = id
      }
    } else {
      ordered = item.conjuncts.enumerated().sorted { a, b in
        let (ca, cb) = (conjuncts[Int(a.element)].cost, conjuncts[Int(b.element)].cost)
        return ca != cb ? ca < cb : a.offset < b.offset
      }.map(\.element)
    }
    if ordered.isEmpty { return .constant(true) }
    if ordered.count == 1 { return conjunctProgram(ordered[0]) }
    var parts: [Program] = []
    parts.reserveCapacity(ordered.count)
    for id in ordered { parts.append(conjunctProgram(id)) }
    return .and(parts)
  }

  /// The program of conjunct `id`, compiled once: leaves list the same conjuncts many times.
  private mutating func conjunctProgram(_ id: Int32) -> Program {
    if Int(id) < conjunctPrograms.count, let known = conjunctPrograms[Int(id)] { return known }
    let compiled = program(for: conjuncts[Int(id)].condition)
    if conjunctPrograms.count <= Int(id) {
      conjunctPrograms.append(
        contentsOf: repeatElement(nil, count: Int(id) + 1 - conjunctPrograms.count)
      )
    }
    conjunctPrograms[Int(id)] = compiled
    return compiled
  }

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

  // MARK: Choosing anchors

  /// How often each key, threshold and suffix is written among a node's rules: the
  /// estimate of how many profiles a test admits, relative to its neighbours.
  ///
  /// Authors write thresholds where the profiles are, so the share of thresholds
  /// inside a rule's interval stands for the share of profiles in it; a key written
  /// by many rules stands for a common value.
  private struct Statistics {
    var keyCounts: [Int32: [Int32: Int]] = [:]
    var keyTotals: [Int32: Int] = [:]
    var thresholds: [Anchor: [Double]] = [:]
    var suffixCounts: [Int32: [[UInt8]: Int]] = [:]
    var suffixTotals: [Int32: Int] = [:]
    let excluded: [Int32]

    init(_ items: [Item], _ conjuncts: [Conjunct], excluded: [Int32]) {
      self.excluded = excluded
      for item in items {
        for id in item.conjuncts {
          let conjunct = conjuncts[Int(id)]
          guard conjunct.slot >= 0, !excluded.contains(conjunct.slot) else { continue }
          switch conjunct.shape {
          case .key(let key):
            keyCounts[conjunct.slot, default: [:]][key, default: 0] += 1
            keyTotals[conjunct.slot, default: 0] += 1
          case .members(let keys):
            for key in keys { keyCounts[conjunct.slot, default: [:]][key, default: 0] += 1 }
            keyTotals[conjunct.slot, default: 0] += keys.count
          case .numeric(let domain, let test):
            thresholds[.interval(conjunct.slot, domain), default: []].append(contentsOf: test.keys)
          case .suffix(let bytes):
            suffixCounts[conjunct.slot, default: [:]][bytes, default: 0] += 1
            suffixTotals[conjunct.slot, default: 0] += 1
          case .none:
            break
          }
        }
      }
      for key in thresholds.keys { thresholds[key]?.sort() }
    }

    /// The share of sorted `values` in `low...high`.
    static func share(_ values: [Double], _ low: Double, _ high: Double) -> Double {
      func firstIndex(_ predicate: (Double) -> Bool) -> Int {
        var (a, b) = (0, values.count)
        while a < b {
          let middle = (a + b) / 2
          if predicate(values[middle]) { b = middle } else { a = middle + 1 }
        }
        return a
      }
      let from = firstIndex { $0 >= low }
      let to = firstIndex { $0 > high }
      return Double(max(0, to - from) + 1) / Double(values.count + 1)
    }

    /// The anchors an item could be filed under, each with the share of profiles it is
    /// expected to admit.
    func candidates(of item: Item, _ conjuncts: [Conjunct]) -> [(anchor: Anchor, share: Double)] {
      var found: [(anchor: Anchor, share: Double)] = []
      func consider(_ anchor: Anchor, _ share: Double) {
        if let index = found.firstIndex(where: { $0.anchor == anchor }) {
          found[index].share = min(found[index].share, share)
        } else {
          found.append((anchor, share))
        }
      }
      // Numeric tests of one slot narrow together: a range is its two bounds.
      var bounds: [Anchor: (low: Double, high: Double, points: [Double]?)] = [:]
      for id in item.conjuncts {
        let conjunct = conjuncts[Int(id)]
        guard conjunct.slot >= 0, !excluded.contains(conjunct.slot) else { continue }
        let slot = conjunct.slot
        switch conjunct.shape {
        case .key(let key):
          let total = Double(max(keyTotals[slot] ?? 1, 1))
          consider(.switchOn(slot), Double(keyCounts[slot]?[key] ?? 1) / total)
        case .members(let keys):
          let total = Double(max(keyTotals[slot] ?? 1, 1))
          let counts = keys.reduce(0) { $0 + (keyCounts[slot]?[$1] ?? 1) }
          consider(.memberOf(slot), min(1, Double(counts) / total))
        case .suffix(let bytes):
          let total = Double(max(suffixTotals[slot] ?? 1, 1))
          consider(.suffix(slot), Double(suffixCounts[slot]?[bytes] ?? 1) / total)
        case .numeric(let domain, let test):
          let anchor = Anchor.interval(slot, domain)
          var current = bounds[anchor] ?? (-.infinity, .infinity, nil)
          switch test {
          case .relation:
            (current.low, current.high) = test.narrowing(current.low, current.high)
          case .oneOf(let points) where !points.isEmpty:
            current.points = points
          default:
            continue
          }
          bounds[anchor] = current
        case .none:
          break
        }
      }
      for (anchor, bound) in bounds {
        let values = thresholds[anchor] ?? []
        if let points = bound.points {
          consider(anchor, Double(points.count) / Double(max(Set(values).count, 1)))
        } else if bound.low > -.infinity || bound.high < .infinity {
          consider(anchor, Statistics.share(values, bound.low, bound.high))
        }
      }
      return found
    }
  }
}

/// What the keys of an interval node measure.
enum IntervalDomain: UInt8, Hashable, Sendable {
  /// Number values.
  case number
  /// Date-time strings, as seconds since the epoch.
  case time
}

/// A value test that an interval node can decide from a number alone.
enum NumericTest: Hashable, Sendable {
  /// `value <relation> operand`.
  case relation(Relation, Double)
  /// Equal to one of the numbers (`$eq`, a literal number, `$in` of numbers).
  case oneOf([Double])
  /// Equal to none of the numbers (`$ne`, `$nin` of numbers).
  case noneOf([Double])

  /// The number form of a test of number values; `nil` for any other test.
  init?(_ test: ValueTest) {
    switch test {
    case .literal(.number(let value)):
      self = .oneOf([value])
    case .operators(let operators) where operators.count == 1:
      switch operators[0] {
      case .eq(.number(let value)): self = .oneOf([value])
      case .ne(.number(let value)): self = .noneOf([value])
      case .compare(let relation, .number(let value)): self = .relation(relation, value)
      case .in(let list, false) where list.allSatisfy({ $0.numberValue != nil }):
        self = .oneOf(list.compactMap(\.numberValue))
      case .nin(let list, false) where list.allSatisfy({ $0.numberValue != nil }):
        self = .noneOf(list.compactMap(\.numberValue))
      default: return nil
      }
    default:
      return nil
    }
  }

  /// The thresholds at which the test's value can change.
  var keys: [Double] {
    switch self {
    case .relation(_, let value): [value]
    case .oneOf(let values), .noneOf(let values): values
    }
  }

  /// The bounds `low...high` narrowed to the numbers this test can hold for (`noneOf` leaves them).
  func narrowing(_ low: Double, _ high: Double) -> (Double, Double) {
    switch self {
    case .relation(.greater, let value), .relation(.greaterOrEqual, let value):
      (max(low, value), high)
    case .relation(.less, let value), .relation(.lessOrEqual, let value):
      (low, min(high, value))
    case .oneOf(let points):
      (max(low, points.min() ?? .infinity), min(high, points.max() ?? -.infinity))
    case .noneOf:
      (low, high)
    }
  }

  /// The test's value for `value`.
  func holds(at value: Double) -> Bool {
    switch self {
    case .relation(.less, let operand): value < operand
    case .relation(.lessOrEqual, let operand): value <= operand
    case .relation(.greater, let operand): value > operand
    case .relation(.greaterOrEqual, let operand): value >= operand
    case .oneOf(let values): values.contains(value)
    case .noneOf(let values): !values.contains(value)
    }
  }

  /// The test's value for every number in `low..<high`, or `nil` when it differs among them.
  func holds(inCell low: Double, _ high: Double) -> Bool? {
    switch self {
    case .relation(.greaterOrEqual, let operand):
      low >= operand ? true : (high <= operand ? false : nil)
    case .relation(.greater, let operand):
      low > operand ? true : (high <= operand ? false : nil)
    case .relation(.less, let operand):
      high <= operand ? true : (low >= operand ? false : nil)
    case .relation(.lessOrEqual, let operand):
      high <= operand ? true : (low > operand ? false : nil)
    case .oneOf(let values):
      values.contains { $0 >= low && $0 < high } ? nil : false
    case .noneOf(let values):
      values.contains { $0 >= low && $0 < high } ? nil : true
    }
  }
}
