import Benchmark
import Tailor
import TailorGrowthBook
import TailorTestSupport

/// A seeded GrowthBook payload (``GrowthBookWorkload``: force rules, rollouts and
/// experiments with the broad workload's conditions) and 1,000 users, prepared.
struct GrowthBookInput {
  let payload: GrowthBook.Payload
  let attributes: [JSONValue]
  let prepared: [GrowthBook.PreparedAttributes]
  let features: [GrowthBook.FeatureID]
  let keys: [String]
  let evaluator: GrowthBook.FeatureEvaluator

  init(features count: Int, rulesPerFeature: Int, seed: UInt64 = 42) throws {
    var workload = GrowthBookWorkload(seed: seed)
    payload = try GrowthBook.Payload(
      workload.payload(features: count, rulesPerFeature: rulesPerFeature)
    )
    attributes = workload.attributes(1000)
    prepared = attributes.map(payload.prepare)
    keys = payload.featureKeys
    features = keys.compactMap(payload.featureID(named:))
    guard features.count == count else { throw BenchmarkSetupError() }
    evaluator = payload.makeFeatureEvaluator()
  }
}

func registerGrowthBookBenchmarks() {
  // One feature per iteration, each for the next of 1,000 users (so no two
  // consecutive features share a user's conditions), thousands per timed sample.
  // On CI, where only allocations are counted, one per sample: a single allocation
  // in a thousand features would not show in a count scaled per feature.
  let perSample = Benchmark.Configuration(scalingFactor: isCI ? .one : .kilo)
  let shapes = [(200, 10), (20, 100), (1, 2000)]

  for (features, rules) in shapes {
    // Indices only: the users prepared beforehand, no value built.
    Benchmark("GrowthBook:\(features)x\(rules)-outcome", configuration: perSample) {
      (benchmark: Benchmark, input: GrowthBookInput) in
      let evaluator = input.evaluator
      var user = 0
      var feature = 0
      for _ in benchmark.scaledIterations {
        blackHole(evaluator.outcome(of: input.features[feature], for: input.prepared[user]))
        user = user == input.prepared.count - 1 ? 0 : user + 1
        feature = feature == input.features.count - 1 ? 0 : feature + 1
      }
    } setup: {
      try GrowthBookInput(features: features, rulesPerFeature: rules)
    }
  }

  for (features, rules) in [(200, 10), (1, 2000)] {
    // The full result (value, source, rule id, experiment result) for prepared users.
    Benchmark("GrowthBook:\(features)x\(rules)-result", configuration: perSample) {
      (benchmark: Benchmark, input: GrowthBookInput) in
      let evaluator = input.evaluator
      var user = 0
      var feature = 0
      for _ in benchmark.scaledIterations {
        blackHole(evaluator.evaluate(input.features[feature], for: input.prepared[user]))
        user = user == input.prepared.count - 1 ? 0 : user + 1
        feature = feature == input.features.count - 1 ? 0 : feature + 1
      }
    } setup: {
      try GrowthBookInput(features: features, rulesPerFeature: rules)
    }

    // `evaluateFeature(_:in:)` with a context per call: the attributes are read each time.
    Benchmark("GrowthBook:\(features)x\(rules)-context", configuration: perSample) {
      (benchmark: Benchmark, input: GrowthBookInput) in
      var user = 0
      var feature = 0
      for _ in benchmark.scaledIterations {
        var context = GrowthBook.Context(attributes: input.attributes[user])
        blackHole(input.payload.evaluateFeature(input.keys[feature], in: &context))
        user = user == input.attributes.count - 1 ? 0 : user + 1
        feature = feature == input.keys.count - 1 ? 0 : feature + 1
      }
    } setup: {
      try GrowthBookInput(features: features, rulesPerFeature: rules)
    }
  }
}
