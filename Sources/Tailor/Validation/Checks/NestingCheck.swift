/// Limits what references between segments and decisions can build:
/// how deep conditions nest through `$segment` and `$decision`
/// (`condition_too_deep`), and how many conditions segment references add to
/// the rules once the compiler inlines them (`expansion_too_large`).
///
/// The parser bounds each condition as written (``ConditionParser/maxDepth``);
/// references stack conditions on top of each other, and a few segments that
/// each refer twice to the one before double at every step. Both measures are
/// computed once per segment and decision, following references with an
/// explicit stack, so a chain as long as the document is checked in linear time.
/// A diagnostic points at the reference where the limit is crossed, not at
/// every condition that depends on it.
struct NestingCheck: ValidationCheck {
  /// The most conditions that segment references may add to a document's rules.
  static let maxExpansion = 1_000_000

  private enum Node: Hashable {
    case segment(ByteString)
    case decision(ByteString)
  }

  private struct Reference {
    var target: Node
    var name: String
    var level: Int
    var pointer: JSONPointer
  }

  // swift-format-ignore: FunctionBodyLength
  // One pass: collect, measure, report; splitting it would pass the tables around.
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    // Through a cycle conditions nest without end: the cycle is the error to fix.
    guard !diagnostics.contains(where: { $0.code == .segmentCycle || $0.code == .decisionCycle })
    else { return }
    let document = input.document
    var order: [Node] = []
    var conditions: [Node: [Condition]] = [:]
    for segment in document.segments {
      let node = Node.segment(ByteString(segment.name))
      if conditions[node] == nil { order.append(node) }
      conditions[node, default: []] = [segment.condition]
    }
    for decision in document.decisions {
      let node = Node.decision(ByteString(decision.name))
      if conditions[node] == nil { order.append(node) }
      conditions[node] = decision.rules.map(\.condition) + (decision.requires.map { [$0] } ?? [])
    }

    // The references each segment and decision makes, in written order.
    var references: [Node: [Reference]] = [:]
    var ruleReferences: [Reference] = []
    for site in input.sites {
      let reference: Reference
      switch site.kind {
      case .segment(let name):
        reference = Reference(
          target: .segment(ByteString(name)),
          name: name,
          level: site.level,
          pointer: site.pointer
        )
      case .decision(let name, _):
        reference = Reference(
          target: .decision(ByteString(name)),
          name: name,
          level: site.level,
          pointer: site.pointer
        )
      default:
        continue
      }
      guard conditions[reference.target] != nil, let owner = NestingCheck.owner(of: site)
      else { continue }
      references[owner, default: []].append(reference)
      if case .decision = owner, case .segment = reference.target {
        ruleReferences.append(reference)
      }
    }

    // Depth through references (segments and decisions), and the expanded size
    // of each segment, in post-order. A node still being visited is part of a
    // cycle (reported by CycleCheck) and counts as nothing. Only what a reference
    // reaches is measured: a document without references measures nothing.
    let cap = NestingCheck.maxExpansion + 1
    var depth: [Node: Int] = [:]
    var size: [Node: Int] = [:]
    var visiting: Set<Node> = []
    var targets: Set<Node> = []
    for outgoing in references.values {
      for reference in outgoing { targets.insert(reference.target) }
    }
    for start in order where targets.contains(start) && depth[start] == nil {
      var stack: [(node: Node, next: Int)] = [(start, 0)]
      visiting.insert(start)
      while let top = stack.last {
        let outgoing = references[top.node] ?? []
        if top.next < outgoing.count {
          stack[stack.count - 1].next += 1
          let target = outgoing[top.next].target
          if depth[target] == nil && visiting.insert(target).inserted { stack.append((target, 0)) }
          continue
        }
        stack.removeLast()
        visiting.remove(top.node)
        let own = conditions[top.node] ?? []
        var nodeDepth = own.map(NestingCheck.depth).max() ?? 0
        var nodeSize = min(own.map(NestingCheck.size).reduce(0, +), cap)
        for reference in outgoing {
          nodeDepth = max(nodeDepth, min(NestingCheck.reach(reference, depth), cap))
          if case .segment = reference.target {
            nodeSize = min(nodeSize + (size[reference.target] ?? 0), cap)
          }
        }
        depth[top.node] = nodeDepth
        size[top.node] = nodeSize
      }
    }

