import FuzzSupport
@_spi(Benchmarks) import Tailor

// Arbitrary bytes as a condition and a profile: the first line is the
// condition's JSON, the rest the profile's JSON (`{}` when it does not parse).
//
// Invariants (any violation traps):
// - `GrowthBook.evaluateCondition` answers for every condition and profile;
// - when a rules document that uses the condition in several places (a rule,
//   a segment, under `$and` with a switch anchor, under `$nor`, as a `requires`
//   gate) loads, the compiled evaluator, the byte fast path and the reference
//   interpreter give the same decisions;
// - when it loads and the condition uses none of Tailor's extensions, each
//   decision is what GrowthBook's own evaluation of the same conditions says.

let groups: [String: [JSONValue]] = ["g": ["a", 1, true, .null]]

/// Operators that GrowthBook does not have; conditions using them are compared
/// only between Tailor's two evaluators.
let extensions = ["$segment", "$decision", "$startsWith", "$endsWith", "$contains", "$before", "$after"]
  .map { Array($0.utf8) }

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
  guard needle.count <= haystack.count else { return false }
  for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
    return true
  }
  return false
}

func document(_ condition: [UInt8]) -> [UInt8] {
  let c = String(decoding: condition, as: UTF8.self)
  return Array(
    """
    {"tailor": 1, "groups": {"g": ["a", 1, true, null]}, "segments": {"s": \(c)},
     "decisions": {
      "d": {"variants": {"yes": 1, "no": 0}, "default": "no", "rules": [{"id": "r", "when": \(c), "serve": "yes"}]},
      "e": {"mode": "all", "variants": {"a": 1, "b": 2, "c": 3, "n": 0}, "default": "n", "rules": [
        {"id": "seg", "when": {"$segment": "s"}, "serve": "a"},
        {"id": "and", "when": {"$and": [{"country": "ES"}, \(c)]}, "serve": "b"},
        {"id": "nor", "when": {"$nor": [\(c)]}, "serve": "c"}]},
      "f": {"variants": {"p": 1, "q": 2}, "default": "q", "requires": \(c), "rules": [
        {"id": "x", "when": {"age": {"$gte": 18}}, "serve": "p"},
        {"id": "y", "when": {"$decision": {"d": "yes"}}, "serve": "q"}]}}}
    """.utf8
  )
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = bytes(data, size)
  let newline = input.firstIndex(of: UInt8(ascii: "\n")) ?? input.count
  let conditionBytes = Array(input[..<newline])
  let profileBytes = newline < input.count ? Array(input[(newline + 1)...]) : Array("{}".utf8)
  guard let condition = try? JSONReader.parse(conditionBytes) else { return 0 }
  let parsedProfile = try? Profile(json: profileBytes)
  let profile = parsedProfile ?? Profile(.object(JSONObject()))

  func growthBook(_ condition: JSONValue) -> Bool {
    GrowthBook.evaluateCondition(condition, attributes: profile.root, savedGroups: groups)
  }
  let holds = growthBook(condition)

  guard let rules = try? Rules(json: document(conditionBytes)) else { return 0 }
  requireAgreement(rules, profile, profileBytes: parsedProfile == nil ? nil : profileBytes)

  guard !extensions.contains(where: { contains(conditionBytes, $0) }) else { return 0 }
  let now = instants[0]
  let d = rules.interpretedDecision("d", for: profile.root, now: now)
  require(d?.variant == (holds ? "yes" : "no"), "GrowthBook says \(holds), Tailor says \(render(d))")
  let andHolds = growthBook(["$and": [["country": "ES"], condition]])
  let norHolds = growthBook(["$nor": [condition]])
  var expected: [String] = []
  if holds { expected.append("a") }
  if andHolds { expected.append("b") }
  if norHolds { expected.append("c") }
  if expected.isEmpty { expected = ["n"] }
  let e = rules.interpretedDecision("e", for: profile.root, now: now)
  require(
    e?.matches.map(\.variant) == expected,
    "GrowthBook expects \(expected) (and: \(andHolds), nor: \(norHolds)), Tailor says \(render(e))"
  )
  let f = rules.interpretedDecision("f", for: profile.root, now: now)
  let adult = growthBook(["age": ["$gte": 18]])
  // The gate holds exactly when the condition does; then `x` serves `p` to adults, else `y` serves `q`
  // (decision `d` serves `yes`, as the condition holds).
  let expectedF = holds ? (adult ? ("p", "match") : ("q", "match")) : ("q", "prerequisite_failed")
  require(
    f?.variant == expectedF.0 && f?.reason.rawValue == expectedF.1,
    "GrowthBook expects \(expectedF), Tailor says \(render(f))"
  )
  return 0
}

@main enum Main {
  static func main() { runFuzzer { data, size in fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) } }
}
