// A plain loop over one workload, for perf and callgrind (which cannot attach
// to the benchmark runner's child processes). Usage:
//   tailor-profile <case> <iterations>   case: 4-clauses | <N>-rules | parse
import Tailor
import TailorTestSupport

let arguments = CommandLine.arguments
let name = arguments.count > 1 ? arguments[1] : "4-clauses"
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
let now = DateTime.parse("2026-07-01T00:00:00Z") ?? 0
var sink = 0

if name == "4-clauses" {
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
  let evaluator = rules.makeEvaluator()
  for _ in 0..<iterations {
    sink &+= evaluator.decide("hero", for: profile, at: now)?.matches.count ?? 0
  }
} else if name == "parse" {
  var workload = Workload(seed: 7)
  let lines = (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) }
  for index in 0..<iterations {
    sink &+= (try? Profile(json: lines[index % 1000])) == nil ? 0 : 1
  }
} else if name.hasSuffix("-rules"), let count = Int(name.dropLast(6)) {
  var workload = Workload(seed: 42)
  let document = workload.document(rules: count)
  let rules = try Rules(json: document.jsonText)
  let profiles = workload.profiles(1000, for: document).map(Profile.init)
  let evaluator = rules.makeEvaluator()
  var defaults = 0
  for index in 0..<iterations {
    let decision = evaluator.decide("offers", for: profiles[index % 1000], at: now)
    if decision?.reason == .default { defaults += 1 }
  }
  print("fell through to the default: \(defaults * 100 / max(iterations, 1)) %")
}
print(sink)
