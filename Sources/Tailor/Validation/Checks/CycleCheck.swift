/// Reports segments that refer to themselves through other segments, and
/// decisions whose prerequisites lead back to themselves.
struct CycleCheck: ValidationCheck {
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    let document = input.document
    var segmentEdges: [ByteString: [String]] = [:]
    for segment in document.segments {
      segmentEdges[ByteString(segment.name)] = CycleCheck.references(in: segment.condition).segments
    }
    for cycle in CycleCheck.cycles(
      nodes: document.segments.map(\.name),
      edges: { segmentEdges[ByteString($0)] ?? [] }
    ) {
      diagnostics.append(
        Diagnostic(
          .segmentCycle,
          at: JSONPointer.root.appending(key: "segments").appending(key: cycle[0]),
          "segment `\(cycle[0])` refers to itself: "
            + cycle.map { "`\($0)`" }.joined(separator: " → ")
        )
      )
    }
    // A decision depends on the decisions its rules and gate name, directly or
    // through segments (depth first, in written order, without recursion: a
    // chain of segments can be as long as the document).
    var segmentConditions: [ByteString: Condition] = [:]
    for segment in document.segments where segmentConditions[ByteString(segment.name)] == nil {
      segmentConditions[ByteString(segment.name)] = segment.condition
    }
    func segmentDecisions(_ name: String, _ seen: inout Set<ByteString>) -> [String] {
      var decisions: [String] = []
      var pending = [name]
      while let next = pending.popLast() {
        guard seen.insert(ByteString(next)).inserted,
          let condition = segmentConditions[ByteString(next)]
        else { continue }
        let found = CycleCheck.references(in: condition)
        decisions += found.decisions
        pending.append(contentsOf: found.segments.reversed())
      }
      return decisions
    }
    // Only decisions whose conditions hold a reference can have edges: the parser
    // records a site for every `$segment` and `$decision` it reads.
    var referencing: Set<ByteString> = []
    for site in input.sites {
      switch site.kind {
      case .segment, .decision:
        if let owner = site.owner, owner.section == "decisions" {
          referencing.insert(ByteString(owner.name))
        }
      default: continue
      }
    }
    var decisionEdges: [ByteString: [String]] = [:]
    for decision in document.decisions where referencing.contains(ByteString(decision.name)) {
      var conditions = decision.rules.map(\.condition)
      if let requires = decision.requires { conditions.append(requires) }
      var targets: [String] = []
      var seen: Set<ByteString> = []
      for condition in conditions {
        let found = CycleCheck.references(in: condition)
        targets += found.decisions
        for segment in found.segments { targets += segmentDecisions(segment, &seen) }
      }
      decisionEdges[ByteString(decision.name)] = targets
    }
    for cycle in CycleCheck.cycles(
      nodes: document.decisions.map(\.name),
      edges: { decisionEdges[ByteString($0)] ?? [] }
    ) {
      diagnostics.append(
        Diagnostic(
          .decisionCycle,
          at: JSONPointer.root.appending(key: "decisions").appending(key: cycle[0]),
          key: true,
          "decision `\(cycle[0])` depends on itself: "
            + cycle.map { "`\($0)`" }.joined(separator: " → ")
        )
      )
    }
  }

  /// The segment and decision names a condition refers to.
  static func references(in condition: Condition) -> (segments: [String], decisions: [String]) {
    var segments: [String] = []
    var decisions: [String] = []
    func visit(_ condition: Condition) {
      switch condition {
      case .and(let parts), .or(let parts), .nor(let parts): parts.forEach(visit)
      case .not(let inner): visit(inner)
      case .segment(let name): segments.append(name)
      case .decision(let name, _): decisions.append(name)
      case .predicate(let predicate): visit(predicate.test)
      case .constant: break
      }
    }
    func visit(_ test: ValueTest) {
      guard case .operators(let operators) = test else { return }
      for op in operators {
        switch op {
        case .elemMatch(.condition(let inner)): visit(inner)
        case .elemMatch(.value(let inner)), .not(let inner), .size(let inner): visit(inner)
        case .all(let tests, _): tests.forEach(visit)
        default: break
        }
      }
    }
    visit(condition)
    return (segments, decisions)
  }

  /// Each elementary cycle found by depth-first search, reported once, starting at
  /// its first node in written order and ending where it started.
  ///
  /// The search keeps its own stack, so a chain of references as long as the
  /// document needs no deeper call stack than a short one.
  static func cycles(nodes: [String], edges: (String) -> [String]) -> [[String]] {
    let known = Set(nodes.map(ByteString.init))
    var done: Set<ByteString> = []
    // The nodes being visited, in order, with their edges and the next edge to follow.
    var path: [(node: String, edges: [String], next: Int)] = []
    var onPath: [ByteString: Int] = [:]
    var found: [[String]] = []
    func enter(_ node: String) {
      onPath[ByteString(node)] = path.count
      path.append((node, edges(node), 0))
    }
    for start in nodes where !done.contains(ByteString(start)) && onPath[ByteString(start)] == nil {
      enter(start)
      while let top = path.last {
        guard top.next < top.edges.count else {
          path.removeLast()
          onPath[ByteString(top.node)] = nil
          done.insert(ByteString(top.node))
          continue
        }
        path[path.count - 1].next += 1
        let next = top.edges[top.next]
        let key = ByteString(next)
        if let start = onPath[key] {
          found.append(path[start...].map(\.node) + [next])
        } else if !done.contains(key) && known.contains(key) {
          enter(next)
        }
      }
    }
    return found
  }
}
