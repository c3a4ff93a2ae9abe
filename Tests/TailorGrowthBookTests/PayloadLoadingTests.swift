import Crypto
import Foundation
import Tailor
import TailorGrowthBook
import Testing
import _CryptoExtras

@Suite struct PayloadLoadingTests {
  /// Encrypts `text` as GrowthBook does: AES-CBC, PKCS #7, `iv.ciphertext` in base64.
  static func encrypt(_ text: String, key: Data) throws -> String {
    let iv = AES._CBC.IV()
    let ciphertext = try AES._CBC.encrypt(Data(text.utf8), using: SymmetricKey(data: key), iv: iv)
    return Data(iv).base64EncodedString() + "." + ciphertext.base64EncodedString()
  }

  static func loadingErrors(_ json: String, key: String? = nil) -> [Diagnostic] {
    do {
      _ = try GrowthBook.Payload(json: json, decryptionKey: key)
      return []
    } catch {
      return error.diagnostics
    }
  }

  @Test func evaluatesAForceRuleWithAConditionAndARollout() throws {
    let payload = try GrowthBook.Payload(
      json: #"""
        {"features": {"checkout": {"defaultValue": "old", "rules": [
          {"id": "es", "condition": {"country": "ES"}, "force": "new"},
          {"id": "none", "force": "never", "coverage": 0}
        ]}}}
        """#
    )
    let spain = payload.evaluateFeature("checkout", attributes: ["id": "u1", "country": "ES"])
    #expect(spain.value == "new" && spain.source == .force && spain.ruleID == "es" && spain.isOn)
    let france = payload.evaluateFeature("checkout", attributes: ["id": "u1", "country": "FR"])
    #expect(france.value == "old" && france.source == .defaultValue && france.ruleID == "")
    let unknown = payload.evaluateFeature("nope", attributes: [:])
    #expect(unknown.value == .null && unknown.source == .unknownFeature && unknown.isOff)
  }

  @Test func reportsEveryProblemWithItsPointer() {
    let diagnostics = Self.loadingErrors(
      #"""
      {"features": {
        "a": {"rules": [{"force": 1, "coverage": "half", "range": [0]}]},
        "b": {"rules": {"force": 1}},
        "c": {"rules": [{"variations": 3, "weights": [0.5, "x"], "namespace": ["ns", 0]}]},
        "d": {"rules": [{"variations": [0, 1], "filters": [{"ranges": [[0, 1]]}]}]}
      }, "savedGroups": {"g": "not a list"}}
      """#
    )
    let found = Set(diagnostics.map { "\($0.code) \($0.location.pointer)" })
    #expect(
      found == [
        "expected_type /features/a/rules/0/coverage",
        "expected_type /features/a/rules/0/range",
        "expected_type /features/b/rules",
        "expected_type /features/c/rules/0/variations",
        "expected_type /features/c/rules/0/weights/1",
        "expected_type /features/c/rules/0/namespace",
        "missing_key /features/d/rules/0/filters/0",
        "expected_type /savedGroups/g",
      ]
    )
  }

  @Test func reportsJSONSyntaxAndANonObjectRoot() {
    #expect(Self.loadingErrors(#"{"features": "#).map(\.code) == [.jsonSyntax])
    let root = Self.loadingErrors("[]")
    #expect(root.map(\.code) == [.expectedType] && root.first?.location.pointer == .root)
  }

  @Test func decryptsEncryptedFeaturesAndSavedGroups() throws {
    let key = Data((0..<16).map { UInt8($0 * 7) })
    let features = try Self.encrypt(
      #"{"f": {"defaultValue": 0, "rules": [{"condition": {"id": {"$inGroup": "vip"}}, "force": 1}]}}"#,
      key: key
    )
    let groups = try Self.encrypt(#"{"vip": ["u1"]}"#, key: key)
    let payload = try GrowthBook.Payload(
      json: #"{"encryptedFeatures": "\#(features)", "encryptedSavedGroups": "\#(groups)"}"#,
      decryptionKey: key.base64EncodedString()
    )
    #expect(payload.evaluateFeature("f", attributes: ["id": "u1"]).value == 1)
    #expect(payload.evaluateFeature("f", attributes: ["id": "u2"]).value == 0)
  }

  @Test func aWrongOrMissingKeyIsAClearError() throws {
    let key = Data(repeating: 1, count: 16)
    let features = try Self.encrypt(#"{"f": {"defaultValue": 1}}"#, key: key)
    let json = #"{"encryptedFeatures": "\#(features)"}"#
    let missing = Self.loadingErrors(json)
    #expect(missing.map(\.code) == [.missingDecryptionKey])
    #expect(missing.first?.location.pointer.description == "/encryptedFeatures")
    // A wrong key fails the padding check (or, rarely, yields text that is not JSON).
    let wrong = Self.loadingErrors(json, key: Data(repeating: 2, count: 16).base64EncodedString())
    #expect(wrong.map(\.code) == [.decryptionFailed])
    let short = Self.loadingErrors(json, key: "AAAA")
    #expect(short.map(\.code) == [.decryptionFailed])
    #expect(short.first?.message.contains("3 bytes") == true)
  }

  @Test func anInlineExperimentNeedsAKeyAndVariations() {
    #expect(throws: TailorError.self) { try GrowthBook.Experiment(json: ["variations": [0, 1]]) }
    do {
      _ = try GrowthBook.Experiment(json: ["key": "k"])
      Issue.record("an experiment without variations loaded")
    } catch {
      #expect(error.diagnostics.map(\.code) == [.missingKey])
    }
  }

  @Test func forcedFeatureValuesOverrideRulesAndUnknownKeys() throws {
    let payload = try GrowthBook.Payload(
      json: #"{"features": {"f": {"defaultValue": 1, "rules": [{"force": 2}]}}}"#
    )
    var context = GrowthBook.Context(attributes: [:], forcedFeatures: ["f": 3, "g": "x"])
    let forced = payload.evaluateFeature("f", in: &context)
    #expect(forced.value == 3 && forced.source == .override && forced.ruleID == "")
    #expect(payload.evaluateFeature("g", in: &context).source == .override)
    #expect(payload.evaluateFeature("f", attributes: [:]).source == .force)
  }

  @Test func problemsInsideAnEncryptedSectionPointIntoItsDecryptedJSON() throws {
    let key = Data(repeating: 9, count: 32)
    let features = try Self.encrypt(#"{"checkout": {"rules": [{"coverage": "x"}]}}"#, key: key)
    let diagnostics = Self.loadingErrors(
      #"{"encryptedFeatures": "\#(features)"}"#,
      key: key.base64EncodedString()
    )
    #expect(
      diagnostics.map { "\($0.code) \($0.location.pointer)" } == [
        "expected_type /encryptedFeatures/checkout/rules/0/coverage"
      ]
    )
  }

  @Test func prerequisiteCyclesEndTheWalk() throws {
    let payload = try GrowthBook.Payload(
      json: #"""
        {"features": {
          "a": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "b", "condition": {"value": 1}}], "force": 2}]},
          "b": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "a", "condition": {"value": 2}}], "force": 3}]}
        }}
        """#
    )
    let result = payload.evaluateFeature("a", attributes: [:])
    #expect(result.source == .cyclicPrerequisite && result.value == .null)
  }

  @Test func aVeryLongPrerequisiteChainEndsWithoutExhaustingTheStack() throws {
    func feature(_ index: Int, parent: Int?) -> String {
      guard let parent else { return #""f\#(index)": {"defaultValue": 1}"# }
      return #"""
        "f\#(index)": {"defaultValue": 1, "rules": [{"parentConditions": [{"id": "f\#(parent)",
          "condition": {"value": 1}, "gate": true}]}]}
        """#
    }
    let chain = (0..<1_000).map { feature($0, parent: $0 == 0 ? nil : $0 - 1) }
    let payload = try GrowthBook.Payload(
      json: #"{"features": {"# + chain.joined(separator: ",") + "}}"
    )
    #expect(payload.evaluateFeature("f999", attributes: [:]).source == .cyclicPrerequisite)
    #expect(payload.evaluateFeature("f10", attributes: [:]).value == 1)
  }

  @Test func stickyBucketsAreSavedAndReused() throws {
    let payload = try GrowthBook.Payload(
      json: #"""
        {"features": {"f": {"defaultValue": "off", "rules": [{"key": "exp", "hashVersion": 2,
          "variations": ["a", "b"], "meta": [{"key": "a"}, {"key": "b"}]}]}}}
        """#
    )
    let store = GrowthBook.InMemoryStickyBucketStore()
    var first = GrowthBook.Context(attributes: ["id": "u1"], stickyBucketStore: store)
    let assigned = payload.evaluateFeature("f", in: &first)
    let saved = try #require(store.document(attributeName: "id", attributeValue: "u1"))
    let key = try #require(assigned.experimentResult?.key)
    #expect(saved.assignments == ["exp__0": key])
    #expect(assigned.experimentResult?.isStickyBucketUsed == false)
    // The other variation, stored, wins over hashing on the next request.
    let other = key == "a" ? "b" : "a"
    store.save(
      GrowthBook.StickyBucketDocument(
        attributeName: "id",
        attributeValue: "u1",
        assignments: ["exp__0": other]
      )
    )
    var second = GrowthBook.Context(attributes: ["id": "u1"], stickyBucketStore: store)
    let sticky = payload.evaluateFeature("f", in: &second)
    #expect(sticky.value == .string(other) && sticky.experimentResult?.isStickyBucketUsed == true)
  }
}
