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
          "segment `\(cycle[0])` refers to itself: " + cycle.map { "`\($0)`" }.joined(separator: " → ")
        )
      )
    }
    // A decision depends on the decisions its rules and gate name, directly or
    // through segments.
    func segmentDecisions(_ name: String, _ seen: inout Set<ByteString>) -> [String] {
      guard seen.insert(ByteString(name)).inserted,
        let segment = document.segments.first(where: { JSONValue.sameBytes($0.name, name) })
      else { return [] }
      let found = CycleCheck.references(in: segment.condition)
      return found.decisions + found.segments.flatMap { segmentDecisions($0, &seen) }
    }
    var decisionEdges: [ByteString: [String]] = [:]
    for decision in document.decisions {
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
          "decision `\(cycle[0])` depends on itself: " + cycle.map { "`\($0)`" }.joined(separator: " → ")
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
  static func cycles(nodes: [String], edges: (String) -> [String]) -> [[String]] {
    var state: [ByteString: Int] = [:]  // 1: on the stack, 2: done
    var stack: [String] = []
    var found: [[String]] = []
    func visit(_ node: String) {
      state[ByteString(node)] = 1
      stack.append(node)
      for next in edges(node) {
        switch state[ByteString(next)] {
        case 1:
          if let start = stack.firstIndex(where: { JSONValue.sameBytes($0, next) }) {
            found.append(Array(stack[start...]) + [next])
          }
        case nil:
          if nodes.contains(where: { JSONValue.sameBytes($0, next) }) { visit(next) }
        default:
          break
        }
      }
      stack.removeLast()
      state[ByteString(node)] = 2
    }
    for node in nodes where state[ByteString(node)] == nil { visit(node) }
    return found
  }
}
