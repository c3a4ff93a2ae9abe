/// Compiles a validated ``Document`` into ``CompiledRules``.
///
/// Each decision becomes a DAG. Every rule is filed under one *anchor*: the
/// conjunct expected to admit the fewest profiles among those an index can
/// answer — string equality (a switch node: one lookup of the value's key),
/// `$in` of strings (a member node: one lookup per key, also for array
/// attributes), a comparison of numbers or instants (an interval node: a binary
/// search over thresholds, exact for few thresholds, cut into cells at their
/// quantiles for many) or `$endsWith` (a suffix node: one hash probe per suffix
/// length). Under each branch the rules are specialised on what is now known and
/// grouped again, so the work per profile follows the rules it can match rather
/// than the number of rules. Identical sub-problems share one node. When a size
/// budget is spent the builder emits leaves: ordered scans with memoised predicates.
struct Compiler {
  /// Leaves with this many rules or fewer are not split further.
  static let leafSize = 4

  private let document: Document
  private let segments: [ByteString: Condition]
  private let groups: [String: Set<JSONValue>]
  private var table = PredicateTable()
  private let decisionIndex: [ByteString: Int32]

  init(_ document: Document) {
    self.document = document
    var segments: [ByteString: Condition] = [:]
    for segment in document.segments where segments[ByteString(segment.name)] == nil {
      segments[ByteString(segment.name)] = segment.condition
    }
    self.segments = segments
    var groups: [String: Set<JSONValue>] = [:]
    for group in document.groups {
      groups[group.name] = Set(
        group.members.filter { $0.arrayValue == nil && $0.objectValue == nil }
      )
    }
    self.groups = groups
    var index: [ByteString: Int32] = [:]
    for (position, decision) in document.decisions.enumerated()
    where index[ByteString(decision.name)] == nil {
      index[ByteString(decision.name)] = Int32(position)
    }
    decisionIndex = index
  }

  /// Compiles every decision.
  ///
  /// - Complexity: roughly O(total rule size × average keys per anchored rule),
  ///   bounded by a node budget proportional to the number of rules.
  static func compile(_ document: Document) -> CompiledRules {
    var compiler = Compiler(document)
    let decisions = document.decisions.map { compiler.compile($0) }
    return CompiledRules(
      table: compiler.table,
      decisions: decisions,
      decisionIndex: compiler.decisionIndex,
      groups: compiler.groups
    )
  }

  private mutating func compile(_ decision: DecisionDefinition) -> CompiledDecision {
    func variantIndex(_ key: String) -> Int32 {
      Int32(decision.variants.firstIndex { JSONValue.sameBytes($0.key, key) } ?? 0)
    }
    var rules: [CompiledRule] = []
    for rule in decision.rules {
      let action: CompiledRule.Action
      switch rule.action {
      case .serve(let key):
        action = .serve(variant: variantIndex(key))
      case .rollout(let key, let rollout):
        action = .rollout(
          variant: variantIndex(key),
          slot: table.slot(for: rollout.by),
          seed: rollout.seed,
          percent: rollout.percent
        )
      case .split(let split):
        action = .split(
          slot: table.slot(for: split.by),
          seed: split.seed,
          ranges: Bucketing.bucketRanges(
            count: split.weights.count,
            coverage: split.coverage,
            weights: split.weights.map(\.weight)
          ),
          variants: split.weights.map { variantIndex($0.variant) }
        )
      }
      rules.append(CompiledRule(id: rule.id, action: action, schedule: rule.schedule))
    }
    let limit: Int
    let isMultiple: Bool
    switch decision.mode {
    case .first:
      limit = 1
      isMultiple = false
    case .all(let bound):
      limit = bound ?? Int.max
      isMultiple = true
    }
    var builder = GraphBuilder(
      table: table,
      groups: groups,
      certain: rules.map(\.isCertain),
      firstOnly: !isMultiple,
      budget: 64 * max(rules.count, 64) + 4096,
      decisionIndex: decisionIndex
    )
    var items: [GraphBuilder.Item] = []
    for (index, rule) in decision.rules.enumerated() {
      if let item = builder.item(rule: Int32(index), condition: inline(rule.condition)) {
        items.append(item)
      }
    }
    let graph = builder.build(items)
    table = builder.table
    var requires: Program?
    if let gate = decision.requires {
      requires = builder.program(for: inline(gate))
      table = builder.table
    }
    return CompiledDecision(
      name: decision.name,
      isMultiple: isMultiple,
      limit: limit,
      variants: decision.variants,
      defaultVariant: decision.defaultVariant.map(variantIndex),
      requires: requires,
      rules: rules,
      graph: graph
    )
  }

  /// Replaces `$segment` references by the segments' conditions (segments are acyclic).
  func inline(_ condition: Condition) -> Condition {
    switch condition {
    case .and(let parts): .and(parts.map(inline))
    case .or(let parts): .or(parts.map(inline))
    case .nor(let parts): .nor(parts.map(inline))
    case .not(let inner): .not(inline(inner))
    case .segment(let name): segments[ByteString(name)].map(inline) ?? .constant(false)
    case .predicate, .decision, .constant: condition
    }
  }
}
