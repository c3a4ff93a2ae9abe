import TailorTestSupport
import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The compiled evaluator must give the interpreter's answers on narrow campaign rules too.
///
/// Profiles are the workload's population, where most match no rule, plus profiles
/// put on the edges of a random rule: values equal to its thresholds, dates equal to its
/// instants, versions equal to its bounds, or one step to either side.
@Suite(.tags(.differential))
struct CampaignDifferentialTests {
  static let now = DateTime.parse("2026-07-01T00:00:00Z") ?? 0

  /// The first disagreement among `profiles` on decision `offers`, if any.
  static func firstMismatch(
    seed: UInt64,
    document: JSONValue,
    profiles: [JSONValue]
  ) throws -> DifferentialTests.Mismatch? {
    try DifferentialTests.firstAcrossStrategies { strategy in
      try firstMismatch(seed: seed, document: document, profiles: profiles, strategy: strategy)
    }
  }

  static func firstMismatch(
    seed: UInt64,
    document: JSONValue,
    profiles: [JSONValue],
    strategy: Compiler.Strategy
  ) throws -> DifferentialTests.Mismatch? {
    let rules = try DifferentialTests.checkedRules(document, strategy: strategy)
    let evaluator = rules.makeEvaluator()
    for profile in profiles {
      let prepared = try rules.prepare(json: Array(profile.jsonText.utf8))
      let compiled = evaluator.decide(
        "offers",
        for: Profile(profile),
        at: Date(timeIntervalSince1970: now)
      )
      let interpreted = rules.interpreter.decide("offers", for: profile, now: now)
      let fromBytes = evaluator.decide(
        "offers",
        for: prepared,
        at: Date(timeIntervalSince1970: now)
      )
      if compiled != interpreted || fromBytes != interpreted {
        return DifferentialTests.Mismatch(
          seed: seed,
          document: document,
          profile: profile,
          decision: "offers",
          now: now,
          compiled: "\(strategy): " + DifferentialTests.render(compiled)
            + (fromBytes == compiled
              ? "" : " (from bytes: \(DifferentialTests.render(fromBytes)))"),
          interpreted: DifferentialTests.render(interpreted)
        )
      }
    }
    return nil
  }

  @Test(arguments: [(300, "first"), (300, "all"), (3000, "first"), (3000, "all")])
  func compiledAgreesWithInterpreter(rules count: Int, mode: String) throws {
    let seed = UInt64(count) * 10 + (mode == "all" ? 1 : 0)
    var workload = CampaignWorkload(seed: seed)
    let document = workload.document(rules: count, mode: mode)
    let rules =
      document.objectValue?["decisions"]?.objectValue?["offers"]?.objectValue?["rules"]?
      .arrayValue ?? []
    try #require(rules.count == count)
    // In a debug build the interpreter reads 3,000 rules in about 10 ms per profile.
    let sample = count >= 3000 ? 60 : 800
    var profiles = workload.profiles(sample, for: document)
    var random = SeededGenerator(seed: seed)
    for _ in 0..<sample {
      let when = random.pick(rules).objectValue?["when"]?.objectValue ?? JSONObject()
      profiles.append(Self.onEdges(of: when, from: workload.profile(), random: &random))
    }
    if let mismatch = try Self.firstMismatch(seed: seed, document: document, profiles: profiles) {
      Issue.record("\(DifferentialTests.shrink(mismatch))")
    }
  }

  /// `profile` changed so that each clause of `when` is met at one of its bounds,
  /// missed by one step at it, or has its attribute removed.
  static func onEdges(
    of when: JSONObject,
    from profile: JSONValue,
    random: inout SeededGenerator
  ) -> JSONValue {
    guard var object = profile.objectValue else { return profile }
    for (attribute, test) in when.pairs {
      guard let operators = test.objectValue else { continue }
      let roll = random.unit()
      if roll >= 0.92 {
        object = JSONObject(object.pairs.filter { $0.0 != attribute })
        continue
      }
      let inside = roll < 0.6
      // One bound of a range: the value at it stays inside the other.
      let tests = operators.pairs.filter { $0.0 != "$exists" }
      guard !tests.isEmpty else { continue }
      let (name, operand) = random.pick(tests)
      switch (name, operand) {
      case ("$in", .array(let list)) where !list.isEmpty:
        if attribute == "tags" {
          var tags = object["tags"]?.arrayValue ?? []
          if inside { tags.append(random.pick(list)) }
          object["tags"] = .array(tags)
        } else if inside {
          object[attribute] = random.pick(list)
        }
      case ("$gte", .number(let bound)):
        object[attribute] = .number(inside ? bound : bound - step(attribute))
      case ("$lt", .number(let bound)):
        object[attribute] = .number(inside ? bound - step(attribute) : bound)
      case ("$after", .string(let text)):
        let instant = DateTime.parse(text) ?? 0
        object[attribute] = .string(DateTime.format(inside ? instant + 1 : instant))
      case ("$before", .string(let text)):
        let instant = DateTime.parse(text) ?? 0
        object[attribute] = .string(DateTime.format(inside ? instant - 1 : instant))
      case ("$vgte", .string(let version)):
        object[attribute] = .string(inside ? version : below(version))
      case ("$vlt", .string(let version)):
        object[attribute] = .string(inside ? below(version) : version)
      case ("$endsWith", .string(let suffix)):
        object[attribute] = .string("edge" + suffix + (inside ? "" : ".x"))
      case ("$regex", .string(let pattern)):
        // Patterns are `@(a\.com|b\.io)$`: one of the domains, or one with a longer name.
        let domains = pattern.dropFirst(2).dropLast(2).split(separator: "|").map {
          $0.split(separator: "\\", omittingEmptySubsequences: false).joined()
        }
        if !domains.isEmpty {
          object[attribute] = .string((inside ? "edge@" : "edge@x") + random.pick(domains))
        }
      default:
        break
      }
    }
    return .object(object)
  }

  /// The version just below `version` (`M.m.p`).
  static func below(_ version: String) -> String {
    let parts = version.split(separator: ".").map { Int($0) ?? 0 }
    guard parts.count == 3 else { return "0" }
    if parts[2] > 0 { return "\(parts[0]).\(parts[1]).\(parts[2] - 1)" }
    if parts[1] > 0 { return "\(parts[0]).\(parts[1] - 1).99" }
    return "\(parts[0] - 1).99.99"
  }

  /// The smallest step of an attribute's values: whole years, cents.
  static func step(_ attribute: String) -> Double { attribute == "age" ? 1 : 0.01 }
}
