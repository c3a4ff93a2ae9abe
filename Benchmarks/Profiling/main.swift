// A plain loop over one workload, for perf and callgrind (which cannot attach
// to the benchmark runner's child processes). Usage:
//   tailor-profile <case> <iterations>   case: 4-clauses | <N>-rules | parse | serve
//   tailor-profile campaign-<N>-rules <iterations>   the narrow-campaign workload, first match
//   tailor-profile load-campaign-<N> [<runs>]        its load time and peak memory (LOAD_ONLY=1: no analyses)
//   tailor-profile stages-[campaign-]<N> [<runs>]    each loading stage and check, without compiling
//   tailor-profile campaign-stats-<N> [<profiles>]   its properties (default 50,000 profiles)
//   tailor-profile emit-campaign <N> <lines> <dir>   rules.json and requests.jsonl for bench-serve
//   tailor-profile stale-id                          must trap: a decision id used with other rules
@_spi(Benchmarks) import Tailor
import TailorServer
import TailorTestSupport

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The benchmarks' documents always define the decisions they time.
struct MissingDecision: Error { let name: String }

/// The id of decision `name` in `rules`.
func decisionID(_ name: String, in rules: Rules) throws -> DecisionID {
  guard let id = rules.decisionID(named: name) else { throw MissingDecision(name: name) }
  return id
}

