import Synchronization

/// The evaluator's view of ``CompiledRules``: every graph, program, predicate
/// and rule lowered into flat arrays of plain records, so that the hot path
/// reads memory without reference counting.
///
/// Built once per loaded document, immutable, and shared by every evaluator.
final class FlatRules: @unchecked Sendable {
  // @unchecked: the buffers are written only in `init` and freed in `deinit`.

  enum NodeKind: UInt8 {
    case empty, leaf, firstOf, switchDense, switchSorted, memberDense, memberSorted, interval,
      intervalCut, suffix
  }

  /// One node. Every node names a range of entries, `start..<start + count`, in the pool
  /// its kind reads:
  /// - leaf: `candidates`;
  /// - firstOf: `children`;
  /// - switchDense, memberDense: `switchEntries`, indexed by key id (-1: no case);
  /// - switchSorted, memberSorted: `switchEntries`, `count` (key id, child) pairs sorted by key id;
  /// - interval: `thresholds`, with `2 × count + 1` children from `firstChild` in `children`
  ///   (-1 for a region where no rule can match);
  /// - intervalCut: `thresholds`, with `count + 1` cells from `firstChild` in `children` (-1 likewise);
  /// - suffix: the trie of the suffixes read from the end (``appendSuffixTable``): its
  ///   edges in `suffixEntries`, a table of `count` entries (a power of two), and from
  ///   `firstChild` in `suffixNodes` the node count, then per node its child (-1: none).
  struct NodeRecord {
    var kind: NodeKind
    /// What an interval node's thresholds measure.
    var domain: IntervalDomain = .number
    var slot: Int32 = 0
    var start: Int32 = 0
    var count: Int32 = 0
    var firstChild: Int32 = 0
    /// Intervals: the child for a missing or null value (-1: none can match).
    var null: Int32 = -1
    /// Switches, member switches and intervals: the child for a value of another type.
    var fallback: Int32 = -1
    /// The lowest rule index below the node.
    var minimumRule: Int32 = Int32.max
  }

  /// One edge of a suffix table's path-compressed trie.
  ///
  /// It leads from a node on a byte (``key(_:_:)``; ``free`` for a free entry) to the node
  /// `next`, reading the edge's bytes: `affixBytes[label + 1 ... label + n]` in string
  /// order, that byte last, with `n = affixBytes[label]` (1 to 255).
  struct SuffixEntry {
    var key: UInt64
    var next: Int32
    var label: Int32

    static let free = UInt64.max

    /// The key of the transition from `node` on `byte`.
    @inline(__always)
    static func key(_ node: Int32, _ byte: UInt8) -> UInt64 {
      UInt64(UInt32(bitPattern: node)) << 8 | UInt64(byte)
    }

    /// How far a key's product is shifted to index a table of `capacity` (a power of two) entries.
    @inline(__always)
    static func shift(_ capacity: Int) -> UInt64 { UInt64(64 - capacity.trailingZeroBitCount) }

    /// Where probing for `key` starts (Fibonacci hashing).
    @inline(__always)
    static func position(_ key: UInt64, _ shift: UInt64) -> Int {
      Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }
  }

  struct CandidateRecord {
    var rule: Int32
    var program: Int32
    /// The predicate when the program is a single one, else -1: the walk
    /// then skips the program record.
    var predicate: Int32
    /// The variant of a rule that serves it with no schedule, else -1: the
    /// walk then never reads the rule record.
    var served: Int32
    /// For a conjunction whose first part is a predicate (the cheapest, as leaves
    /// order them), that predicate, else -1: most candidates fail it, and the walk
    /// then reads no program record.
    var firstTest: Int32 = -1
  }

  enum ProgramOp: UInt8 {
    case and, or, nor, not, predicate, decision, constant
  }

  /// One program node.
  ///
  /// Fields by operator:
  /// - and, or, nor: children `start..<start + count` in `programChildren` (a negative entry
  ///   `~p` is predicate `p` itself);
  /// - not: child program `start`;
  /// - predicate: predicate `start`;
  /// - decision: decision `start` resolving to variant `count` (-1: a variant it lacks);
  /// - constant: `count` is 1 for true, 0 for false.
  struct ProgramRecord {
    var op: ProgramOp
    var start: Int32
    var count: Int32
  }

  /// A comparison of a value with an operand, for the fast predicate kinds.
  enum Comparison: UInt8 {
    case less, lessOrEqual, greater, greaterOrEqual, equal, notEqual

