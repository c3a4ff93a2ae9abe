/// The compiled form of a decision whose rules are too many and too diverse for a
/// ``DecisionGraph`` within its size budget: one bit per rule, and per attribute a
/// *filter* that clears the bits of rules the profile's value cannot satisfy.
///
/// Each rule's conjuncts that an index can answer (string keys and `$in` of strings,
/// comparisons of numbers and instants, `$endsWith`) are filed under a filter of their
/// attribute. For a profile, the evaluator intersects, filter by filter, the set of
/// rules still possible with the set the filter admits for the profile's value (a
/// precomputed bit set, or one built from a short list), and then checks only the
/// survivors, in rule order, with their full conditions. A filter is only ever a
/// necessary condition: a value it cannot read (another type, an unparsable date) skips
/// it, and every survivor's condition, schedule and rollout are checked as in a leaf.
///
/// The work per profile is a few word operations per 64 rules for each filter the
/// profile's attributes reach, plus the survivors; the rules are ordered so that the
/// rules each filter constrains lie in few runs of words, and a filter touches only its runs.
struct RuleSieve: Sendable {
  /// What a filter indexes.
  enum Index: Sendable {
    /// String equality and `$in` of strings: key id → positions of the rules it admits.
    /// `acceptsArrays`: every constrained rule tests with `$in`, so an array of strings
    /// admits the rules of any of its keys.
    case keys(cases: [Int32: [Int32]], acceptsArrays: Bool)
    /// Comparisons of numbers or instants. Values fall into `2 × thresholds.count + 1`
    /// regions (below the first threshold, at it, between it and the next, …); each
    /// constrained rule admits the regions `low...high` (none when `low > high`).
    case interval(
      IntervalDomain,
      thresholds: [Double],
      regions: [(position: Int32, low: Int32, high: Int32)]
    )
    /// `$endsWith`: suffix bytes → positions of the rules that test it.
    case suffix([(bytes: [UInt8], positions: [Int32])])
    /// Version comparisons (`$veq`, `$vgt`, …; not `$vne`) with ASCII operands: regions as
    /// for numbers, among the padded operands in byte order (UTF-16 order for ASCII).
    case versions(thresholds: [[UInt8]], regions: [(position: Int32, low: Int32, high: Int32)])
  }

  /// One filter: the rules it constrains and what it admits.
  struct Filter: Sendable {
    var slot: Int32
    var index: Index
    /// Positions of the rules the filter constrains, ascending.
    var constrained: [Int32]
    /// Positions of constrained rules whose filed tests all hold for a missing or null value.
    var admitsNull: [Int32]
  }

  /// Per position, the rule there; rules are ordered by which filters constrain them.
  var order: [Int32]
  /// Per rule, its whole condition, or `nil` when it can never hold.
  var programs: [Program?]
  /// The filters, the one constraining most rules first.
  var filters: [Filter]

  /// Decisions with fewer rules are always compiled to graphs.
  static let minimumRules = 256

