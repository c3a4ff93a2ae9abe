/// The compiled form of a decision whose rules are too many and too diverse for a
/// ``DecisionGraph`` within its size budget: one bit per rule, and per attribute a
/// *filter* that clears the bits of rules the profile's value cannot satisfy.
///
/// Each rule's conjuncts that an index can answer (string keys and `$in` of strings,
/// comparisons of numbers and instants, `$endsWith`, `$startsWith`) are filed under a filter of their
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
    /// `$startsWith`: prefix bytes → positions of the rules that test it.
    case prefix([(bytes: [UInt8], positions: [Int32])])
    /// Version comparisons (`$veq`, `$vgt`, …; not `$vne`) with ASCII operands: regions as
    /// for numbers, among the padded operands in byte order (UTF-16 order for ASCII).
    case versions(thresholds: [[UInt8]], regions: [(position: Int32, low: Int32, high: Int32)])
    /// Comparisons of strings (`$lt`, `$gte`, … with a string operand, as ISO dates are
    /// often compared) with ASCII operands: regions as for versions, among the operands in
    /// byte order, which is the comparisons' (UTF-16) order against an ASCII operand.
    case strings(thresholds: [[UInt8]], regions: [(position: Int32, low: Int32, high: Int32)])
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
    /// Per conjunct id, the kind of filter it is filed under, decided on first use.
    var kinds = [FiledKind](repeating: .unknown, count: conjuncts.count)
    // The attributes of `$or`s of string equalities have slots before filters are keyed
    // (their branches' predicates would have them once compiled).
    for conjunct in conjuncts {
      if let equalities = RuleSieve.equalities(conjunct.condition) {
        _ = builder.table.slot(for: equalities.path)
      }
    }
    // A filter is keyed `slot * FiledKind.indexed + kind`: an index into flat per-key arrays.
    let keyCount = builder.table.paths.count * FiledKind.indexed
    // Per item, its filed conjuncts as (filter key, conjunct id) in one flat list, grouped
    // by key (a rule has a few filters: no list or dictionary per rule).
    var filedKeys: [Int32] = []
    var filedIDs: [Int32] = []
    var filedStart: [Int32] = [0]
    filedStart.reserveCapacity(items.count + 1)
    var popularity = [Int](repeating: 0, count: keyCount)
    // Per conjunct id, the slot it is filed on: a predicate's, or the attribute of an `$or`
    // of string equalities (see `equalities`).
    var filedSlots = conjuncts.map(\.slot)
    for item in items {
      let first = filedKeys.count
      for id in item.conjuncts {
        var kind = kinds[Int(id)]
        if kind == .unknown {
          kind = FiledKind(of: conjuncts[Int(id)])
          if kind == .none, let equalities = RuleSieve.equalities(conjuncts[Int(id)].condition) {
            filedSlots[Int(id)] = builder.table.slot(for: equalities.path)
            kind = .keys
          }
          kinds[Int(id)] = kind
        }
        guard kind != .none else { continue }
        let key = filedSlots[Int(id)] * Int32(FiledKind.indexed) + Int32(kind.rawValue)
        // One key, suffix or prefix test per rule and filter; every comparison (a range is two).
        var at = filedKeys.count
        var seen = false
        for index in first..<filedKeys.count where filedKeys[index] >= key {
          if filedKeys[index] == key {
            seen = true
            continue
          }
          at = index
          break
        }
        if seen, kind == .keys || kind == .suffix || kind == .prefix { continue }
        if !seen { popularity[Int(key)] += 1 }
        // Inserted at `at` by moving the few entries after it (a rule has a few filters).
        filedKeys.append(key)
        filedIDs.append(id)
        var index = filedKeys.count - 1
        while index > at {
          filedKeys[index] = filedKeys[index - 1]
          filedIDs[index] = filedIDs[index - 1]
          index -= 1
        }
        filedKeys[at] = key
        filedIDs[at] = id
      }
      filedStart.append(Int32(filedKeys.count))
    }
    let filterKeys = popularity.indices.filter { popularity[$0] > 0 }.sorted { a, b in
      let (pa, pb) = (popularity[a], popularity[b])
      if pa != pb { return pa > pb }
      return a < b
    }
    var filterIndex = [Int32](repeating: -1, count: keyCount)
    for (index, key) in filterKeys.enumerated() { filterIndex[key] = Int32(index) }
    // Rules that share filters sit together, the most popular filter deciding first, so each
    // filter's rules form few runs; rule order breaks ties.
    let signatures = items.indices.map { itemIndex in
      var signature: [Int32] = []
      signature.reserveCapacity(Int(filedStart[itemIndex + 1] - filedStart[itemIndex]))
      var previous = Int32(-1)
      for index in Int(filedStart[itemIndex])..<Int(filedStart[itemIndex + 1])
      where filedKeys[index] != previous {
        previous = filedKeys[index]
        signature.append(filterIndex[Int(previous)])
      }
      signature.sort()
      return signature
    }
    // Signatures in reflected Gray-code order of their first 64 filters (filter 0 the
    // highest bit): neighbouring groups differ in one filter, so each filter's rules form
    // about half as many runs as in plain binary order.
    let ranks = signatures.map { signature -> UInt64 in
      var mask: UInt64 = 0
      for index in signature where index < 64 { mask |= 1 << UInt64(63 - index) }
      var rank = mask
      var shift: UInt64 = 1
      while shift < 64 {
        rank ^= rank >> shift
        shift <<= 1
      }
      return rank
    }
    let sortedItems = items.indices.sorted { a, b in
      if ranks[a] != ranks[b] { return ranks[a] > ranks[b] }
      let (sa, sb) = (signatures[a], signatures[b])
      for (x, y) in zip(sa, sb) where x != y { return x < y }
      if sa.count != sb.count { return sa.count > sb.count }
      return items[a].rule < items[b].rule
    }
    var order: [Int32] = sortedItems.map { items[$0].rule }
    var placed = [Bool](repeating: false, count: ruleCount)
    for rule in order { placed[Int(rule)] = true }
    for rule in 0..<Int32(ruleCount) where !placed[Int(rule)] {
      order.append(rule)
    }
    var programs = [Program?](repeating: nil, count: ruleCount)
    for item in items { programs[Int(item.rule)] = builder.program(of: item) }

    // Per filter, the positions it constrains and the range of their filed conjuncts in
    // `filedIDs`, in one pass over the rules (not one per filter).
    var filedByFilter = [[(position: Int32, ids: Range<Int>)]](
      repeating: [],
      count: filterKeys.count
    )
    for (position, itemIndex) in sortedItems.enumerated() {
      var index = Int(filedStart[itemIndex])
      let end = Int(filedStart[itemIndex + 1])
      while index < end {
        let key = filedKeys[index]
        var next = index + 1
        while next < end, filedKeys[next] == key { next += 1 }
        filedByFilter[Int(filterIndex[Int(key)])].append((Int32(position), index..<next))
        index = next
      }
    }
    /// Per conjunct id, whether its test holds for a missing or null value, decided on first use.
    var holdsForNullOf = [Int8](repeating: -1, count: conjuncts.count)
    var filters: [Filter] = []
    for (index, filterKey) in filterKeys.enumerated() {
      let key = (
        slot: Int32(filterKey / FiledKind.indexed),
        kind: FiledKind(rawValue: Int8(filterKey % FiledKind.indexed)) ?? .none
      )
      var constrained: [Int32] = []
      var admitsNull: [Int32] = []
      var keyCases: [Int32: [Int32]] = [:]
      var acceptsArrays = true
      // Suffixes or prefixes, by their bytes, in the order first filed.
      var affixCases: [[UInt8]: [Int32]] = [:]
      var affixOrder: [[UInt8]] = []
      func file(_ bytes: [UInt8], _ position: Int32) {
        if affixCases[bytes] == nil { affixOrder.append(bytes) }
        affixCases[bytes, default: []].append(position)
      }
      var tests: [(position: Int32, tests: [NumericTest])] = []
      // Version and string comparisons: their operands' bytes.
      var byteTests: [(position: Int32, tests: [(FlatRules.Comparison, [UInt8])])] = []
      constrained.reserveCapacity(filedByFilter[index].count)
      for (position, range) in filedByFilter[index] {
        let ids = filedIDs[range]
        constrained.append(position)
        let holdsForNull = ids.allSatisfy { id in
          if holdsForNullOf[Int(id)] < 0 {
            var holds = false
            if case .predicate(let predicate) = conjuncts[Int(id)].condition {
              holds = evaluator.matches(predicate.test, .null)
            } else {
              // An `$or` filed on its attribute: judged on a profile without it.
              holds = evaluator.evaluate(conjuncts[Int(id)].condition, on: .object(JSONObject()))
            }
            holdsForNullOf[Int(id)] = holds ? 1 : 0
          }
          return holdsForNullOf[Int(id)] == 1
        }
        if holdsForNull { admitsNull.append(position) }
        switch conjuncts[Int(ids[ids.startIndex])].shape {
        case .key(let keyID):
          acceptsArrays = false
          keyCases[keyID, default: []].append(position)
        case .members(let list):
          for keyID in list { keyCases[keyID, default: []].append(position) }
        case .suffix(let bytes):
          file(bytes, position)
        case _ where key.kind == .keys:
          let condition = conjuncts[Int(ids[ids.startIndex])].condition
          if let members = RuleSieve.requiredMembers(condition) {
            // `$all` of strings: an array admitted holds the first string it requires;
            // `$elemMatch` of string equality: one of its strings.
            for member in members {
              keyCases[builder.table.keyID(member, slot: key.slot), default: []].append(position)
            }
          } else if let equalities = RuleSieve.equalities(condition) {
            // An `$or` of string equalities: a string admitted is one of them; an array
            // skips the filter when one is a literal (which compares an array by its text).
            if equalities.hasLiteral { acceptsArrays = false }
            for text in equalities.keys {
              keyCases[builder.table.keyID(text, slot: key.slot), default: []].append(position)
            }
          }
        case _ where key.kind == .suffix:
          // A `$regex` that requires one of a few literal endings: the rule is admitted
          // under each of them.
          let condition = conjuncts[Int(ids[ids.startIndex])].condition
          for bytes in Set(RuleSieve.regexEndings(condition) ?? []) {
            file(bytes, position)
          }
        case _ where key.kind == .prefix:
          // `$startsWith`, or a `$regex` that requires one of a few literal beginnings.
          let condition = conjuncts[Int(ids[ids.startIndex])].condition
          for bytes in Set(RuleSieve.prefixes(condition) ?? []) {
            file(bytes, position)
          }
        default:
          if key.kind == .version || key.kind == .string {
            byteTests.append(
              (
                position,
                ids.compactMap { id in
                  let condition = conjuncts[Int(id)].condition
                  return key.kind == .version
                    ? RuleSieve.versionTest(condition).map { (FlatRules.Comparison($0), $1) }
                    : RuleSieve.stringTest(condition)
                }
              )
            )
            continue
          }
          var numeric: [NumericTest] = []
          numeric.reserveCapacity(ids.count)
          for id in ids {
            if case .numeric(_, let test) = conjuncts[Int(id)].shape { numeric.append(test) }
          }
          tests.append((position, numeric))
        }
      }
      let index: Index
      switch key.kind {
      case .keys:
        index = .keys(cases: keyCases, acceptsArrays: acceptsArrays)
      case .suffix:
        index = .suffix(affixOrder.map { ($0, affixCases[$0] ?? []) })
      case .prefix:
        index = .prefix(affixOrder.map { ($0, affixCases[$0] ?? []) })
      case .version, .string:
        let thresholds = Set(byteTests.flatMap { $0.tests.map(\.1) }).sorted {
          $0.lexicographicallyPrecedes($1)
        }
        let indexOf = Dictionary(
          uniqueKeysWithValues: thresholds.enumerated().map { ($0.element, $0.offset) }
        )
        let regions = byteTests.map { entry in
          let (low, high) = RuleSieve.intersection(
            entry.tests.map { comparison, operand in
              RuleSieve.regions(comparison, at: indexOf[operand] ?? 0, among: thresholds.count)
            },
            among: thresholds.count
          )
          return (position: entry.position, low: low, high: high)
        }
        index =
          key.kind == .version
          ? .versions(thresholds: thresholds, regions: regions)
          : .strings(thresholds: thresholds, regions: regions)
      case .number, .time, .unknown, .none:
        // Every test's numbers, sorted, without repeats (no array per test, no set).
        var thresholds: [Double] = []
        thresholds.reserveCapacity(2 * tests.count)
        for entry in tests {
          for test in entry.tests {
            switch test {
            case .relation(_, let value): thresholds.append(value)
            case .oneOf(let values), .noneOf(let values): thresholds.append(contentsOf: values)
            }
          }
        }
        thresholds.sortDroppingRepeats()
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

  /// The kind of filter a conjunct is filed under, if any.
  private enum FiledKind: Int8 {
    case keys, number, time, suffix, version, prefix, string
    /// Not decided yet.
    case unknown
    /// Not filed: the conjunct is only checked in the rule's condition.
    case none

    /// How many kinds a filter can have: filter keys are `slot * indexed + kind`.
    static let indexed = 7

    /// The kind of filter that can answer `conjunct`, or `.none`.
    init(of conjunct: GraphBuilder.Conjunct) {
      guard conjunct.slot >= 0 else {
        self = .none
        return
      }
      switch conjunct.shape {
      case .key, .members: self = .keys
      case .numeric(let domain, .relation): self = domain == .number ? .number : .time
      // A number literal, `$eq` or `$in` of numbers: admitted between its least and
      // greatest numbers (other values, strings a literal coerces among them, skip the filter).
      case .numeric(.number, .oneOf(let values)) where !values.isEmpty: self = .number
      case .suffix: self = .suffix
      default:
        if RuleSieve.requiredMembers(conjunct.condition) != nil {
          self = .keys
        } else if RuleSieve.versionTest(conjunct.condition) != nil {
          self = .version
        } else if RuleSieve.regexEndings(conjunct.condition) != nil {
          self = .suffix
        } else if RuleSieve.prefixes(conjunct.condition) != nil {
          self = .prefix
        } else if RuleSieve.stringTest(conjunct.condition) != nil {
          self = .string
        } else {
          self = .none
        }
      }
    }
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
      case .prefix(let cases): kind = "prefixes (\(cases.count))"
      case .versions(let thresholds, _): kind = "versions (\(thresholds.count) thresholds)"
      case .strings(let thresholds, _): kind = "strings (\(thresholds.count) thresholds)"
      }
      let touched = Set(filter.constrained.map { $0 >> 6 }).count
      lines.append(
        "  \(paths[Int(filter.slot)]): \(kind), \(filter.constrained.count) rules, \(touched) words"
      )
    }
    return lines
  }

  /// The literal endings a `$regex` test requires (``Pattern/requiredEndings``): every
  /// value its predicate admits ends with one of them, when it is a string.
  static func regexEndings(_ condition: Condition) -> [[UInt8]]? {
    guard case .predicate(let predicate) = condition,
      case .operators(let operators) = predicate.test
    else { return nil }
    for operation in operators {
      if case .regex(let pattern) = operation, let endings = pattern.requiredEndings {
        return endings
      }
    }
    return nil
  }

  /// The beginnings a `$startsWith` test (one) or a `$regex` test
  /// (``Pattern/requiredPrefixes``) requires: every value its predicate admits starts
  /// with one of them, when it is a string.
  static func prefixes(_ condition: Condition) -> [[UInt8]]? {
    guard case .predicate(let predicate) = condition,
      case .operators(let operators) = predicate.test, operators.count == 1
    else { return nil }
    switch operators[0] {
    case .startsWith(let prefix): return [Array(prefix.utf8)]
    case .regex(let pattern): return pattern.requiredPrefixes
    default: return nil
    }
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

  /// Strings one of which every value a test admits holds as an element.
  ///
  /// An `$all` (case-sensitive) requires its first literal string; an `$elemMatch` of
  /// string equality one of its strings (``GraphBuilder/elementStrings(_:)``).
  static func requiredMembers(_ condition: Condition) -> [String]? {
    guard case .predicate(let predicate) = condition,
      case .operators(let operators) = predicate.test, operators.count == 1
    else { return nil }
    switch operators[0] {
    case .all(let tests, caseInsensitive: false):
      for test in tests {
        if case .literal(.string(let text)) = test { return [text] }
      }
      return nil
    case .elemMatch(.value(let test)):
      return GraphBuilder.elementStrings(test)
    default:
      return nil
    }
  }

  /// The attribute and strings of an `$or` of string equalities on one attribute.
  ///
  /// Every branch is a literal, `$eq`, or a case-sensitive `$in` of strings, as authors
  /// write `{"$or": [{"country": "ES"}, {"country": "PT"}]}` for an `$in`: a string
  /// value it admits is one of `keys`. `hasLiteral`: a branch is a literal.
  static func equalities(
    _ condition: Condition
  ) -> (path: AttributePath, keys: [String], hasLiteral: Bool)? {
    guard case .or(let parts) = condition, case .predicate(let first) = parts.first else {
      return nil
    }
    var keys: [String] = []
    var hasLiteral = false
    for part in parts {
      guard case .predicate(let predicate) = part, predicate.path == first.path else { return nil }
      switch predicate.test {
      case .literal(.string(let text)):
        hasLiteral = true
        keys.append(text)
      case .operators(let operators) where operators.count == 1:
        switch operators[0] {
        case .eq(.string(let text)): keys.append(text)
        case .in(let list, caseInsensitive: false):
          for value in list {
            guard case .string(let text) = value else { return nil }
            keys.append(text)
          }
        default: return nil
        }
      default: return nil
      }
    }
    return (first.path, keys, hasLiteral)
  }

  /// A comparison with a string a filter can index: `$lt`, `$lte`, `$gt` or `$gte` alone,
  /// with an ASCII operand.
  static func stringTest(_ condition: Condition) -> (FlatRules.Comparison, [UInt8])? {
    guard case .predicate(let predicate) = condition,
      case .operators(let operators) = predicate.test, operators.count == 1,
      case .compare(let relation, .string(let operand)) = operators[0],
      operand.utf8.allSatisfy({ $0 < 0x80 })
    else { return nil }
    return (FlatRules.Comparison(relation), Array(operand.utf8))
  }

  /// The regions `low...high` where a comparison holds, among the regions of `thresholds`
  /// (which hold its operand).
  static func regions(of test: NumericTest, _ thresholds: [Double]) -> (Int32, Int32) {
    let everything = (Int32(0), Int32(2 * thresholds.count))
    switch test {
    case .relation(let relation, let operand):
      guard let at = RuleSieve.position(of: operand, in: thresholds) else { return everything }
      return regions(FlatRules.Comparison(relation), at: at, among: thresholds.count)
    case .oneOf(let values):
      // From the least number's region to the greatest's: a necessary condition.
      guard let least = values.min(), let greatest = values.max(),
        let low = RuleSieve.position(of: least, in: thresholds),
        let high = RuleSieve.position(of: greatest, in: thresholds)
      else { return everything }
      return (Int32(2 * low + 1), Int32(2 * high + 1))
    case .noneOf:
      return everything
    }
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
