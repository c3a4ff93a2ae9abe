import Testing

@testable import Tailor

@Suite struct GraphRenderingTests {
  static let document = #"""
    {"tailor": 1, "decisions": {"hero": {"variants": {"a": 1, "b": 2, "c": 3}, "default": "a", "rules": [
      {"id": "es", "when": {"country": "ES", "age": {"$gte": 18}}, "serve": "b"},
      {"id": "pt", "when": {"country": {"$in": ["PT", "BR"]}}, "serve": "c"},
      {"id": "fr", "when": {"country": "FR"}, "serve": "b"},
      {"id": "de", "when": {"country": "DE"}, "serve": "c"},
      {"id": "it", "when": {"country": "IT"}, "serve": "b"},
      {"id": "old", "when": {"age": {"$gte": 65}}, "serve": "c"}
    ]}}}
    """#

  @Test func textShowsSwitchCasesAndLeaves() throws {
    let rules = try Rules(json: GraphRenderingTests.document)
    let text = try #require(rules.graph(of: "hero", format: .text))
    #expect(text.contains("switch country"))
    #expect(text.contains(#""PT" → node"#))
    #expect(text.contains("#0 es if {\"age\":{\"$gte\":18}}"))
    #expect(text.contains("interval age"))
    #expect(text.hasPrefix("decision hero (default a)"))
  }

  @Test func dotIsAGraphvizDigraph() throws {
    let rules = try Rules(json: GraphRenderingTests.document)
    let dot = try #require(rules.graph(of: "hero", format: .dot))
    #expect(dot.hasPrefix("digraph \"hero\" {"))
    #expect(dot.hasSuffix("}\n"))
    #expect(dot.contains("label=\"switch country\""))
    #expect(rules.graph(of: "missing") == nil)
  }

  @Test func compiledAnswersMatchTheInterpreterOnTheExample() throws {
    let rules = try Rules(json: GraphRenderingTests.document)
    for profile in [
      #"{"country": "ES", "age": 30}"#, #"{"country": "ES", "age": 10}"#, #"{"country": "BR"}"#,
      #"{"age": 70}"#, #"{"country": ["FR"]}"#, #"{}"#,
    ] {
      let parsed = try Profile(json: profile)
      let compiled = rules.decide("hero", for: parsed)
      let interpreted = rules.interpreter.decide("hero", for: parsed.root, now: 0)
      #expect(compiled == interpreted, "\(profile)")
    }
  }
}