    // Too deep: where a reference to a node within the limit crosses it.
    let limit = ConditionParser.maxDepth
    for node in order {
      for reference in references[node] ?? [] {
        let total = NestingCheck.reach(reference, depth)
        guard total > limit, depth[reference.target] ?? 0 <= limit else { continue }
        let kind = if case .segment = reference.target { "segment" } else { "decision" }
        diagnostics.append(
          Diagnostic(
            .conditionTooDeep,
            at: reference.pointer,
            "conditions nest \(total) levels deep through \(kind) `\(reference.name)`; the limit is \(limit)",
            notes: ConditionParser.depthNotes
          )
        )
      }
    }

    // Too large: the first segment reference from a rule that takes the total past the limit.
    var expansion = 0
    for reference in ruleReferences {
      let added = size[reference.target] ?? 0
      expansion += added
      guard expansion > NestingCheck.maxExpansion else { continue }
      let message =
        added > NestingCheck.maxExpansion
        ? "segment `\(reference.name)` expands to more than \(NestingCheck.maxExpansion) conditions"
        : "segment references expand the rules to more than \(NestingCheck.maxExpansion) conditions"
      diagnostics.append(
        Diagnostic(
          .expansionTooLarge,
          at: reference.pointer,
          message,
          notes: [
            "each `$segment` is replaced by the segment's conditions, so a segment that refers twice to another doubles it"
          ]
        )
      )
      break
    }
  }

  /// How deep conditions nest through a reference.
  ///
  /// A decision is a level of its own: its rules, and the work of choosing among them.
  private static func reach(_ reference: Reference, _ depth: [Node: Int]) -> Int {
    let target = depth[reference.target] ?? 0
    if case .decision = reference.target { return reference.level + 1 + target }
    return reference.level + target
  }

  /// The segment or decision whose condition holds `site`.
  private static func owner(of site: ConditionParser.Site) -> Node? {
    guard let owner = site.owner else { return nil }
    switch owner.section {
    case "segments": return .segment(ByteString(owner.name))
    case "decisions": return .decision(ByteString(owner.name))
    default: return nil
    }
  }

  /// How deeply a condition nests, as the parser counts: each condition and operator object is a level.
  static func depth(_ condition: Condition) -> Int {
    switch condition {
    case .and(let parts), .or(let parts), .nor(let parts): 1 + (parts.map(depth).max() ?? 0)
    case .not(let inner): 1 + depth(inner)
    case .predicate(let predicate): 1 + depth(predicate.test)
    case .segment, .decision, .constant: 1
    }
  }

  static func depth(_ test: ValueTest) -> Int {
    guard case .operators(let operators) = test else { return 0 }
    return 1
      + (operators.map { op in
        switch op {
        case .not(let inner), .size(let inner), .elemMatch(.value(let inner)): depth(inner)
        case .elemMatch(.condition(let inner)): depth(inner)
        case .all(let tests, _): tests.map(depth).max() ?? 0
        default: 0
        }
      }.max() ?? 0)
  }

  /// How many conditions (logical operators, predicates, operators) a condition holds as written.
  static func size(_ condition: Condition) -> Int {
    switch condition {
    case .and(let parts), .or(let parts), .nor(let parts): 1 + parts.map(size).reduce(0, +)
    case .not(let inner): 1 + size(inner)
    case .predicate(let predicate): 1 + size(predicate.test)
    case .segment, .decision, .constant: 1
    }
  }

  static func size(_ test: ValueTest) -> Int {
    guard case .operators(let operators) = test else { return 1 }
    return operators.map { op in
      switch op {
      case .not(let inner), .size(let inner), .elemMatch(.value(let inner)): 1 + size(inner)
      case .elemMatch(.condition(let inner)): 1 + size(inner)
      case .all(let tests, _): 1 + tests.map(size).reduce(0, +)
      default: 1
      }
    }.reduce(0, +)
  }
}
