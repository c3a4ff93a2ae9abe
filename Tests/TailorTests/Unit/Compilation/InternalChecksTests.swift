import Testing

@testable import Tailor

/// The internal checks must find a broken graph, or a clean run of them proves nothing.
struct InternalChecksTests {
  static func candidate(_ rule: Int32) -> DecisionGraph.Candidate {
    DecisionGraph.Candidate(rule: rule, program: .constant(true))
  }

  @Test func aWellFormedGraphPasses() {
    let graph = DecisionGraph(
      nodes: [.leaf(range: 0..<1), .leaf(range: 1..<2), .firstOf(children: [0, 1])],
      minimumRule: [0, 1, 0],
      candidates: [Self.candidate(0), Self.candidate(1)],
      root: 2
    )
    #expect(InternalChecks.problems(graph, rules: 2, table: PredicateTable()) == [])
  }

  @Test func brokenGraphsAreReported() {
    // Children out of order, a leaf whose rules descend, an interval with too few regions.
    var table = PredicateTable()
    let slot = table.slot(for: AttributePath("age"))
    let graph = DecisionGraph(
      nodes: [
        .leaf(range: 0..<1), .leaf(range: 1..<3), .firstOf(children: [1, 0]),
        .interval(
          slot: slot,
          domain: .number,
          thresholds: [2, 1],
          isCut: false,
          children: [0],
          null: 0,
          fallback: 7
        ),
      ],
      minimumRule: [0, 2, 0, 0],
      candidates: [Self.candidate(0), Self.candidate(2), Self.candidate(1)],
      root: 2
    )
    let problems = InternalChecks.problems(graph, rules: 3, table: table)
    #expect(problems.contains { $0.contains("not sorted") })
    #expect(problems.contains { $0.contains("do not ascend at 1") })
    #expect(problems.contains { $0.contains("thresholds do not ascend") })
    #expect(problems.contains { $0.contains("1 regions, expected 5") })
    #expect(problems.contains { $0.contains("fallback 7 is not a node") })
  }

  @Test func compiledDocumentsPassTheFlatChecks() throws {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {"hero": {"variants": {"a": 1, "b": 2}, "default": "a", "rules": [
          {"id": "r1", "serve": "b", "when": {"country": "ES", "age": {"$gte": 18}}},
          {"id": "r2", "serve": "b", "when": {"email": {"$endsWith": "@corp.com"}}},
          {"id": "r3", "serve": "b", "when": {"tags": {"$in": ["x", "y"]}}}]}}}
        """#
    )
    #expect(InternalChecks.problems(rules.compiled) == [])
    #expect(InternalChecks.problems(rules.flat) == [])
  }
}
