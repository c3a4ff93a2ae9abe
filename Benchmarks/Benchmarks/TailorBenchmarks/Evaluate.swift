import Benchmark
@_spi(Benchmarks) import Tailor
import TailorTestSupport

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One realistic single-decision document per rule count, with profiles.
struct EvaluationInput {
  let rules: Rules
  let profiles: [Profile]
  let prepared: [PreparedProfile]
  let offers: DecisionID
  let evaluator: Evaluator

  init(rules count: Int, seed: UInt64 = 42) throws {
    var workload = Workload(seed: seed)
    let document = workload.document(rules: count)
    try self.init(document: document, profiles: workload.profiles(1000, for: document))
  }

  /// The narrow-campaign workload: per-rule thresholds, dates and domains, each
  /// rule matching about 0.1/N to 2/N of the profiles, 60 % of them matching none.
  init(campaign count: Int, seed: UInt64 = 42) throws {
    var workload = CampaignWorkload(seed: seed)
    let document = workload.document(rules: count)
    try self.init(document: document, profiles: workload.profiles(1000, for: document))
  }

  init(document: JSONValue, profiles generated: [JSONValue]) throws {
    let rules = try Rules(json: document.jsonText)
    self.rules = rules
    profiles = generated.map(Profile.init)
    prepared = profiles.map { rules.prepare($0) }
    guard let offers = rules.decisionID(named: "offers") else { throw BenchmarkSetupError() }
    self.offers = offers
    evaluator = rules.makeEvaluator()
  }
}

struct BenchmarkSetupError: Error {}

/// 2026-07-01T00:00:00Z, the instant every evaluation benchmark decides at.
let seconds: Double = 1_782_864_000
let now = Date(timeIntervalSince1970: seconds)

func registerEvaluateBenchmarks() {
  // The issue's single-decision case: four clauses on a 10-attribute profile.
  // Thousands of decisions per timed sample, so clock reads do not dominate.
  let perSample = Benchmark.Configuration(scalingFactor: .kilo)

  Benchmark("Evaluate:4-clauses-compiled", configuration: perSample) {
    (benchmark: Benchmark, input: (Evaluator, DecisionID, PreparedProfile)) in
    for _ in benchmark.scaledIterations {
      blackHole(input.0.outcome(of: input.1, for: input.2, at: now))
    }
  } setup: {
    let rules = try Rules(
      json: #"""
        {"tailor": 1, "decisions": {"hero": {"variants": {"standard": 1, "vip": 2}, "default": "standard",
          "rules": [{"id": "vip", "serve": "vip", "when": {"country": {"$in": ["ES", "PT", "FR"]}, "tier": "gold",
            "age": {"$gte": 18}, "email": {"$regex": "@(corp|example)\\.com$"}}}]}}}
        """#
    )
    let profile = try Profile(
      json: #"""
        {"userId": "u-1", "country": "ES", "language": "es", "device": "web", "tier": "gold", "age": 34,
         "ltv": 120.5, "tags": ["sports"], "appVersion": "4.2.0", "email": "ann@corp.com"}
        """#
    )
    guard let hero = rules.decisionID(named: "hero") else { throw BenchmarkSetupError() }
    return (rules.makeEvaluator(), hero, rules.prepare(profile))
  }

  for count in [10, 1000, 10_000, 100_000] {
    Benchmark("Evaluate:\(count)-rules-compiled", configuration: perSample) {
      (benchmark: Benchmark, input: EvaluationInput) in
      let evaluator = input.evaluator
      var index = 0
      for _ in benchmark.scaledIterations {
        blackHole(evaluator.outcome(of: input.offers, for: input.prepared[index], at: now))
        index = index == input.prepared.count - 1 ? 0 : index + 1
      }
    } setup: {
      try EvaluationInput(rules: count)
    }
    if count <= 10_000 {
      Benchmark("Evaluate:\(count)-rules-interpreter") {
        (benchmark: Benchmark, input: EvaluationInput) in
        var index = 0
        for _ in benchmark.scaledIterations {
          blackHole(
            input.rules.interpretedDecision("offers", for: input.profiles[index].root, now: seconds)
          )
          index = index == input.profiles.count - 1 ? 0 : index + 1
        }
      } setup: {
        try EvaluationInput(rules: count)
      }
    }
  }

  // The same loop on narrow campaign rules. 100,000 rules take about half a
  // minute to load, so that case is left out on CI.
  for count in isCI ? [10, 1000, 10_000] : [10, 1000, 10_000, 100_000] {
    Benchmark("Evaluate:campaign-\(count)-rules-compiled", configuration: perSample) {
      (benchmark: Benchmark, input: EvaluationInput) in
      let evaluator = input.evaluator
      var index = 0
      for _ in benchmark.scaledIterations {
        blackHole(evaluator.outcome(of: input.offers, for: input.prepared[index], at: now))
        index = index == input.prepared.count - 1 ? 0 : index + 1
      }
    } setup: {
      try EvaluationInput(campaign: count)
    }
  }

  Benchmark("Evaluate:1000-rules-decision-value", configuration: perSample) {
    (benchmark: Benchmark, input: EvaluationInput) in
    let evaluator = input.evaluator
    var index = 0
    for _ in benchmark.scaledIterations {
      blackHole(evaluator.decide("offers", for: input.prepared[index], at: now))
      index = index == input.prepared.count - 1 ? 0 : index + 1
    }
  } setup: {
    try EvaluationInput(rules: 1000)
  }
}
