import Testing

@testable import Tailor

@Suite("Condition fingerprints")
struct ConditionFingerprintTests {
  /// Parses one field of a rule's `when` in a rules document.
  static func condition(_ json: String) throws -> Condition {
    var parser = ConditionParser(mode: .tailor)
    let condition = parser.parseCondition(try JSONReader().read(Array(json.utf8)).value, at: .root)
    #expect(parser.diagnostics.isEmpty, "\(json)")
    return condition
  }

  /// Pairs of conditions that are equal although written differently: a negative zero,
  /// and canonically equivalent strings where operands compare as strings, not bytes.
  static let equalPairs = [
    (#"{"age": {"$lt": 0}}"#, #"{"age": {"$lt": -0}}"#),
    (#"{"n": {"$in": [0, 1]}}"#, #"{"n": {"$in": [-0, 1]}}"#),
    (#"{"email": {"$endsWith": "caf\u00e9"}}"#, #"{"email": {"$endsWith": "cafe\u0301"}}"#),
  ]

  @Test("equal conditions have equal fingerprints, and their predicates hash alike")
  func equalConditions() throws {
    for (first, second) in Self.equalPairs {
      let (a, b) = (try Self.condition(first), try Self.condition(second))
      #expect(a == b, "\(first) and \(second)")
      #expect(a.fingerprint == b.fingerprint, "\(first) and \(second)")
      #expect(FingerprintedCondition(a) == FingerprintedCondition(b))
      if case .predicate(let left) = a, case .predicate(let right) = b {
        #expect(left.hashValue == right.hashValue, "\(first) and \(second)")
      }
    }
  }

  @Test("conditions that differ are told apart")
  func differentConditions() throws {
    let written = [
      #"{"age": {"$lt": 18}}"#, #"{"age": {"$lte": 18}}"#, #"{"age": {"$lt": 19}}"#,
      #"{"agf": {"$lt": 18}}"#, #"{"country": "ES"}"#, #"{"country": {"$in": ["ES"]}}"#,
      #"{"country": {"$in": ["ES", "PT"]}}"#, #"{"country": {"$in": ["PT", "ES"]}}"#,
      #"{"email": {"$endsWith": "@a.com"}}"#, #"{"email": {"$endsWith": "@b.com"}}"#,
      #"{"v": {"$vgte": "1.2"}}"#, #"{"v": {"$vlt": "1.2"}}"#, #"{"x": {"$exists": true}}"#,
    ]
    let conditions = try written.map(Self.condition)
    #expect(Set(conditions.map(FingerprintedCondition.init)).count == written.count)
    #expect(Set(conditions).count == written.count)
  }
}