    init(_ relation: Relation) {
      switch relation {
      case .less: self = .less
      case .lessOrEqual: self = .lessOrEqual
      case .greater: self = .greater
      case .greaterOrEqual: self = .greaterOrEqual
      }
    }

    init(_ relation: VersionRelation) {
      switch relation {
      case .equal: self = .equal
      case .notEqual: self = .notEqual
      case .less: self = .less
      case .lessOrEqual: self = .lessOrEqual
      case .greater: self = .greater
      case .greaterOrEqual: self = .greaterOrEqual
      }
    }

    /// `value <comparison> operand`.
    @inline(__always)
    func holds(_ value: Double, _ operand: Double) -> Bool {
      switch self {
      case .less: value < operand
      case .lessOrEqual: value <= operand
      case .greater: value > operand
      case .greaterOrEqual: value >= operand
      case .equal: value == operand
      case .notEqual: value != operand
      }
    }

    /// Whether an order (negative, zero, positive) satisfies the comparison.
    @inline(__always)
    func holds(order: Int) -> Bool {
      switch self {
      case .less: order < 0
      case .lessOrEqual: order <= 0
      case .greater: order > 0
      case .greaterOrEqual: order >= 0
      case .equal: order == 0
      case .notEqual: order != 0
      }
    }
  }

  enum PredicateKind: UInt8 {
    /// A literal string: for a string value, key id equals `start`.
    case literalKey
    /// `$eq` with a string: for a string value, key id equals `start`; otherwise false.
    case strictKey
    /// `$in` of strings: for a string value, key id in the sorted set `start..<start + count` of `keySets`.
    case keyIn
    /// `$nin` of strings.
    case keyNotIn
    /// `$all` of strings: for an array of strings, every key id of the sorted set
    /// `start..<start + count` of `keySets` is among its keys.
    case keyAll
    /// `$elemMatch` of string equality: for an array of strings, one of its keys is in the
    /// sorted set `start..<start + count` of `keySets` (which leaves out the empty string).
    case keyElement
    /// `value <comparison> number`, for a number value.
    case numberCompare
    /// Two comparisons with numbers, for a number value: `comparison` with `number` and
    /// `comparison2` with `number2` (a range such as `$gte` and `$lt`).
    case numberRange
    /// `$regex`/`$regexi` with pattern `start`, for a string value.
    case regex
    /// `$veq`…`$vlte`: `comparison` against padded operand `start` of `paddedOperands`.
    case version
    /// `$startsWith`: a string value starts with `affixBytes[start..<start + count]`; anything else is false.
    case prefix
    /// `$endsWith`: a string value ends with `affixBytes[start..<start + count]`; anything else is false.
    case suffix
    /// `$exists`: the value is not null (`count` 1) or is null (`count` 0).
    case exists
    /// `$before`/`$after`: a date-time string's instant `comparison` `number`; anything else is false.
    case instant
    /// Anything else: the reference code with test `test`.
    case general
  }

  struct PredicateRecord {
    var kind: PredicateKind = .general
    var comparison: Comparison = .less
    var comparison2: Comparison = .less
    var slot: Int32
    var start: Int32 = 0
    var count: Int32 = 0
    var number: Double = 0
    var number2: Double = 0
    /// The index of the full test in `tests`, for values the fast form does not cover.
    var test: Int32
  }

  enum ActionKind: UInt8 {
    case serve, rollout, split
  }

  struct RuleRecord {
    var kind: ActionKind
    var variant: Int32
    var slot: Int32
    var seed: Int32
    var percent: Double
    var rangeStart: Int32
    var rangeCount: Int32
    var hasSchedule: Bool
    var from: Double
    var until: Double
  }

  struct RangeRecord {
    var start: Double
    var end: Double
    var variant: Int32
  }

  struct DecisionRecord {
    var root: Int32
    var requires: Int32
    var isMultiple: Bool
    var limit: Int
    var defaultVariant: Int32
    var firstRule: Int32
    var ruleCount: Int32
    /// The decision's sieve in `sieves`, or -1 when its graph decides it.
    var sieve: Int32 = -1
  }