  /// The sieve of `items` (the rules that can hold) among `ruleCount` rules.
  static func build(
    items: [GraphBuilder.Item],
    ruleCount: Int,
    builder: inout GraphBuilder
  ) -> RuleSieve {
    let conjuncts = builder.conjuncts
    let evaluator = ConditionEvaluator(
      groups: [:],
      segment: { _ in false },
      decision: { _, _ in false }
    )
    enum Kind: Int {
      case keys, number, time, suffix, version
    }
    struct FilterKey: Hashable {
      var slot: Int32
      var kind: Kind
    }
    // Per item, the conjuncts filed under each filter (a rule has a few filters: a short
    // list costs less than a dictionary per rule).
    var filed: [[(key: FilterKey, ids: [Int32])]] = []
    var popularity: [FilterKey: Int] = [:]
    for item in items {
      var byFilter: [(key: FilterKey, ids: [Int32])] = []
      for id in item.conjuncts {
        let conjunct = conjuncts[Int(id)]
        guard conjunct.slot >= 0 else { continue }
        let kind: Kind
        switch conjunct.shape {
        case .key, .members: kind = .keys
        case .numeric(let domain, .relation): kind = domain == .number ? .number : .time
        case .suffix: kind = .suffix
        default:
          guard RuleSieve.versionTest(conjunct.condition) != nil else { continue }
          kind = .version
        }
        let key = FilterKey(slot: conjunct.slot, kind: kind)
        // One key or suffix test per rule and filter; every comparison (a range is two).
        if let at = byFilter.firstIndex(where: { $0.key == key }) {
          if kind == .keys || kind == .suffix { continue }
          byFilter[at].ids.append(id)
        } else {
          byFilter.append((key, [id]))
        }
      }
      for entry in byFilter { popularity[entry.key, default: 0] += 1 }
      filed.append(byFilter)
    }
    let filterKeys = popularity.keys.sorted { a, b in
      let (pa, pb) = (popularity[a] ?? 0, popularity[b] ?? 0)
      if pa != pb { return pa > pb }
      return a.slot != b.slot ? a.slot < b.slot : a.kind.rawValue < b.kind.rawValue
    }
    let filterIndex = Dictionary(
      uniqueKeysWithValues: filterKeys.enumerated().map { ($0.element, $0.offset) }
    )
    // Rules that share filters sit together, the most popular filter deciding first, so each
    // filter's rules form few runs; rule order breaks ties.
    let signatures = filed.map { byFilter in byFilter.compactMap { filterIndex[$0.key] }.sorted() }
    let sortedItems = items.indices.sorted { a, b in
      let (sa, sb) = (signatures[a], signatures[b])
      for (x, y) in zip(sa, sb) where x != y { return x < y }
      if sa.count != sb.count { return sa.count > sb.count }
      return items[a].rule < items[b].rule
    }
    var order: [Int32] = sortedItems.map { items[$0].rule }
    var placed = Set(order)
    for rule in 0..<Int32(ruleCount) where !placed.contains(rule) {
      order.append(rule)
      placed.insert(rule)
    }
    var programs = [Program?](repeating: nil, count: ruleCount)
    for item in items { programs[Int(item.rule)] = builder.program(of: item) }

    // Per filter, the positions it constrains and their filed conjuncts, in one pass over
    // the rules (not one per filter).
    var filedByFilter = [[(position: Int32, ids: [Int32])]](repeating: [], count: filterKeys.count)
    for (position, itemIndex) in sortedItems.enumerated() {
      for (key, ids) in filed[itemIndex] {
        guard let index = filterIndex[key] else { continue }
        filedByFilter[index].append((Int32(position), ids))
      }
    }
    var filters: [Filter] = []
    for (index, key) in filterKeys.enumerated() {
      var constrained: [Int32] = []
      var admitsNull: [Int32] = []
      var keyCases: [Int32: [Int32]] = [:]
      var acceptsArrays = true
      var suffixCases: [[UInt8]: [Int32]] = [:]
      var suffixOrder: [[UInt8]] = []
      var tests: [(position: Int32, tests: [NumericTest])] = []
      var versionTests: [(position: Int32, tests: [(VersionRelation, [UInt8])])] = []
      for (position, ids) in filedByFilter[index] {
        constrained.append(position)
        let holdsForNull = ids.allSatisfy { id in
          guard case .predicate(let predicate) = conjuncts[Int(id)].condition else { return false }
          return evaluator.matches(predicate.test, .null)
        }
        if holdsForNull { admitsNull.append(position) }
        switch conjuncts[Int(ids[0])].shape {
        case .key(let keyID):
          acceptsArrays = false
          keyCases[keyID, default: []].append(position)
        case .members(let list):
          for keyID in list { keyCases[keyID, default: []].append(position) }
        case .suffix(let bytes):
          if suffixCases[bytes] == nil { suffixOrder.append(bytes) }
          suffixCases[bytes, default: []].append(position)
        default:
          if key.kind == .version {
            versionTests.append(
              (position, ids.compactMap { RuleSieve.versionTest(conjuncts[Int($0)].condition) })
            )
            continue
          }
          let numeric: [NumericTest] = ids.compactMap { id in
            guard case .numeric(_, let test) = conjuncts[Int(id)].shape else { return nil }
            return test
          }
          tests.append((position, numeric))
        }
      }
      let index: Index
      switch key.kind {
      case .keys:
        index = .keys(cases: keyCases, acceptsArrays: acceptsArrays)
      case .suffix:
        index = .suffix(suffixOrder.map { ($0, suffixCases[$0] ?? []) })
      case .version:
        let thresholds = Set(versionTests.flatMap { $0.tests.map(\.1) }).sorted {
          $0.lexicographicallyPrecedes($1)
        }
        let indexOf = Dictionary(
          uniqueKeysWithValues: thresholds.enumerated().map { ($0.element, $0.offset) }
        )
        let regions = versionTests.map { entry in
          let (low, high) = RuleSieve.intersection(
            entry.tests.map { relation, operand in
              RuleSieve.regions(
                FlatRules.Comparison(relation),
                at: indexOf[operand] ?? 0,
                among: thresholds.count
              )
            },
            among: thresholds.count
          )
          return (position: entry.position, low: low, high: high)
        }
        index = .versions(thresholds: thresholds, regions: regions)
      case .number, .time:
        let thresholds = Array(Set(tests.flatMap { $0.tests.flatMap(\.keys) })).sorted()
        let regions = tests.map { entry in
          let (low, high) = RuleSieve.intersection(
            entry.tests.map { RuleSieve.regions(of: $0, thresholds) },
            among: thresholds.count
          )
          return (position: entry.position, low: low, high: high)
        }
        index = .interval(
          key.kind == .number ? .number : .time,
          thresholds: thresholds,
          regions: regions
        )
      }
      filters.append(
        Filter(slot: key.slot, index: index, constrained: constrained, admitsNull: admitsNull)
      )
    }
    return RuleSieve(order: order, programs: programs, filters: filters)
  }

