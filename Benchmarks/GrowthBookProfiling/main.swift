// Times GrowthBook feature evaluation on seeded payloads (GrowthBookWorkload). Usage:
//   growthbook-profile <F>x<R> <iterations>   F features of R rules each, one feature per
//                                             iteration (INTERPRET=1: every condition interpreted)
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
let payload = try GrowthBook.Payload(
  workload.payload(features: features, rulesPerFeature: perFeature)
)
let attributes = workload.attributes(1000)
let keys = (0..<features).map { "feature-\($0)" }
let interpret = getenv("INTERPRET") != nil
var defaults = 0
let clock = ContinuousClock()
let start = clock.now
for index in 0..<iterations {
  var context = GrowthBook.Context(attributes: attributes[index % 1000])
  let key = keys[index % features]
  let result =
    interpret
    ? payload._interpretFeature(key, in: &context) : payload.evaluateFeature(key, in: &context)
  if result.source == .defaultValue { defaults += 1 }
}
let elapsed = clock.now - start
let nanoseconds =
  Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
let (compiled, interpreted) = payload.compiledConditionCounts
print(
  "growthbook \(features) features × \(perFeature) rules\(interpret ? " (interpreted)" : ""): \(Int(nanoseconds / Double(max(iterations, 1)))) ns per feature; default value: \(defaults * 100 / max(iterations, 1)) %; conditions compiled \(compiled), interpreted \(interpreted)"
)
