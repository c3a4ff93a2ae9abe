import TailorTestSupport
import Testing

@testable import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The compiled evaluator must give exactly the interpreter's answers.
@Suite(.tags(.differential))
struct DifferentialTests {
  /// One disagreement, with everything needed to replay it.
  struct Mismatch: CustomStringConvertible {
    var seed: UInt64
    var document: JSONValue
    var profile: JSONValue
    var decision: String
    var now: Double
    var compiled: String
    var interpreted: String

    var description: String {
      """
      compiled and interpreter disagree (seed \(seed)) on decision `\(decision)` at \(DateTime.format(now))
        document: \(document.jsonText)
        profile:  \(profile.jsonText)
        compiled:    \(compiled)
        interpreter: \(interpreted)
      """
    }
  }

  static func render(_ decision: Decision?) -> String {
    guard let decision else { return "nil" }
    let matches = decision.matches.map { match in
      "\(match.variant)/\(match.rule ?? "-")/\(match.reason.rawValue)/\(match.bucket.map { JavaScript.numberToString($0) } ?? "-")"
    }
    return "\(decision.reason.rawValue) [\(matches.joined(separator: ", "))]"
  }

  /// The document loaded, with every internal check of its compiled form passed
  /// (as `TAILOR_INTERNAL_CHECKS` runs them); each failed check is an issue.
  static func checkedRules(
    _ document: JSONValue,
    strategy: Compiler.Strategy = .automatic
  ) throws -> Rules {
    let rules = try Rules(json: Array(document.jsonText.utf8), strategy: strategy)
    for problem in InternalChecks.problems(rules.compiled) + InternalChecks.problems(rules.flat) {
      Issue.record("internal check: \(problem)")
    }
    return rules
  }

  /// What a run compared.
  ///
  /// Agreement where the profile decided the answer is what holds the compiled
  /// decisions to the interpreter: where every profile gets the answer an empty one
  /// gets, an evaluator that ignored profiles would agree too.
  struct Tally {
    /// Answers compared three ways: compiled from a `Profile`, compiled from the
    /// profile's bytes, and interpreted.
    var comparisons = 0
    /// Of those, answers that differ from the interpreter's answer for an empty profile
    /// at the same instant.
    var decidedByProfile = 0
  }

  /// The first disagreement for one document and its profiles, if any, with the decisions
  /// compiled to graphs and to sieves.
  static func firstMismatch(
    seed: UInt64,
    document: JSONValue,
    profiles: [JSONValue]
  ) throws -> Mismatch? {
    var tally = Tally()
    return try firstMismatch(seed: seed, document: document, profiles: profiles, tally: &tally)
  }

  /// The first disagreement for one document and its profiles, if any, with the decisions
  /// compiled to graphs and to sieves; every comparison made is added to `tally`.
  static func firstMismatch(
    seed: UInt64,
    document: JSONValue,
    profiles: [JSONValue],
    tally: inout Tally
  ) throws -> Mismatch? {
    try firstAcrossStrategies { strategy in
      try firstMismatch(
        seed: seed,
        document: document,
        profiles: profiles,
        strategy: strategy,
        tally: &tally
      )
    }
  }

  /// The first disagreement `find` reports with the decisions compiled to graphs, then to sieves.
  static func firstAcrossStrategies(
    _ find: (Compiler.Strategy) throws -> Mismatch?
  ) rethrows
    -> Mismatch?
  {
    for strategy in [Compiler.Strategy.graph, .sieve] {
      if let found = try find(strategy) { return found }
    }
    return nil
  }

  static func firstMismatch(
    seed: UInt64,
    document: JSONValue,
    profiles: [JSONValue],
    strategy: Compiler.Strategy,
    tally: inout Tally
  ) throws -> Mismatch? {
    let rules = try checkedRules(document, strategy: strategy)
    let evaluator = rules.makeEvaluator()
    // What an empty profile gets, by decision and instant.
    var emptyAnswers: [String: [Decision?]] = [:]
    for name in rules.decisionNames {
      emptyAnswers[name] = RandomDocuments.instants.map { now in
        rules.interpreter.decide(name, for: .object(JSONObject()), now: now)
      }
    }
    for profile in profiles {
      // The byte fast path must read the profile exactly as the JSON reader does.
      let prepared = try rules.prepare(json: Array(profile.jsonText.utf8))
      for (instant, now) in RandomDocuments.instants.enumerated() {
        for name in rules.decisionNames {
          let compiled = evaluator.decide(
            name,
            for: Profile(profile),
            at: Date(timeIntervalSince1970: now)
          )
          let interpreted = rules.interpreter.decide(name, for: profile, now: now)
          let fromBytes = evaluator.decide(
            name,
            for: prepared,
            at: Date(timeIntervalSince1970: now)
          )
          tally.comparisons += 1
          if interpreted != emptyAnswers[name]?[instant] { tally.decidedByProfile += 1 }
          if compiled != interpreted || fromBytes != interpreted {
            return Mismatch(
              seed: seed,
              document: document,
              profile: profile,
              decision: name,
              now: now,
              compiled: "\(strategy): " + render(compiled)
                + (fromBytes == compiled ? "" : " (from bytes: \(render(fromBytes)))"),
              interpreted: render(interpreted)
            )
          }
        }
      }
    }
    return nil
  }

