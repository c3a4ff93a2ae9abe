import Tailor
import TailorGrowthBook
import TailorTestSupport
import Testing

/// The compiled path (`evaluateFeature`: conditions decided by a rules document)
/// against the interpreter (`_interpretFeature`) on seeded random payloads and
/// attribute sets: the same result, byte for byte, for every feature.
///
/// Conditions come from the adversarial generator of rules documents (every
/// operator, nested logic, Tailor's own operators, which GrowthBook evaluates as
/// unknown, invalid patterns) plus constructs only GrowthBook accepts, so both
/// compiled and interpreted conditions occur; rules are force rules, rollouts and
/// experiments, some with prerequisites on earlier features.
@Suite struct CompiledPayloadDifferentialTests {
  /// Conditions a rules document refuses or reads differently; GrowthBook evaluates them leniently.
  static let lenient: [JSONValue] = [
    ["name": ["$regex": "(?i)ann"]], ["email": ["$regex": "["]], ["age": ["$foo": 1]],
    ["id": ["$inGroup": "missing"]], ["id": ["$notInGroup": "missing"]],
    ["tier": ["$type": "String"]], ["name": ["$startsWith": "a"]], ["$segment": "eu"],
    ["tags": ["$elemMatch": ["$regex": "\\A"]]], ["id": ["$inGroup": "beta"]],
    ["id": ["$inGroup": "objects"]],
  ]

  static func payload(_ documents: inout RandomDocuments) -> JSONValue {
    var features: [(String, JSONValue)] = []
    for index in 0..<5 {
      var rules: [JSONValue] = []
      for ruleIndex in 0..<documents.random.int(0, 6) {
        var rule = JSONObject([("id", .string("r\(ruleIndex)"))])
        if documents.random.chance(0.8) {
          rule["condition"] =
            documents.random.chance(0.2)
            ? documents.random.pick(lenient) : documents.condition()
        }
        if index > 0 && documents.random.chance(0.2) {
          rule["parentConditions"] = [
            [
              "id": .string("f\(documents.random.int(0, index - 1))"),
              "condition": ["value": documents.random.chance(0.5) ? ["$exists": true] : "a"],
              "gate": .bool(documents.random.chance(0.3)),
            ]
          ]
        }
        switch documents.random.int(0, 2) {
        case 0:
          rule["force"] = documents.random.pick(["a", "b", 1, true, .null])
        case 1:
          rule["force"] = "rolled"
          rule["coverage"] = documents.random.pick([0, 0.3, 0.7, 1])
        default:
          rule["variations"] = ["x", "y"]
          rule["key"] = .string("e\(index)-\(ruleIndex)")
          rule["coverage"] = documents.random.pick([0.5, 1])
        }
        rules.append(.object(rule))
      }
      features.append(
        ("f\(index)", ["defaultValue": "default", "rules": .array(rules)])
      )
    }
    return [
      "features": .object(JSONObject(features)),
      "savedGroups": [
        "beta": ["u-1", "u-2", "u-3", 1], "staff": ["u-10", "ES"], "objects": [["a": 1], "u-4"],
      ],
    ]
  }

  @Test(.tags(.differential)) func compiledAgreesWithInterpreter() throws {
    var compiled = 0
    var interpreted = 0
    var compared = 0
    var failures: [String] = []
    for seed in 0..<150 {
      var documents = RandomDocuments(seed: UInt64(seed))
      let json = Self.payload(&documents)
      let payload = try GrowthBook.Payload(json)
      compiled += payload.compiledConditionCounts.compiled
      interpreted += payload.compiledConditionCounts.interpreted
      for _ in 0..<20 {
        let attributes = documents.profile()
        // All features at once share one reading of the attributes (as the server does).
        var shared = GrowthBook.Context(attributes: attributes)
        let together = payload.evaluateFeatures(payload.featureKeys, in: &shared).map(\.json)
        for (key, jointly) in zip(payload.featureKeys, together) {
          var fast = GrowthBook.Context(attributes: attributes)
          var slow = GrowthBook.Context(attributes: attributes)
          let actual = payload.evaluateFeature(key, in: &fast).json
          let expected = payload._interpretFeature(key, in: &slow).json
          compared += 1
          if (actual != expected || jointly != expected) && failures.count < 10 {
            failures.append(
              "seed \(seed) feature \(key) attributes \(attributes.jsonText): compiled "
                + "\(actual.jsonText), together \(jointly.jsonText), interpreted "
                + "\(expected.jsonText)\npayload \(json.jsonText)"
            )
          }
        }
      }
    }
    print(
      "compiled \(compiled) conditions, interpreted \(interpreted), \(compared) results compared"
    )
    #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    #expect(compiled > 1500)
    #expect(interpreted > 100)
  }
}

extension Tag {
  @Tag static var differential: Self
}