let arguments = CommandLine.arguments
let name = arguments.count > 1 ? arguments[1] : "4-clauses"
let iterations = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
/// 2026-07-01T00:00:00Z, the instant every case decides at.
let seconds: Double = 1_782_864_000
let now = Date(timeIntervalSince1970: seconds)
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
  let prepared = rules.prepare(profile)
  let hero = try decisionID("hero", in: rules)
  for _ in 0..<iterations {
    sink &+= evaluator.outcome(of: hero, for: prepared, at: now).variant ?? 0
  }
} else if name.hasPrefix("load-"), let count = Int(name.dropFirst(5)) {
  var workload = Workload(seed: 42)
  let bytes = Array(workload.document(rules: count).jsonText.utf8)
  print("document: \(bytes.count) bytes")
  let clock = ContinuousClock()
  for _ in 0..<max(iterations, 1) {
    var start = clock.now
    var rules = try Rules(json: bytes, analyze: false)
    print("read + validate + compile \(count) rules: \(clock.now - start)")
    start = clock.now
    rules = try Rules(json: bytes)
    print(
      "the same with the warning analyses: \(clock.now - start), \(rules.warnings.count) warnings"
    )
  }
} else if name.hasPrefix("load-campaign-"), let count = Int(name.dropFirst(14)) {
  var bytes: [UInt8] = []
  do {
    var workload = CampaignWorkload(seed: 42)
    bytes = Array(workload.document(rules: count).jsonText.utf8)
  }
  print(
    "document: \(bytes.count) bytes; peak RSS before loading \(format(peakResidentMiB(), 1)) MiB"
  )
  let clock = ContinuousClock()
  for _ in 0..<max(arguments.count > 2 ? iterations : 1, 1) {
    // Each load is timed alone: freeing one is not part of the next.
    do {
      let start = clock.now
      let rules = try Rules(json: bytes, analyze: false)
      let elapsed = clock.now - start
      print(
        "read + validate + compile \(count) campaign rules: \(elapsed); peak RSS \(format(peakResidentMiB(), 1)) MiB, \(rules.decisionNames.count) decision"
      )
    }
    // `LOAD_ONLY=1` skips the load with analyses (for profiling the plain load alone).
    if getenv("LOAD_ONLY") == nil {
      let start = clock.now
      let rules = try Rules(json: bytes)
      let elapsed = clock.now - start
      print(
        "the same with the warning analyses: \(elapsed), \(rules.warnings.count) warnings; peak RSS \(format(peakResidentMiB(), 1)) MiB"
      )
    }
  }
} else if name.hasPrefix("stages-"),
  let count = Int(name.dropFirst(name.hasPrefix("stages-campaign-") ? 16 : 7))
{
  // `stages-<N>` for the broad workload, `stages-campaign-<N>` for the narrow one.
  var bytes: [UInt8] = []
  if name.hasPrefix("stages-campaign-") {
    var workload = CampaignWorkload(seed: 42)
    bytes = Array(workload.document(rules: count).jsonText.utf8)
  } else {
    var workload = Workload(seed: 42)
    bytes = Array(workload.document(rules: count).jsonText.utf8)
  }
  for _ in 0..<max(arguments.count > 2 ? iterations : 1, 1) {
    let (stages, diagnostics) = _LoadStages.time(bytes)
    let total = stages.reduce(Duration.zero) { $0 + $1.1 }
    // A digest of every diagnostic as rendered, notes included, to compare versions.
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    for diagnostic in diagnostics {
      for byte in (diagnostic.rendered(showingCode: true) + diagnostic.notes.joined()).utf8 {
        digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3
      }
    }
    print("\(count) rules, \(diagnostics.count) diagnostics (digest \(digest)), total \(total)")
    for (stage, duration) in stages { print("  \(stage): \(duration)") }
  }
} else if name.hasPrefix("campaign-stats-"), let count = Int(name.dropFirst(15)) {
  try printCampaignStatistics(
    rules: count,
    profiles: arguments.count > 2 ? iterations : 50_000,
    now: now
  )
} else if name == "emit-campaign", arguments.count > 4, let count = Int(arguments[2]),
  let lines = Int(arguments[3])
{
  try emitCampaign(rules: count, lines: lines, directory: arguments[4])
} else if name == "emit-workload", arguments.count > 4, let count = Int(arguments[2]),
  let lines = Int(arguments[3])
{
  try emitWorkload(rules: count, lines: lines, directory: arguments[4])
} else if name == "ratio" {
  // Compiled versus interpreter at 1k rules on the same profiles; CI requires ≥ 20×.
  var workload = Workload(seed: 42)
  let document = workload.document(rules: 1000)
  let rules = try Rules(json: document.jsonText)
  let profiles = workload.profiles(1000, for: document)
  let prepared = profiles.map { rules.prepare(Profile($0)) }
  let evaluator = rules.makeEvaluator()
  let offers = try decisionID("offers", in: rules)
  let clock = ContinuousClock()
  func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
  }
  var compiled = Double.infinity
  var interpreted = Double.infinity
  for _ in 0..<3 {
    let start = clock.now
    for index in 0..<200_000 {
      sink &+= evaluator.outcome(of: offers, for: prepared[index % 1000], at: now).variant ?? 0
    }
    compiled = min(compiled, nanoseconds(clock.now - start) / 200_000)
    let middle = clock.now
    for index in 0..<5_000 {
      sink &+=
        rules.interpretedDecision("offers", for: profiles[index % 1000], now: seconds)?.matches
        .count
        ?? 0
    }
    interpreted = min(interpreted, nanoseconds(clock.now - middle) / 5_000)
  }
  let ratio = interpreted / compiled
  print(
    "1k rules: compiled \(Int(compiled)) ns, interpreter \(Int(interpreted)) ns per decision: \(Int(ratio))× faster"
  )
  if ratio < 20 {
    print(
      "error: the compiled evaluator must be at least 20× faster than the interpreter at 1k rules"
    )
    exit(1)
  }
} else if name == "stale-id" {
  // A decision id cached before a reload, used with a document of fewer decisions,
  // must stop the process in this release build too: scripts/bench-ci.sh checks it does.
  let old = try Rules(
    json: #"""
      {"tailor": 1, "decisions": {"a": {"variants": {"x": 1}, "default": "x"},
        "b": {"variants": {"x": 1, "y": 2}, "default": "y"}}}
      """#
  )
  let id = try decisionID("b", in: old)
  let new = try Rules(
    json: #"{"tailor": 1, "decisions": {"a": {"variants": {"x": 1}, "default": "x"}}}"#
  )
  let prepared = new.prepare(try Profile(json: "{}"))
  sink &+= new.makeEvaluator().outcome(of: id, for: prepared, at: now).variant ?? 0
  print("error: an id from other rules answered (\(sink))")
  exit(1)
} else if name.hasPrefix("interp-"), let count = Int(name.dropFirst(7)) {
  var workload = Workload(seed: 42)
  let document = workload.document(rules: count)
  let rules = try Rules(json: document.jsonText)
  let profiles = workload.profiles(1000, for: document)
  let clock = ContinuousClock()
  let start = clock.now
  for index in 0..<iterations {
    sink &+=
      rules.interpretedDecision("offers", for: profiles[index % 1000], now: seconds)?.matches.count
      ?? 0
  }
  print("interpreter \(count) rules: \(clock.now - start) for \(iterations)")
} else if name == "prepare" {
  var workload = Workload(seed: 7)
  let rules = try Rules(json: workload.document(rules: 1000).jsonText)
  let lines = (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) }
  print("average line: \(lines.map(\.count).reduce(0, +) / lines.count) bytes")
  let clock = ContinuousClock()
  let start = clock.now
  for index in 0..<iterations {
    sink &+= (try? rules.prepare(json: lines[index % 1000])) == nil ? 0 : 1
  }
  print("prepare: \(clock.now - start) for \(iterations)")
} else if name == "serve" {
  // The server's per-line path without I/O: the lines of the Serve benchmark.
  var workload = Workload(seed: 42)
  let document = workload.document(rules: 1000)
  let handler = RequestHandler(
    rules: ServedRules(try Rules(json: document.jsonText), file: nil),
    maxDepth: 64
  )
  let scratch = RequestScratch()
  let lines = workload.profiles(1000, for: document).enumerated().map { index, profile in
    Array(
      #"{"id":\#(index),"profile":\#(profile.jsonText),"decisions":["offers"],"now":"2026-07-01T00:00:00Z"}"#
        .utf8
    )
  }
  var output: [UInt8] = []
  output.reserveCapacity(1 << 20)
  let clock = ContinuousClock()
  let start = clock.now
  for index in 0..<iterations {
    output.removeAll(keepingCapacity: true)
    _ = lines[index % 1000].withUnsafeBufferPointer {
      handler.respond(to: $0, lineNumber: index + 1, into: &output, scratch: scratch)
    }
    sink &+= output.count
  }
  print("serve: \(clock.now - start) for \(iterations) lines")
} else if name == "parse" {
  var workload = Workload(seed: 7)
  let lines = (0..<1000).map { _ in Array(workload.profile().jsonText.utf8) }
  for index in 0..<iterations {
    sink &+= (try? Profile(json: lines[index % 1000])) == nil ? 0 : 1
  }
} else if name.hasSuffix("-rules"),
  let count = Int(name.dropLast(6).dropFirst(name.hasPrefix("campaign-") ? 9 : 0))
{
  // `campaign-<N>-rules` times the narrow-campaign workload with the same loop.
  let document: JSONValue
  let generated: [JSONValue]
  if name.hasPrefix("campaign-") {
    var workload = CampaignWorkload(seed: 42)
    document = workload.document(rules: count)
    generated = workload.profiles(1000, for: document)
  } else {
    var workload = Workload(seed: 42)
    document = workload.document(rules: count)
    generated = workload.profiles(1000, for: document)
  }
  // No analyses: their thread would make the instruction counts of CI's gates vary from
  // run to run (by thousands per decision for 10,000 rules), and they do not change what
  // is compiled.
  let rules = try Rules(json: Array(document.jsonText.utf8), analyze: false)
  let profiles = generated.map { rules.prepare(Profile($0)) }
  let evaluator = rules.makeEvaluator()
  var defaults = 0
  let offers = try decisionID("offers", in: rules)
  let clock = ContinuousClock()
  let start = clock.now
  for index in 0..<iterations {
    let outcome = evaluator.outcome(of: offers, for: profiles[index % 1000], at: now)
    if outcome.reason == .default { defaults += 1 }
  }
  let elapsed = clock.now - start
  let nanoseconds =
    Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
  print(
    "\(name.hasPrefix("campaign-") ? "campaign " : "")\(count) rules: \(Int(nanoseconds / Double(max(iterations, 1)))) ns per decision; fell through to the default: \(defaults * 100 / max(iterations, 1)) %"
  )
}
print(sink)