  /// Removes rules, segments and decisions while the disagreement persists.
  static func shrink(_ mismatch: Mismatch) -> Mismatch {
    var current = mismatch
    var changed = true
    while changed {
      changed = false
      guard case .object(let root) = current.document,
        case .object(let decisions)? = root["decisions"]
      else { break }
      for name in decisions.keys {
        guard case .object(let decision)? = decisions[name],
          case .array(let rules)? = decision["rules"]
        else { continue }
        for index in rules.indices.reversed() {
          var fewer = rules
          fewer.remove(at: index)
          var smallerDecision = decision
          smallerDecision["rules"] = .array(fewer)
          var smallerDecisions = decisions
          smallerDecisions[name] = .object(smallerDecision)
          var smallerRoot = root
          smallerRoot["decisions"] = .object(smallerDecisions)
          if let found = try? firstMismatch(
            seed: current.seed,
            document: .object(smallerRoot),
            profiles: [current.profile]
          ) {
            current = found
            changed = true
            break
          }
        }
        if changed { break }
      }
    }
    return current
  }

  @Test(arguments: 0..<8)
  func compiledAgreesWithInterpreter(batch: Int) throws {
    // At least 25,000 comparisons per batch (12,500 answers, each compiled to graphs and
    // to sieves): 200,000 over the eight batches.
    var tally = Tally()
    var offset = 0
    // Documents without decisions add no comparisons: the bound keeps such a generator
    // from looping for ever, and the expectations below then fail.
    while tally.comparisons < 25_000 && offset < 2_000 {
      let seed = UInt64(batch * 100_000 + offset)
      offset += 1
      var generator = RandomDocuments(seed: seed)
      let document = generator.document()
      let profiles = (0..<24).map { _ in generator.profile() }
      do {
        if let mismatch = try DifferentialTests.firstMismatch(
          seed: seed,
          document: document,
          profiles: profiles,
          tally: &tally
        ) {
          Issue.record("\(DifferentialTests.shrink(mismatch))")
          return
        }
      } catch {
        Issue.record("generated document \(seed) did not load: \(error)\n\(document.jsonText)")
        return
      }
    }
    #expect(
      tally.comparisons >= 25_000,
      "only \(tally.comparisons) comparisons in \(offset) documents"
    )
    // Profiles the rules ignore would let an evaluator that ignores them agree. The seeded
    // batches have 18 to 25 % of answers decided by the profile; a tenth leaves room.
    #expect(
      tally.decidedByProfile >= tally.comparisons / 10,
      "only \(tally.decidedByProfile) of \(tally.comparisons) answers differ from an empty profile's"
    )
  }
}

extension DifferentialTests {
  /// The generated documents must exercise every node kind, or agreement proves little.
  @Test func generatedDocumentsExerciseEveryNodeKind() throws {
    var kinds: [String: Int] = [:]
    for seed in 0..<300 {
      var generator = RandomDocuments(seed: UInt64(seed))
      let rules = try Rules(json: generator.document(maxRules: 60).jsonText)
      for decision in rules.compiled.decisions {
        for node in decision.graph.nodes {
          switch node {
          case .leaf: kinds["leaf", default: 0] += 1
          case .firstOf: kinds["firstOf", default: 0] += 1
          case .switchOn: kinds["switch", default: 0] += 1
          case .memberOf: kinds["member", default: 0] += 1
          case .suffix: kinds["suffix", default: 0] += 1
          case .interval(_, let domain, _, let isCut, _, _, _):
            kinds["interval", default: 0] += 1
            if domain == .time { kinds["instant interval", default: 0] += 1 }
            if isCut { kinds["cut interval", default: 0] += 1 }
          case .empty: kinds["empty", default: 0] += 1
          }
        }
      }
    }
    for kind in ["leaf", "firstOf", "switch", "member", "suffix", "interval", "instant interval"] {
      #expect((kinds[kind] ?? 0) > 20, "\(kind): \(kinds)")
    }
  }

  /// The generated documents compiled to sieves file tests under every kind of filter,
  /// so the sieve runs of ``compiledAgreesWithInterpreter(batch:)`` cover each of them.
  @Test func generatedDocumentsExerciseEverySieveFilterKind() throws {
    var kinds: [String: Int] = [:]
    for seed in 0..<100 {
      var generator = RandomDocuments(seed: UInt64(seed))
      let rules = try Rules(
        json: Array(generator.document(maxRules: 60).jsonText.utf8),
        strategy: .sieve
      )
      for decision in rules.compiled.decisions {
        for filter in decision.sieve?.filters ?? [] {
          switch filter.index {
          case .keys: kinds["keys", default: 0] += 1
          case .interval(.number, _, _): kinds["numbers", default: 0] += 1
          case .interval: kinds["instants", default: 0] += 1
          case .suffix: kinds["suffixes", default: 0] += 1
          case .prefix: kinds["prefixes", default: 0] += 1
          case .versions: kinds["versions", default: 0] += 1
          case .strings: kinds["strings", default: 0] += 1
          }
        }
      }
    }
    for kind in ["keys", "numbers", "instants", "suffixes", "prefixes", "versions", "strings"] {
      #expect((kinds[kind] ?? 0) > 20, "\(kind): \(kinds)")
    }
  }

  @Test(arguments: 0..<2)
  func largeDocumentsAgree(batch: Int) throws {
    for offset in 0..<40 {
      let seed = UInt64(10_000_000 + batch * 1000 + offset)
      var generator = RandomDocuments(seed: seed)
      let document = generator.document(maxRules: 80)
      let profiles = (0..<30).map { _ in generator.profile() }
      if let mismatch = try DifferentialTests.firstMismatch(
        seed: seed,
        document: document,
        profiles: profiles
      ) {
        Issue.record("\(DifferentialTests.shrink(mismatch))")
        return
      }
    }
  }
}
