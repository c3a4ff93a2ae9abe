// Times GrowthBook feature evaluation on seeded payloads (GrowthBookWorkload). Usage:
//   growthbook-profile <F>x<R> <iterations>   F features of R rules each, one feature per
//                                             iteration, each for the next of 1,000 users
// MODE=context (default): `evaluateFeature(_:in:)` with a context built per call (the
// attributes are read each time); MODE=prepared: the users prepared beforehand and
// `FeatureEvaluator.outcome(of:for:)` (indices, no allocation); MODE=result: prepared, and
// the full result built (`FeatureEvaluator.evaluate`); MODE=interpret: every condition
// interpreted (INTERPRET=1 too).
import Tailor
import TailorGrowthBook
import TailorTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct UsageError: Error, CustomStringConvertible {
  var description: String { "usage: growthbook-profile <features>x<rules> <iterations>" }
}

let arguments = CommandLine.arguments
let shape = (arguments.count > 1 ? arguments[1] : "200x10").split(separator: "x")
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
guard shape.count == 2, let features = Int(shape[0]), let perFeature = Int(shape[1]), features > 0
else { throw UsageError() }

var workload = GrowthBookWorkload(seed: 42)
let json = workload.payload(features: features, rulesPerFeature: perFeature)
let loading = ContinuousClock().now
let payload = try GrowthBook.Payload(json)
let loaded = ContinuousClock().now - loading
let attributes = workload.attributes(1000)
let keys = (0..<features).map { "feature-\($0)" }
let mode =
  getenv("INTERPRET") != nil ? "interpret" : getenv("MODE").map { String(cString: $0) } ?? "context"
let interpret = mode == "interpret"
let prepared = mode == "prepared" || mode == "result" ? attributes.map(payload.prepare) : []
let ids = keys.compactMap(payload.featureID(named:))
let evaluator = payload.makeFeatureEvaluator()
var defaults = 0
let clock = ContinuousClock()
let start = clock.now
for index in 0..<iterations {
  let source: GrowthBook.FeatureSource
  switch mode {
  case "prepared":
    source = evaluator.outcome(of: ids[index % features], for: prepared[index % 1000]).source
  case "result":
    source = evaluator.evaluate(ids[index % features], for: prepared[index % 1000]).source
  default:
    var context = GrowthBook.Context(attributes: attributes[index % 1000])
    let key = keys[index % features]
    source =
      (interpret
      ? payload._interpretFeature(key, in: &context) : payload.evaluateFeature(key, in: &context))
      .source
  }
  if source == .defaultValue { defaults += 1 }
}
let elapsed = clock.now - start
let nanoseconds =
  Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
let (compiled, interpreted) = payload.compiledConditionCounts
print(
  "growthbook \(features) features × \(perFeature) rules (\(mode)): \(Int(nanoseconds / Double(max(iterations, 1)))) ns per feature; default value: \(defaults * 100 / max(iterations, 1)) %; conditions compiled \(compiled), interpreted \(interpreted); features walked \(payload._walkedFeatureCount); loaded in \(loaded.components.seconds * 1000 + loaded.components.attoseconds / 1_000_000_000_000_000) ms"
)