  /// A summary for people: one line for the sieve, then one per filter with the rules it
  /// constrains and the words of bits it reads per profile.
  func summary(paths: [String]) -> [String] {
    let words = (order.count + 63) / 64
    var lines = [
      "sieve over \(order.count) rules (\(words) words of bits), \(filters.count) filters:"
    ]
    for filter in filters {
      let kind: String
      switch filter.index {
      case .keys(let cases, _): kind = "keys (\(cases.count))"
      case .interval(.number, let thresholds, _): kind = "numbers (\(thresholds.count) thresholds)"
      case .interval(_, let thresholds, _): kind = "instants (\(thresholds.count) thresholds)"
      case .suffix(let cases): kind = "suffixes (\(cases.count))"
      case .versions(let thresholds, _): kind = "versions (\(thresholds.count) thresholds)"
      }
      let touched = Set(filter.constrained.map { $0 >> 6 }).count
      lines.append(
        "  \(paths[Int(filter.slot)]): \(kind), \(filter.constrained.count) rules, \(touched) words"
      )
    }
    return lines
  }

  /// A version comparison a filter can index: not `$vne`, with an ASCII padded operand.
  static func versionTest(_ condition: Condition) -> (VersionRelation, [UInt8])? {
    guard case .predicate(let predicate) = condition,
      case .operators(let operators) = predicate.test, operators.count == 1,
      case .version(let relation, let padded, _) = operators[0], relation != .notEqual,
      padded.utf8.allSatisfy({ $0 < 0x80 })
    else { return nil }
    return (relation, Array(padded.utf8))
  }

  /// The regions `low...high` where a comparison holds, among the regions of `thresholds`
  /// (which hold its operand).
  static func regions(of test: NumericTest, _ thresholds: [Double]) -> (Int32, Int32) {
    guard case .relation(let relation, let operand) = test,
      let at = RuleSieve.position(of: operand, in: thresholds)
    else { return (0, Int32(2 * thresholds.count)) }
    return regions(FlatRules.Comparison(relation), at: at, among: thresholds.count)
  }

  /// The regions `low...high` where `value <comparison> thresholds[at]` holds, among the
  /// regions of `count` thresholds (every region for `notEqual`, which is not one range).
  static func regions(
    _ comparison: FlatRules.Comparison,
    at: Int,
    among count: Int
  )
    -> (Int32, Int32)
  {
    let point = Int32(2 * at + 1)
    let last = Int32(2 * count)
    switch comparison {
    case .equal: return (point, point)
    case .greaterOrEqual: return (point, last)
    case .greater: return (point + 1, last)
    case .less: return (0, point - 1)
    case .lessOrEqual: return (0, point)
    case .notEqual: return (0, last)
    }
  }

  /// The regions every one of `ranges` holds (`low > high` when none), among the regions of
  /// `count` thresholds.
  static func intersection(_ ranges: [(Int32, Int32)], among count: Int) -> (Int32, Int32) {
    var low = Int32(0)
    var high = Int32(2 * count)
    for (from, to) in ranges {
      low = max(low, from)
      high = min(high, to)
    }
    return (low, high)
  }

  /// The index of `value` in the ascending `list`.
  static func position(of value: Double, in list: [Double]) -> Int? {
    var low = 0
    var high = list.count
    while low < high {
      let middle = (low + high) >> 1
      if list[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low < list.count && list[low] == value ? low : nil
  }
}