  let nodes: UnsafeBufferPointer<NodeRecord>
  let candidates: UnsafeBufferPointer<CandidateRecord>
  let children: UnsafeBufferPointer<Int32>
  let switchEntries: UnsafeBufferPointer<Int32>
  let thresholds: UnsafeBufferPointer<Double>
  let programs: UnsafeBufferPointer<ProgramRecord>
  let programChildren: UnsafeBufferPointer<Int32>
  let predicates: UnsafeBufferPointer<PredicateRecord>
  let keySets: UnsafeBufferPointer<Int32>
  let rules: UnsafeBufferPointer<RuleRecord>
  let ranges: UnsafeBufferPointer<RangeRecord>
  let decisions: UnsafeBufferPointer<DecisionRecord>
  let sieves: UnsafeBufferPointer<SieveRecord>
  let sieveFilters: UnsafeBufferPointer<SieveFilterRecord>
  let sieveWords: UnsafeBufferPointer<UInt64>
  let sieveInts: UnsafeBufferPointer<Int32>
  let sieveEntries: UnsafeBufferPointer<SieveEntry>
  let sieveRegions: UnsafeBufferPointer<SieveRegion>
  /// The words, survivors and scratch words an evaluator keeps for the sieves.
  let sieveAccumulatorWords: Int
  let sieveSurvivorCount: Int
  let sieveScratchWords: Int

  let patterns: [Pattern]
  let paddedOperands: [String]
  /// The padded operands as ASCII bytes: `(start, count)` in ``paddedOperandBytes``,
  /// count -1 for an operand that is not ASCII (compared as strings instead).
  let paddedOperandSpans: UnsafeBufferPointer<(Int32, Int32)>
  let paddedOperandBytes: UnsafeBufferPointer<UInt8>
  /// The operands of ``PredicateKind/prefix`` and ``PredicateKind/suffix`` predicates and the
  /// version operands of sieve filters, as UTF-8, and the bytes of suffix tries' edges.
  let affixBytes: UnsafeBufferPointer<UInt8>
  /// The edges of the path-compressed tries of suffix nodes and suffix filters.
  let suffixEntries: UnsafeBufferPointer<SuffixEntry>
  /// Per trie, its node count, then per node the child of the suffix ending there (-1: none).
  let suffixNodes: UnsafeBufferPointer<Int32>

  /// The same patterns, unretained, for the hot path (`patterns` keeps them alive).
  let unmanagedPatterns: UnsafeBufferPointer<Unmanaged<Pattern>>
  let tests: [ValueTest]
  let seeds: [String]
  /// Per seed, FNV-1a's state after the seed's UTF-16: bucketing continues it over the attribute.
  let seedStates: UnsafeMutableBufferPointer<UInt32>
  let slotPaths: [[String]]
  let slotKeys: [[ByteString: Int32]]
  /// Per node of the attribute-path trie (node 0 is the profile itself), every
  /// slot at or below it with the path left below it: for a value read whole.
  let subtreePaths: [[(slot: Int32, rest: [String])]]
  /// The trie, the slots' key tables and slot flags in plain memory, for the profile reader.
  let profileLayout: ProfileLayout
  let decisionIndex: [ByteString: Int32]
  let reference: ConditionEvaluator
  let compiled: CompiledRules
  /// Names and contents for building ``Decision`` values.
  let info: [DecisionInfo]

  /// What a ``Decision`` is built from, kept apart from the hot records.
  final class DecisionInfo: Sendable {
    let name: String
    let isMultiple: Bool
    let variantKeys: [String]
    let variantValues: [JSONValue]
    let ruleIDs: [String]

    init(_ decision: CompiledDecision) {
      name = decision.name
      isMultiple = decision.isMultiple
      variantKeys = decision.variants.map(\.key)
      variantValues = decision.variants.map(\.value)
      ruleIDs = decision.rules.map(\.id)
    }
  }

  /// The index of the decision `name`; a short scan for a few decisions, else a hash lookup.
  func index(ofDecision name: String) -> Int? {
    if info.count <= 8 {
      for (index, decision) in info.enumerated() where JSONValue.sameBytes(decision.name, name) {
        return index
      }
      return nil
    }
    return decisionIndex[ByteString(name)].map(Int.init)
  }

  /// A number no other compiled document of this process has (from 1), stamped
  /// on the ``DecisionID``s taken from it and checked wherever one is used.
  let serial: UInt64

  /// The last serial handed out.
  private static let serials = Atomic<UInt64>(0)

