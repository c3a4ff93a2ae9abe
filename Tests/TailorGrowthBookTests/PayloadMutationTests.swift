import Tailor
import TailorGrowthBook
import TailorTestSupport
import Testing

/// Seeded random damage to the vectors' payloads.
///
/// Loading either succeeds and evaluation answers, or loading throws
/// diagnostics that point at values in the damaged payload. Nothing crashes.
@Suite(.enabled(if: GrowthBookCases.isAvailable, "\(GrowthBookCases.skipMessage)"))
struct PayloadMutationTests {
  static let replacements: [JSONValue] = [
    .null, true, false, 0, -1, 0.5, 1e300, "", "x", "id", [], [:], [1], [0, 1], [[0, 0.5]],
    ["ns", 0, 1], ["$gt": 1], ["value": true], ["a": ["b": [1, "2", nil]]], [-5, 2e9],
  ]

  /// Replaces or deletes one random node below the root.
  static func mutate(
    _ value: JSONValue,
    _ random: inout SeededGenerator,
    depth: Int = 0
  ) -> JSONValue {
    switch value {
    case .object(var object) where !object.isEmpty:
      let key = random.pick(object.keys)
      if depth > 0 && random.chance(0.15) {
        object[key] = nil
      } else if random.chance(0.3) {
        object[key] = random.pick(replacements)
      } else if let child = object[key] {
        object[key] = mutate(child, &random, depth: depth + 1)
      }
      return .object(object)
    case .array(var elements) where !elements.isEmpty:
      let index = random.int(0, elements.count - 1)
      elements[index] =
        random.chance(0.3)
        ? random.pick(replacements) : mutate(elements[index], &random, depth: depth + 1)
      return .array(elements)
    default:
      return random.pick(replacements)
    }
  }

  /// The value at `pointer`, or `nil` when it points at nothing.
  static func resolve(_ pointer: JSONPointer, in root: JSONValue) -> JSONValue? {
    var current = root
    for token in pointer.tokens {
      switch (current, token) {
      case (.object(let object), _):
        guard let next = object[token.text] else { return nil }
        current = next
      case (.array(let elements), .index(let index)) where index < elements.count:
        current = elements[index]
      default:
        return nil
      }
    }
    return current
  }

  @Test func damagedPayloadsLoadAndEvaluateOrReportWhereTheyAreWrong() throws {
    let cases =
      GrowthBookCases.cases("feature") + GrowthBookCases.cases("run")
      + GrowthBookCases.cases("stickyBucket") + GrowthBookCases.cases("contextualBandit")
    try #require(!cases.isEmpty)
    var random = SeededGenerator(seed: 0x6B_7A11)
    var loaded = 0
    var refused = 0
    for testCase in cases {
      for _ in 0..<20 {
        var context = testCase.values[1]
        for _ in 0..<random.int(1, 3) { context = Self.mutate(context, &random) }
        let payload: GrowthBook.Payload
        do {
          payload = try GrowthBook.Payload(context)
        } catch {
          refused += 1
          for diagnostic in error.diagnostics {
            #expect(
              Self.resolve(diagnostic.location.pointer, in: context) != nil,
              "\(testCase): \(diagnostic.rendered()) in \(context.jsonText)"
            )
          }
          continue
        }
        loaded += 1
        let attributes = context.objectValue?["attributes"] ?? .null
        var evaluation = GrowthBook.Context(
          attributes: attributes,
          stickyBucketStore: GrowthBook.InMemoryStickyBucketStore()
        )
        for key in payload.featureKeys {
          _ = payload.evaluateFeature(key, in: &evaluation).json
        }
        guard testCase.section == "run" else { continue }
        let definition =
          random.chance(0.5) ? Self.mutate(testCase.values[2], &random) : testCase.values[2]
        do {
          _ = payload.run(try GrowthBook.Experiment(json: definition), in: &evaluation).json
        } catch {
          for diagnostic in error.diagnostics {
            #expect(
              Self.resolve(diagnostic.location.pointer, in: definition) != nil,
              "\(testCase): \(diagnostic.rendered()) in \(definition.jsonText)"
            )
          }
        }
      }
    }
    // Both outcomes occur, so both paths were exercised.
    #expect(loaded > 100 && refused > 100, "loaded \(loaded), refused \(refused)")
  }
}
