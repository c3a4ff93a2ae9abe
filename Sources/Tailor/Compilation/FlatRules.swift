/// The evaluator's view of ``CompiledRules``: every graph, program, predicate
/// and rule lowered into flat arrays of plain records, so that the hot path
/// reads memory without reference counting.
///
/// Built once per loaded document, immutable, and shared by every evaluator.
final class FlatRules: @unchecked Sendable {
  // @unchecked: the buffers are written only in `init` and freed in `deinit`.

  enum NodeKind: UInt8 {
    case empty, leaf, firstOf, switchDense, switchSorted, interval
  }

  /// One node. Fields by kind:
  /// - leaf: `a..<b` in `candidates`;
  /// - firstOf: `a..<a+b` in `children`;
  /// - switchDense: `a..<a+b` in `switchEntries` indexed by key id (-1: no case), `c` fallback;
  /// - switchSorted: `b` (key id, child) pairs from `a` in `switchEntries`, sorted by key id; `c` fallback;
  /// - interval: `b` thresholds from `a` in `thresholds`, `2b+1` children from `c` in `children`,
  ///   `d` the null child, `e` the fallback.
  struct NodeRecord {
    var kind: NodeKind
    var slot: Int32
    var a: Int32
    var b: Int32
    var c: Int32
    var d: Int32
    var e: Int32
    var minimumRule: Int32
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
  }

  enum ProgramOp: UInt8 {
    case and, or, nor, not, predicate, decision, constant
  }

  /// and/or/nor: children `a..<a+b` in `programChildren` (a negative entry
  /// `~p` is predicate `p` itself); not: child `a`;
  /// predicate: index `a`; decision: decision `a`, variant `b`; constant: `a` (0 or 1).
  struct ProgramRecord {
    var op: ProgramOp
    var a: Int32
    var b: Int32
  }

  enum PredicateKind: UInt8 {
    /// A literal string: for a string value, key id equals `a`.
    case literalKey
    /// `$eq` with a string: for a string value, key id equals `a`; otherwise false.
    case strictKey
    /// `$in` of strings: for a string value, key id in the sorted set `a..<b` of `keySets`.
    case keyIn
    /// `$nin` of strings.
    case keyNotIn
    /// A comparison (`a` is the relation) with `number`, for a number value.
    case numberCompare
    /// `$regex`/`$regexi` with pattern `a`, for a string value.
    case regex
    /// `$veq`…`$vlte` (`a` the relation) against padded operand `b` of `paddedOperands`.
    case version
    /// Two comparisons with numbers, for a number value: relation `a` with
    /// `number` and relation `b` with `number2` (a range such as `$gte` and `$lt`).
    case numberRange
    /// `$startsWith`: a string value starts with `prefixBytes[a..<a+b]`; anything else is false.
    case prefix
    /// Anything else: the reference code with test `a`.
    case general
  }

  struct PredicateRecord {
    var kind: PredicateKind
    var slot: Int32
    var a: Int32
    var b: Int32
    var number: Double
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

  let patterns: [Pattern]
  let paddedOperands: [String]
  /// The padded operands as ASCII bytes: `(start, count)` in ``paddedOperandBytes``,
  /// count -1 for an operand that is not ASCII (compared as strings instead).
  let paddedOperandSpans: UnsafeBufferPointer<(Int32, Int32)>
  let paddedOperandBytes: UnsafeBufferPointer<UInt8>
  /// The operands of ``PredicateKind/prefix`` predicates, as UTF-8.
  let prefixBytes: UnsafeBufferPointer<UInt8>

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