  // swift-format-ignore: FunctionBodyLength
  // Lowering is one pass over every graph; splitting it would only scatter the pools.
  init(_ compiled: CompiledRules) {
    serial = FlatRules.serials.add(1, ordering: .relaxed).newValue
    self.compiled = compiled
    self.info = compiled.decisions.map(DecisionInfo.init)
    var nodes: [NodeRecord] = []
    var candidates: [CandidateRecord] = []
    var children: [Int32] = []
    var switchEntries: [Int32] = []
    var thresholds: [Double] = []
    var programs: [ProgramRecord] = []
    var programChildren: [Int32] = []
    var keySets: [Int32] = []
    var rules: [RuleRecord] = []
    var ranges: [RangeRecord] = []
    var decisions: [DecisionRecord] = []
    var seeds: [String] = []
    var seedIndex: [ByteString: Int32] = [:]
    var affixBytes: [UInt8] = []
    var suffixEntries: [SuffixEntry] = []
    var suffixNodes: [Int32] = []
    var sieveLowering = SieveLowering()
    let table = compiled.table

    func lower(_ program: Program) -> Int32 {
      switch program {
      case .and(let parts), .or(let parts), .nor(let parts):
        // A child that is a single predicate is kept as `~predicate`, so the
        // walk tests it without reading its program record.
        let lowered = parts.map(lower).map { child in
          programs[Int(child)].op == .predicate ? ~programs[Int(child)].start : child
        }
        let start = Int32(programChildren.count)
        programChildren.append(contentsOf: lowered)
        let op: ProgramOp
        switch program {
        case .and: op = .and
        case .or: op = .or
        default: op = .nor
        }
        programs.append(ProgramRecord(op: op, start: start, count: Int32(lowered.count)))
      case .not(let inner):
        let child = lower(inner)
        programs.append(ProgramRecord(op: .not, start: child, count: 0))
      case .predicate(let index):
        programs.append(ProgramRecord(op: .predicate, start: index, count: 0))
      case .decision(let index, let variant):
        let variants = compiled.decisions[Int(index)].variants
        let position = variants.firstIndex { JSONValue.sameBytes($0.key, variant) } ?? -1
        programs.append(ProgramRecord(op: .decision, start: index, count: Int32(position)))
      case .constant(let value):
        programs.append(ProgramRecord(op: .constant, start: 0, count: value ? 1 : 0))
      }
      return Int32(programs.count - 1)
    }

    for decision in compiled.decisions {
      let graph = decision.graph
      func appendCandidate(_ ruleIndex: Int32, _ condition: Program) {
        let program = lower(condition)
        let rule = decision.rules[Int(ruleIndex)]
        var served: Int32 = -1
        if case .serve(let variant) = rule.action, rule.schedule == nil { served = variant }
        let lowered = programs[Int(program)]
        var firstTest: Int32 = -1
        if lowered.op == .and, lowered.count > 0, programChildren[Int(lowered.start)] < 0 {
          firstTest = ~programChildren[Int(lowered.start)]
        }
        candidates.append(
          CandidateRecord(
            rule: ruleIndex,
            program: program,
            predicate: lowered.op == .predicate ? lowered.start : -1,
            served: served,
            firstTest: firstTest
          )
        )
      }
      let base = Int32(nodes.count)
      // Nodes keep their indices, offset by `base`.
      nodes.append(contentsOf: repeatElement(NodeRecord(kind: .empty), count: graph.nodes.count))
      func switchRecord(
        _ record: inout NodeRecord,
        _ slot: Int32,
        _ cases: [Int32: Int32],
        dense: NodeKind,
        sorted: NodeKind
      ) {
        record.slot = slot
        let keyCount = table.keyIDs[Int(slot)].count
        record.start = Int32(switchEntries.count)
        if keyCount <= 4 * cases.count + 16 {
          record.kind = dense
          record.count = Int32(keyCount)
          var entries = [Int32](repeating: -1, count: keyCount)
          for (key, child) in cases { entries[Int(key)] = child + base }
          switchEntries.append(contentsOf: entries)
        } else {
          record.kind = sorted
          record.count = Int32(cases.count)
          for (key, child) in cases.sorted(by: { $0.key < $1.key }) {
            switchEntries.append(key)
            switchEntries.append(child + base)
          }
        }
      }
      func isEmpty(_ node: Int32) -> Bool {
        if case .empty = graph.nodes[Int(node)] { return true }
        return false
      }
      for (index, node) in graph.nodes.enumerated() {
        var record = NodeRecord(kind: .empty, minimumRule: graph.minimumRule[index])
        switch node {
        case .empty:
          break
        case .leaf(let range):
          record.kind = .leaf
          record.start = Int32(candidates.count)
          for position in range {
            let candidate = graph.candidates[Int(position)]
            appendCandidate(candidate.rule, candidate.program)
          }
          record.count = Int32(candidates.count) - record.start
        case .firstOf(let list):
          record.kind = .firstOf
          record.start = Int32(children.count)
          record.count = Int32(list.count)
          children.append(contentsOf: list.map { $0 + base })
        case .switchOn(let slot, let cases, let fallback):
          switchRecord(&record, slot, cases, dense: .switchDense, sorted: .switchSorted)
          record.fallback = fallback + base
        case .memberOf(let slot, let cases, let fallback):
          switchRecord(&record, slot, cases, dense: .memberDense, sorted: .memberSorted)
          record.fallback = fallback + base
        case .interval(
          let slot,
          let domain,
          let values,
          let isCut,
          let regionChildren,
          let null,
          let fallback
        ):
          record.kind = isCut ? .intervalCut : .interval
          record.domain = domain
          record.slot = slot
          record.start = Int32(thresholds.count)
          record.count = Int32(values.count)
          thresholds.append(contentsOf: values)
          record.firstChild = Int32(children.count)
          // A region where no rule can match is -1: the walk stops without reading a node.
          children.append(contentsOf: regionChildren.map { isEmpty($0) ? -1 : $0 + base })
          record.null = isEmpty(null) ? -1 : null + base
          record.fallback = fallback + base
        case .suffix(let slot, let cases):
          record.kind = .suffix
          record.slot = slot
          (record.start, record.count, record.firstChild) = FlatRules.appendSuffixTable(
            cases.map { ($0.suffix, $0.child + base) },
            entries: &suffixEntries,
            nodes: &suffixNodes,
            labels: &affixBytes
          )
        }
        nodes[Int(base) + index] = record
      }
      let firstRule = Int32(rules.count)
      for rule in decision.rules {
        var record = RuleRecord(
          kind: .serve,
          variant: 0,
          slot: 0,
          seed: 0,
          percent: 0,
          rangeStart: 0,
          rangeCount: 0,
          hasSchedule: rule.schedule != nil,
          from: rule.schedule?.from ?? -Double.infinity,
          until: rule.schedule?.until ?? Double.infinity
        )
        func seed(_ text: String) -> Int32 {
          if let known = seedIndex[ByteString(text)] { return known }
          seeds.append(text)
          seedIndex[ByteString(text)] = Int32(seeds.count - 1)
          return Int32(seeds.count - 1)
        }
        switch rule.action {
        case .serve(let variant):
          record.variant = variant
        case .rollout(let variant, let slot, let text, let percent):
          record.kind = .rollout
          record.variant = variant
          record.slot = slot
          record.seed = seed(text)
          record.percent = percent
        case .split(let slot, let text, let bucketRanges, let variants):
          record.kind = .split
          record.slot = slot
          record.seed = seed(text)
          record.rangeStart = Int32(ranges.count)
          record.rangeCount = Int32(bucketRanges.count)
          for (range, variant) in zip(bucketRanges, variants) {
            ranges.append(RangeRecord(start: range.start, end: range.end, variant: variant))
          }
        }
        rules.append(record)
      }
      var sieveIndex: Int32 = -1
      if let sieve = decision.sieve {
        let firstCandidate = Int32(candidates.count)
        for (rule, program) in sieve.programs.enumerated() {
          appendCandidate(Int32(rule), program ?? .constant(false))
        }
        sieveIndex = sieveLowering.lower(
          sieve,
          firstCandidate: firstCandidate,
          keyCount: { table.keyIDs[Int($0)].count },
          thresholds: &thresholds,
          suffixEntries: &suffixEntries,
          suffixNodes: &suffixNodes,
          affixBytes: &affixBytes
        )
      }
      decisions.append(
        DecisionRecord(
          root: graph.root + base,
          requires: decision.requires.map(lower) ?? -1,
          isMultiple: decision.isMultiple,
          limit: decision.limit,
          defaultVariant: decision.defaultVariant ?? -1,
          firstRule: firstRule,
          ruleCount: Int32(decision.rules.count),
          sieve: sieveIndex
        )
      )
    }

    var patterns: [Pattern] = []
    var paddedOperands: [String] = []
    var tests: [ValueTest] = []
    var predicates: [PredicateRecord] = []
    for predicate in table.predicates {
      tests.append(predicate.test)
      var record = PredicateRecord(slot: predicate.slot, test: Int32(tests.count - 1))
      let keys = table.keyIDs[Int(predicate.slot)]
      func keySet(_ list: [JSONValue]) {
        // The strings' key ids, distinct and ascending, appended in place.
        let start = keySets.count
        for case .string(let text) in list {
          if let id = keys[ByteString(text)] { keySets.append(id) }
        }
        keySets.sortDroppingRepeats(from: start)
        record.start = Int32(start)
        record.count = Int32(keySets.count - start)
      }
      func affix(_ text: String) {
        record.start = Int32(affixBytes.count)
        record.count = Int32(text.utf8.count)
        affixBytes.append(contentsOf: text.utf8)
      }
      switch predicate.test {
      case .literal(.string(let text)):
        record.kind = .literalKey
        record.start = keys[ByteString(text)] ?? -1
      case .operators(let operators) where operators.count == 1:
        switch operators[0] {
        case .eq(.string(let text)):
          record.kind = .strictKey
          record.start = keys[ByteString(text)] ?? -1
        case .in(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
          record.kind = .keyIn
          keySet(list)
        case .nin(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
          record.kind = .keyNotIn
          keySet(list)
        case .all, .elemMatch:
          // Every string has a key id when the builder interned this test as a conjunct.
          if let (strings, requiresAll) = GraphBuilder.arrayStrings(predicate.test),
            strings.allSatisfy({ keys[ByteString($0)] != nil })
          {
            record.kind = requiresAll ? .keyAll : .keyElement
            keySet(strings.map { .string($0) })
          }
        case .compare(let relation, .number(let operand)):
          record.kind = .numberCompare
          record.comparison = Comparison(relation)
          record.number = operand
        case .startsWith(let prefix):
          record.kind = .prefix
          affix(prefix)
        case .endsWith(let suffix):
          record.kind = .suffix
          affix(suffix)
        case .exists(let expected):
          record.kind = .exists
          record.count = expected ? 1 : 0
        case .after(let instant, _):
          record.kind = .instant
          record.comparison = .greater
          record.number = instant
        case .before(let instant, _):
          record.kind = .instant
          record.comparison = .less
          record.number = instant
        case .regex(let pattern):
          record.kind = .regex
          patterns.append(pattern)
          record.start = Int32(patterns.count - 1)
        case .version(let relation, let padded, _):
          record.kind = .version
          record.comparison = Comparison(relation)
          paddedOperands.append(padded)
          record.start = Int32(paddedOperands.count - 1)
        default:
          break
        }
      case .operators(let operators) where operators.count == 2:
        if case .compare(let first, .number(let low)) = operators[0],
          case .compare(let second, .number(let high)) = operators[1]
        {
          record.kind = .numberRange
          record.comparison = Comparison(first)
          record.number = low
          record.comparison2 = Comparison(second)
          record.number2 = high
        }
      default:
        break
      }
      predicates.append(record)
    }

    // The path trie: built with dictionaries, then laid out in ``ProfileLayout``.
    var childMaps: [[ByteString: Int]] = [[:]]
    var exact: [[Int32]] = [[]]
    var subtree: [[(slot: Int32, rest: [String])]] = [[]]
    for (slot, path) in table.paths.enumerated() {
      var node = 0
      subtree[0].append((Int32(slot), path.components))
      for (depth, component) in path.components.enumerated() {
        let key = ByteString(component)
        if let next = childMaps[node][key] {
          node = next
        } else {
          childMaps.append([:])
          exact.append([])
          subtree.append([])
          childMaps[node][key] = childMaps.count - 1
          node = childMaps.count - 1
        }
        subtree[node].append((Int32(slot), Array(path.components[(depth + 1)...])))
      }
      exact[node].append(Int32(slot))
    }
    self.subtreePaths = subtree

    func freeze<T>(_ array: [T]) -> UnsafeBufferPointer<T> { UnsafeBufferPointer(frozen(array)) }
    // 32-byte records on 64-byte lines: a node never straddles two cache lines.
    self.nodes = UnsafeBufferPointer(frozen(nodes, alignment: 64))
    self.candidates = freeze(candidates)
    self.children = freeze(children)
    self.switchEntries = freeze(switchEntries)
    self.thresholds = freeze(thresholds)
    self.programs = freeze(programs)
    self.programChildren = freeze(programChildren)
    self.predicates = freeze(predicates)
    self.keySets = freeze(keySets)
    self.rules = freeze(rules)
    self.ranges = freeze(ranges)
    self.decisions = freeze(decisions)
    self.sieves = freeze(sieveLowering.sieves)
    self.sieveFilters = freeze(sieveLowering.filters)
    self.sieveWords = UnsafeBufferPointer(frozen(sieveLowering.words, alignment: 64))
    self.sieveInts = freeze(sieveLowering.ints)
    self.sieveEntries = freeze(sieveLowering.entries)
    self.sieveRegions = freeze(sieveLowering.regions)
    self.sieveAccumulatorWords = sieveLowering.accumulatorWords
    self.sieveSurvivorCount = sieveLowering.survivorCount
    self.sieveScratchWords = sieveLowering.scratchWords
    self.patterns = patterns
    self.paddedOperands = paddedOperands
    var operandBytes: [UInt8] = []
    var operandSpans: [(Int32, Int32)] = []
    for operand in paddedOperands {
      if operand.utf8.allSatisfy({ $0 < 0x80 }) {
        operandSpans.append((Int32(operandBytes.count), Int32(operand.utf8.count)))
        operandBytes.append(contentsOf: operand.utf8)
      } else {
        operandSpans.append((0, -1))
      }
    }
    self.paddedOperandSpans = freeze(operandSpans)
    self.paddedOperandBytes = freeze(operandBytes)
    self.affixBytes = freeze(affixBytes)
    self.suffixEntries = freeze(suffixEntries)
    self.suffixNodes = freeze(suffixNodes)
    var isVersionSlot = [Bool](repeating: false, count: table.paths.count)
    for record in predicates where record.kind == .version {
      isVersionSlot[Int(record.slot)] = true
    }
    var needsStringValue = isVersionSlot
    for record in predicates {
      switch record.kind {
      // These read only the key id of a string value.
      case .literalKey, .strictKey, .keyIn, .keyNotIn, .keyAll, .keyElement, .exists: break
      default: needsStringValue[Int(record.slot)] = true
      }
    }
    // Suffix nodes read a string's bytes, instant intervals parse it.
    for record in nodes
    where record.kind == .suffix
      || ((record.kind == .interval || record.kind == .intervalCut) && record.domain == .time)
    {
      needsStringValue[Int(record.slot)] = true
    }
    for record in sieveLowering.filters
    where record.kind == .suffix || record.kind == .prefix || record.kind == .time {
      needsStringValue[Int(record.slot)] = true
    }
    for record in rules where record.kind != .serve { needsStringValue[Int(record.slot)] = true }
    // Instant tests, intervals and filters read a string slot's instant, parsed with the profile.
    var isTimeSlot = [Bool](repeating: false, count: table.paths.count)
    for record in predicates where record.kind == .instant { isTimeSlot[Int(record.slot)] = true }
    for record in nodes
    where (record.kind == .interval || record.kind == .intervalCut) && record.domain == .time {
      isTimeSlot[Int(record.slot)] = true
    }
    for record in sieveLowering.filters where record.kind == .time {
      isTimeSlot[Int(record.slot)] = true
    }
    // A string literal compares an array by its text, so it needs the array itself.
    var hasLiteralKey = [Bool](repeating: false, count: table.paths.count)
    for record in predicates where record.kind == .literalKey {
      hasLiteralKey[Int(record.slot)] = true
    }
    self.profileLayout = ProfileLayout(
      children: childMaps.map { map in map.map { ($0.key.value, Int32($0.value)) } },
      exact: exact,
      subtree: subtree.map { $0.map(\.slot) },
      slotKeys: table.keyIDs.map { keys in keys.map { ($0.key.value, $0.value) } },
      flags: needsStringValue.indices.map { slot in
        (needsStringValue[slot] ? ProfileLayout.needsString : 0)
          | (isVersionSlot[slot] ? ProfileLayout.isVersion : 0)
          | (needsStringValue[slot] || hasLiteralKey[slot] ? 0 : ProfileLayout.keysOnly)
          | (isTimeSlot[slot] ? ProfileLayout.isTime : 0)
      }
    )
    self.unmanagedPatterns = freeze(patterns.map { Unmanaged.passUnretained($0) })
    self.tests = tests
    self.seeds = seeds
    self.seedStates = frozen(seeds.map { Bucketing.fnv32a($0) })
    self.slotPaths = table.paths.map(\.components)
    self.slotKeys = table.keyIDs
    self.decisionIndex = compiled.decisionIndex
    self.reference = ConditionEvaluator(
      groups: compiled.groups,
      segment: { _ in false },
      decision: { _, _ in false }
    )
  }

  /// Appends a suffix table: a path-compressed trie of the suffixes read from their last byte.
  ///
  /// A chain of nodes where no suffix ends and only one way leads on is one edge: a value
  /// ending `@example.com` takes one table probe per branching point, not one per byte.
  /// The edges go to `entries` as an open-addressing table keyed by node and the edge's
  /// first byte read (a power of two entries, at least twice the edges), their bytes to
  /// `labels`, and the nodes to `nodes` (their count, then per node the child of the
  /// suffix ending there, or -1). Node 0 is the empty suffix. Returns where the table
  /// starts, its size and where the nodes start.
  static func appendSuffixTable(
    _ cases: [(bytes: [UInt8], child: Int32)],
    entries: inout [SuffixEntry],
    nodes: inout [Int32],
    labels: inout [UInt8]
  ) -> (start: Int32, capacity: Int32, nodes: Int32) {
    // The plain trie first: per node its ways on (byte read, node) and its suffix's child.
    var ways: [[(byte: UInt8, next: Int32)]] = [[]]
    var ending: [Int32] = [-1]
    for (bytes, child) in cases {
      var node: Int32 = 0
      for byte in bytes.reversed() {
        if let way = ways[Int(node)].first(where: { $0.byte == byte }) {
          node = way.next
        } else {
          let next = Int32(ways.count)
          ways.append([])
          ending.append(-1)
          ways[Int(node)].append((byte, next))
          node = next
        }
      }
      if ending[Int(node)] < 0 { ending[Int(node)] = child }
    }
    // Then its kept nodes (the root, branching points and ends) and the edges between them.
    var children: [Int32] = [ending[0]]
    var edges: [(key: UInt64, next: Int32, label: Int32)] = []
    var pending: [(plain: Int32, kept: Int32)] = [(0, 0)]
    while let (plain, kept) = pending.popLast() {
      for way in ways[Int(plain)] {
        var read = [way.byte]
        var node = way.next
        while ending[Int(node)] < 0 && ways[Int(node)].count == 1 && read.count < 255 {
          read.append(ways[Int(node)][0].byte)
          node = ways[Int(node)][0].next
        }
        let next = Int32(children.count)
        children.append(ending[Int(node)])
        let label = Int32(labels.count)
        labels.append(UInt8(read.count))
        labels.append(contentsOf: read.reversed())
        edges.append((SuffixEntry.key(kept, way.byte), next, label))
        pending.append((node, next))
      }
    }
    var capacity = 4
    while capacity < 2 * edges.count { capacity *= 2 }
    var table = [SuffixEntry](
      repeating: SuffixEntry(key: SuffixEntry.free, next: 0, label: 0),
      count: capacity
    )
    let shift = SuffixEntry.shift(capacity)
    for edge in edges.sorted(by: { $0.key < $1.key }) {
      var position = SuffixEntry.position(edge.key, shift)
      while table[position].key != SuffixEntry.free { position = (position + 1) & (capacity - 1) }
      table[position] = SuffixEntry(key: edge.key, next: edge.next, label: edge.label)
    }
    let start = Int32(entries.count)
    entries.append(contentsOf: table)
    let nodesStart = Int32(nodes.count)
    nodes.append(Int32(children.count))
    nodes.append(contentsOf: children)
    return (start, Int32(capacity), nodesStart)
  }

  /// The region of `value` among ascending `thresholds`, as uncut interval nodes and sieve
  /// filters number them: `2i + 1` at threshold `i`, `2i` below it and above the one before.
  @inline(__always)
  static func region(of value: Double, in thresholds: UnsafeBufferPointer<Double>) -> Int {
    var low = 0
    var high = thresholds.count
    while low < high {
      let middle = (low + high) >> 1
      if thresholds[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low < thresholds.count && thresholds[low] == value ? 2 * low + 1 : 2 * low
  }

  /// Spreads a hash over a table's positions.
  @inline(__always)
  static func mix(_ hash: UInt64) -> UInt64 { hash ^ (hash >> 29) ^ (hash >> 47) }

  deinit {
    func free<T>(_ buffer: UnsafeBufferPointer<T>) {
      UnsafeMutableBufferPointer(mutating: buffer).baseAddress?.deallocate()
    }
    free(nodes)
    free(UnsafeBufferPointer(seedStates))
    free(candidates)
    free(children)
    free(switchEntries)
    free(thresholds)
    free(programs)
    free(programChildren)
    free(predicates)
    free(keySets)
    free(rules)
    free(ranges)
    free(decisions)
    free(sieves)
    free(sieveFilters)
    free(sieveWords)
    free(sieveInts)
    free(sieveEntries)
    free(sieveRegions)
    free(unmanagedPatterns)
    free(affixBytes)
    free(suffixEntries)
    free(suffixNodes)
    free(paddedOperandSpans)
    free(paddedOperandBytes)
  }
}
