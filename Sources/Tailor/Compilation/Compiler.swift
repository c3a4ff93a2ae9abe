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
///
/// A decision of many rules whose graph would not fit its budget (the rules are
/// diverse: thresholds, dates and domains that rarely repeat) is compiled to a
/// ``RuleSieve`` instead: bit sets per attribute value, intersected per profile.
struct Compiler {
  /// Leaves with this many rules or fewer are not split further.
  static let leafSize = 4

  /// How decisions are compiled.
  enum Strategy: Sendable {
    /// A graph, or a sieve for a decision of at least ``RuleSieve/minimumRules`` rules whose
    /// graph exceeds a budget of ``probeBudget`` nodes per rule.
    case automatic
    /// Always a graph (with the full budget).
    case graph
    /// Always a sieve.
    case sieve
  }

  /// Nodes per rule a graph may take before a large decision is sieved instead.
  static let probeBudget = 4

  private let strategy: Strategy

  private let document: Document
  private let segments: [ByteString: Condition]
  private let groups: [String: Set<JSONValue>]
  private var table = PredicateTable()
  private let decisionIndex: [ByteString: Int32]

  init(
    _ document: Document,
    strategy: Strategy = .automatic
  ) {
    self.document = document
    self.strategy = strategy
    var segments: [ByteString: Condition] = [:]
    for segment in document.segments where segments[ByteString(segment.name)] == nil {
      segments[ByteString(segment.name)] = segment.condition
    }
    self.segments = segments
    self.groups = document.groupMembers
    var index: [ByteString: Int32] = [:]
    for (position, decision) in document.decisions.enumerated()
    where index[ByteString(decision.name)] == nil {
      index[ByteString(decision.name)] = Int32(position)
    }
    decisionIndex = index
    table.reserve(predicates: 4 * document.decisions.reduce(0) { $0 + $1.rules.count })
  }

  /// Compiles every decision.
  ///
  /// - Complexity: roughly O(total rule size × average keys per anchored rule),
  ///   bounded by a node budget proportional to the number of rules.
  static func compile(
    _ document: Document,
    strategy: Strategy = .automatic
  ) -> CompiledRules {
    var compiler = Compiler(document, strategy: strategy)
    let decisions = document.decisions.map { compiler.compile($0) }
    return CompiledRules(
      table: compiler.table,
      decisions: decisions,
      decisionIndex: compiler.decisionIndex,
      groups: compiler.groups
    )
  }

  private mutating func compile(_ decision: DecisionDefinition) -> CompiledDecision {
    let variantKeys = VariantKeys(decision.variants)
    func variantIndex(_ key: String) -> Int32 {
      Int32(variantKeys.position(of: key) ?? 0)
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
    let probing = strategy == .automatic && rules.count >= RuleSieve.minimumRules
    let budget: Int
    switch strategy {
    case .sieve: budget = 0
    case .automatic where probing: budget = Compiler.probeBudget * rules.count + 4096
    default: budget = 64 * max(rules.count, 64) + 4096
    }
    var builder = GraphBuilder(
      table: table,
      groups: groups,
      certain: rules.map(\.isCertain),
      firstOnly: !isMultiple,
      budget: budget,
      decisionIndex: decisionIndex
    )
    var items: [GraphBuilder.Item] = []
    builder.stopsWhenExhausted = probing
    for (index, rule) in decision.rules.enumerated() {
      if let item = builder.item(rule: Int32(index), condition: inline(rule.condition)) {
        items.append(item)
      }
    }
    var graph: DecisionGraph
    var sieve: RuleSieve?
    if strategy == .sieve
      || (probing
        && (Compiler.isDiverse(items, builder.conjuncts)
          || Compiler.sampleOutgrowsGraph(items, builder)))
    {
      graph = DecisionGraph(nodes: [.empty], minimumRule: [Int32.max], candidates: [], root: 0)
      sieve = RuleSieve.build(items: items, ruleCount: rules.count, builder: &builder)
    } else {
      graph = builder.build(items)
      if probing && builder.isExhausted {
        graph = DecisionGraph(nodes: [.empty], minimumRule: [Int32.max], candidates: [], root: 0)
        sieve = RuleSieve.build(items: items, ruleCount: rules.count, builder: &builder)
      }
    }
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
      graph: graph,
      sieve: sieve
    )
  }

  /// Whether rules are so diverse that their graph is not worth probing: on average two
  /// or more conjuncts an index can answer per rule, and at least one distinct comparison
  /// or suffix for every two rules (thresholds, dates and domains drawn per rule).
  ///
  /// Such rules exhaust any graph budget (each distinct threshold splits the rules again
  /// under every branch of the other attributes), so they go straight to a sieve; the probe
  /// stays for the rest. Rules of one attribute each, even with distinct thresholds, keep
  /// their graph: one interval node orders them.
  static func isDiverse(_ items: [GraphBuilder.Item], _ conjuncts: [GraphBuilder.Conjunct]) -> Bool
  {
    guard !items.isEmpty else { return false }
    var indexed = 0
    var comparisons = Set<Int32>()
    for item in items {
      for id in item.conjuncts {
        switch conjuncts[Int(id)].shape {
        case .none: continue
        case .key, .members: indexed += 1
        case .numeric, .suffix:
          indexed += 1
          comparisons.insert(id)
        }
      }
    }
    return indexed >= 2 * items.count && 2 * comparisons.count >= items.count
  }

  /// The rules of a probe's sample: the decision's first ones.
  static let probeSample = 1024

  /// Whether the graph of a large decision's first ``probeSample`` rules already outgrows
  /// their share of the probe's budget, so that the whole decision's graph would too.
  ///
  /// Rules that ``isDiverse(_:_:)`` does not catch can still exhaust any graph: narrow
  /// rules whose thresholds repeat (whole ages, amounts rounded to tens, dates on the
  /// first of a month) are not plainly diverse, yet each rule splits on several
  /// attributes. Probing the whole decision then costs more than building its sieve (1.3 s
  /// of a 3.7 s load at 100,000 such rules); a sample's graph costs a few milliseconds.
  /// A graph does not grow more slowly than its rules, so a sample that fits says nothing
  /// and the whole decision is still probed.
  static func sampleOutgrowsGraph(_ items: [GraphBuilder.Item], _ builder: GraphBuilder) -> Bool {
    guard items.count > 2 * probeSample else { return false }
    return builder.outgrows(
      probeBudget * probeSample + 4096,
      with: Array(items.prefix(probeSample))
    )
  }

  /// Replaces `$segment` references by the segments' conditions (segments are acyclic).
  func inline(_ condition: Condition) -> Condition {
    // A condition without references is kept, not copied node by node.
    if !Compiler.refersToSegments(condition) { return condition }
    return switch condition {
    case .and(let parts): .and(parts.map(inline))
    case .or(let parts): .or(parts.map(inline))
    case .nor(let parts): .nor(parts.map(inline))
    case .not(let inner): .not(inline(inner))
    case .segment(let name): segments[ByteString(name)].map(inline) ?? .constant(false)
    case .predicate, .decision, .constant: condition
    }
  }

  /// Whether a condition has a `$segment` reference anywhere in it.
  static func refersToSegments(_ condition: Condition) -> Bool {
    switch condition {
    case .and(let parts), .or(let parts), .nor(let parts): parts.contains(where: refersToSegments)
    case .not(let inner): refersToSegments(inner)
    case .segment: true
    case .predicate, .decision, .constant: false
    }
  }
}