  // swift-format-ignore: FunctionBodyLength
  // Lowering is one pass over every graph; splitting it would only scatter the pools.
  init(_ compiled: CompiledRules) {
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
    let table = compiled.table

    func lower(_ program: Program) -> Int32 {
      switch program {
      case .and(let parts), .or(let parts), .nor(let parts):
        // A child that is a single predicate is kept as `~predicate`, so the
        // walk tests it without reading its program record.
        let lowered = parts.map(lower).map { child in
          programs[Int(child)].op == .predicate ? ~programs[Int(child)].a : child
        }
        let start = Int32(programChildren.count)
        programChildren.append(contentsOf: lowered)
        let op: ProgramOp
        switch program {
        case .and: op = .and
        case .or: op = .or
        default: op = .nor
        }
        programs.append(ProgramRecord(op: op, a: start, b: Int32(lowered.count)))
      case .not(let inner):
        let child = lower(inner)
        programs.append(ProgramRecord(op: .not, a: child, b: 0))
      case .predicate(let index):
        programs.append(ProgramRecord(op: .predicate, a: index, b: 0))
      case .decision(let index, let variant):
        let variants = compiled.decisions[Int(index)].variants
        let position = variants.firstIndex { JSONValue.sameBytes($0.key, variant) } ?? -1
        programs.append(ProgramRecord(op: .decision, a: index, b: Int32(position)))
      case .constant(let value):
        programs.append(ProgramRecord(op: .constant, a: value ? 1 : 0, b: 0))
      }
      return Int32(programs.count - 1)
    }

    for decision in compiled.decisions {
      let graph = decision.graph
      let base = Int32(nodes.count)
      // Nodes keep their indices, offset by `base`.
      nodes.append(
        contentsOf: repeatElement(
          NodeRecord(kind: .empty, slot: 0, a: 0, b: 0, c: 0, d: 0, e: 0, minimumRule: Int32.max),
          count: graph.nodes.count
        )
      )
      for (index, node) in graph.nodes.enumerated() {
        var record = NodeRecord(
          kind: .empty,
          slot: 0,
          a: 0,
          b: 0,
          c: 0,
          d: 0,
          e: 0,
          minimumRule: graph.minimumRule[index]
        )
        switch node {
        case .empty:
          break
        case .leaf(let range):
          record.kind = .leaf
          record.a = Int32(candidates.count)
          for position in range {
            let candidate = graph.candidates[Int(position)]
            let program = lower(candidate.program)
            let rule = decision.rules[Int(candidate.rule)]
            var served: Int32 = -1
            if case .serve(let variant) = rule.action, rule.schedule == nil { served = variant }
            candidates.append(
              CandidateRecord(
                rule: candidate.rule,
                program: program,
                predicate: programs[Int(program)].op == .predicate ? programs[Int(program)].a : -1,
                served: served
              )
            )
          }
          record.b = Int32(candidates.count)
        case .firstOf(let list):
          record.kind = .firstOf
          record.a = Int32(children.count)
          record.b = Int32(list.count)
          children.append(contentsOf: list.map { $0 + base })
        case .switchOn(let slot, let cases, let fallback):
          record.slot = slot
          record.c = fallback + base
          let keyCount = table.keyIDs[Int(slot)].count
          record.a = Int32(switchEntries.count)
          if keyCount <= 4 * cases.count + 16 {
            record.kind = .switchDense
            record.b = Int32(keyCount)
            var dense = [Int32](repeating: -1, count: keyCount)
            for (key, child) in cases { dense[Int(key)] = child + base }
            switchEntries.append(contentsOf: dense)
          } else {
            record.kind = .switchSorted
            record.b = Int32(cases.count)
            for (key, child) in cases.sorted(by: { $0.key < $1.key }) {
              switchEntries.append(key)
              switchEntries.append(child + base)
            }
          }
        case .interval(let slot, let values, let regionChildren, let null, let fallback):
          record.kind = .interval
          record.slot = slot
          record.a = Int32(thresholds.count)
          record.b = Int32(values.count)
          thresholds.append(contentsOf: values)
          record.c = Int32(children.count)
          children.append(contentsOf: regionChildren.map { $0 + base })
          record.d = null + base
          record.e = fallback + base
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
      decisions.append(
        DecisionRecord(
          root: graph.root + base,
          requires: decision.requires.map(lower) ?? -1,
          isMultiple: decision.isMultiple,
          limit: decision.limit,
          defaultVariant: decision.defaultVariant ?? -1,
          firstRule: firstRule,
          ruleCount: Int32(decision.rules.count)
        )
      )
    }

    var patterns: [Pattern] = []
    var paddedOperands: [String] = []
    var prefixBytes: [UInt8] = []
    func relationCode(_ relation: Relation) -> Int32 {
      switch relation {
      case .less: 0
      case .lessOrEqual: 1
      case .greater: 2
      case .greaterOrEqual: 3
      }
    }
    var tests: [ValueTest] = []
    var predicates: [PredicateRecord] = []
    for predicate in table.predicates {
      tests.append(predicate.test)
      var record = PredicateRecord(
        kind: .general,
        slot: predicate.slot,
        a: 0,
        b: 0,
        number: 0,
        test: Int32(tests.count - 1)
      )
      let keys = table.keyIDs[Int(predicate.slot)]
      func keySet(_ list: [JSONValue]) -> (Int32, Int32) {
        let ids = Set(list.compactMap { $0.stringValue.flatMap { keys[ByteString($0)] } }).sorted()
        let start = Int32(keySets.count)
        keySets.append(contentsOf: ids)
        return (start, Int32(keySets.count))
      }
      switch predicate.test {
      case .literal(.string(let text)):
        record.kind = .literalKey
        record.a = keys[ByteString(text)] ?? -1
      case .operators(let operators) where operators.count == 1:
        switch operators[0] {
        case .eq(.string(let text)):
          record.kind = .strictKey
          record.a = keys[ByteString(text)] ?? -1
        case .in(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
          record.kind = .keyIn
          (record.a, record.b) = keySet(list)
        case .nin(let list, false) where list.allSatisfy({ $0.stringValue != nil }):
          record.kind = .keyNotIn
          (record.a, record.b) = keySet(list)
        case .compare(let relation, .number(let operand)):
          record.kind = .numberCompare
          record.a = relationCode(relation)
          record.number = operand
        case .startsWith(let prefix):
          record.kind = .prefix
          record.a = Int32(prefixBytes.count)
          record.b = Int32(prefix.utf8.count)
          prefixBytes.append(contentsOf: prefix.utf8)
        case .regex(let pattern):
          record.kind = .regex
          patterns.append(pattern)
          record.a = Int32(patterns.count - 1)
        case .version(let relation, let padded, _):
          record.kind = .version
          record.a =
            switch relation {
            case .equal: 0
            case .notEqual: 1
            case .less: 2
            case .lessOrEqual: 3
            case .greater: 4
            case .greaterOrEqual: 5
            }
          paddedOperands.append(padded)
          record.b = Int32(paddedOperands.count - 1)
        default:
          break
        }
      case .operators(let operators) where operators.count == 2:
        if case .compare(let first, .number(let low)) = operators[0],
          case .compare(let second, .number(let high)) = operators[1]
        {
          record.kind = .numberRange
          record.a = relationCode(first)
          record.number = low
          record.b = relationCode(second)
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
    self.nodes = freeze(nodes)
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
    self.prefixBytes = freeze(prefixBytes)
    var isVersionSlot = [Bool](repeating: false, count: table.paths.count)
    for record in predicates where record.kind == .version {
      isVersionSlot[Int(record.slot)] = true
    }
    var needsStringValue = isVersionSlot
    for record in predicates {
      switch record.kind {
      // These read only the key id of a string value.
      case .literalKey, .strictKey, .keyIn, .keyNotIn: break
      default: needsStringValue[Int(record.slot)] = true
      }
    }
    for record in rules where record.kind != .serve { needsStringValue[Int(record.slot)] = true }
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
    free(unmanagedPatterns)
    free(prefixBytes)
    free(paddedOperandSpans)
    free(paddedOperandBytes)
  }
}
