extension Rules {
  /// How ``graph(of:format:)`` draws a compiled decision.
  package enum GraphFormat: String, Sendable, CaseIterable {
    /// Graphviz DOT, for `dot -Tsvg`.
    case dot
    /// Indented text.
    case text
  }

  /// The compiled graph of a decision, drawn for people: switch nodes with their
  /// cases, interval nodes with their thresholds, and leaves listing the rules they scan.
  ///
  /// A sieved decision is summarised: its filters, the rules each constrains and the
  /// words of bits it reads per profile.
  ///
  /// - Returns: the drawing, or `nil` when there is no decision `name`.
  package func graph(of name: String, format: GraphFormat = .dot) -> String? {
    guard let index = flat.index(ofDecision: name) else { return nil }
    let decision = compiled.decisions[index]
    if let sieve = decision.sieve {
      let lines = sieve.summary(paths: compiled.table.paths.map(\.text))
      if format == .text { return lines.joined(separator: "\n") + "\n" }
      let label = JavaScript.stringify(.string(lines.joined(separator: "\n")))
      return "digraph \(JavaScript.stringify(.string(decision.name))) {\n"
        + "  node [shape=box, fontname=\"Helvetica\"];\n  sieve [label=\(label)];\n}\n"
    }
    var renderer = GraphRenderer(decision: decision, table: compiled.table)
    return format == .dot ? renderer.dot() : renderer.text()
  }
}

/// Draws one ``DecisionGraph``.
struct GraphRenderer {
  let decision: CompiledDecision
  let table: PredicateTable
  var graph: DecisionGraph { decision.graph }

  /// Key names of each slot, by key id.
  private var keyNames: [[String]] {
    table.keyIDs.map { keys in
      var names = [String](repeating: "", count: keys.count)
      for (key, id) in keys { names[Int(id)] = key.value }
      return names
    }
  }

  private func path(_ slot: Int32) -> String { table.paths[Int(slot)].text }

  private func ruleLine(_ candidate: DecisionGraph.Candidate) -> String {
    let rule = decision.rules[Int(candidate.rule)]
    let condition = describe(candidate.program)
    return "#\(candidate.rule) \(rule.id)" + (condition == "true" ? "" : " if \(condition)")
  }

  /// A program written back as condition JSON (predicates by their text).
  func describe(_ program: Program) -> String {
    switch program {
    case .and(let parts): parts.map(describe).joined(separator: " and ")
    case .or(let parts): "any(" + parts.map(describe).joined(separator: ", ") + ")"
    case .nor(let parts): "none(" + parts.map(describe).joined(separator: ", ") + ")"
    case .not(let inner): "not(" + describe(inner) + ")"
    case .predicate(let index):
      Condition.predicate(
        Predicate(
          path: table.paths[Int(table.predicates[Int(index)].slot)],
          test: table.predicates[Int(index)].test
        )
      ).json.jsonText
    case .decision(let index, let variant): "$decision(\(index)=\(variant))"
    case .constant(let value): value ? "true" : "false"
    }
  }

  func labels(_ node: Int32) -> (title: String, edges: [(String, Int32)]) {
    switch graph.nodes[Int(node)] {
    case .empty:
      return ("no rule", [])
    case .leaf(let range):
      let lines = range.map { ruleLine(graph.candidates[Int($0)]) }
      return ("scan: " + lines.joined(separator: "; "), [])
    case .firstOf(let children):
      return ("first of", children.enumerated().map { ("group \($0.offset + 1)", $0.element) })
    case .switchOn(let slot, let cases, let fallback):
      let names = keyNames[Int(slot)]
      var edges = cases.sorted { $0.key < $1.key }.map {
        (JavaScript.stringify(.string(names[Int($0.key)])), $0.value)
      }
      edges.append(("not a string", fallback))
      return ("switch \(path(slot))", edges)
    case .memberOf(let slot, let cases, let fallback):
      let names = keyNames[Int(slot)]
      var edges = cases.sorted { $0.key < $1.key }.map {
        ("has " + JavaScript.stringify(.string(names[Int($0.key)])), $0.value)
      }
      edges.append(("other array", fallback))
      return ("member switch \(path(slot)) (a string or each element of an array)", edges)
    case .suffix(let slot, let cases):
      let edges = cases.map {
        (
          "ends with " + JavaScript.stringify(.string(String(decoding: $0.suffix, as: UTF8.self))),
          $0.child
        )
      }
      return ("suffix switch \(path(slot))", edges)
    case .interval(
      let slot,
      let domain,
      let thresholds,
      let isCut,
      let children,
      let null,
      let fallback
    ):
      func text(_ value: Double) -> String {
        domain == .time ? DateTime.format(value) : JavaScript.numberToString(value)
      }
      var edges: [(String, Int32)] = []
      for (index, child) in children.enumerated() {
        let label: String
        if isCut {
          if index == 0 {
            label = "< \(text(thresholds[0]))"
          } else if index == thresholds.count {
            label = ">= \(text(thresholds[index - 1]))"
          } else {
            label = "[\(text(thresholds[index - 1])), \(text(thresholds[index])))"
          }
        } else {
          let position = index / 2
          if index % 2 == 1 {
            label = "= \(text(thresholds[position]))"
          } else if position == 0 {
            label = "< \(text(thresholds[0]))"
          } else if position == thresholds.count {
            label = "> \(text(thresholds[position - 1]))"
          } else {
            label = "(\(text(thresholds[position - 1])), \(text(thresholds[position])))"
          }
        }
        edges.append((label, child))
      }
      edges.append(("missing", null))
      edges.append((domain == .time ? "not a date-time" : "not a number", fallback))
      let kind = domain == .time ? "instant" : "number"
      return ("interval \(path(slot)) (\(kind)\(isCut ? ", \(children.count) cells" : ""))", edges)
    }
  }

  mutating func text() -> String {
    var output = "decision \(decision.name)"
    if let fallback = decision.defaultVariant {
      output += " (default \(decision.variants[Int(fallback)].key))"
    }
    output += "\n"
    var printed: Set<Int32> = []
    func visit(_ node: Int32, _ indent: String, _ edge: String) {
      let (title, edges) = labels(node)
      let prefix = indent + (edge.isEmpty ? "" : edge + " → ")
      if printed.contains(node), !edges.isEmpty {
        output += prefix + "(shared) node \(node)\n"
        return
      }
      printed.insert(node)
      output += prefix + "node \(node): " + title + "\n"
      for (label, child) in edges { visit(child, indent + "  ", label) }
    }
    visit(graph.root, "", "")
    return output
  }

  mutating func dot() -> String {
    var output =
      "digraph \(JavaScript.stringify(.string(decision.name))) {\n  node [shape=box, fontname=\"Helvetica\"];\n"
    var seen: Set<Int32> = []
    var queue: [Int32] = [graph.root]
    while let node = queue.popLast() {
      guard seen.insert(node).inserted else { continue }
      let (title, edges) = labels(node)
      output += "  n\(node) [label=\(JavaScript.stringify(.string(title)))];\n"
      for (label, child) in edges {
        output += "  n\(node) -> n\(child) [label=\(JavaScript.stringify(.string(label)))];\n"
        queue.append(child)
      }
    }
    return output + "}\n"
  }
}
