// The narrow-campaign workload's own checks and files: its statistics
// (`campaign-stats-<N>`), and a rules document with request lines for
// `scripts/bench-serve.sh` (`emit-campaign`).
import Tailor
import TailorTestSupport

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The process's peak resident set so far, in MiB (Linux reports `ru_maxrss` in KiB).
func peakResidentMiB() -> Double {
  var usage = rusage()
  #if canImport(Glibc)
  getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
  return Double(usage.ru_maxrss) / 1024
  #else
  return 0
  #endif
}

/// The rules of decision `offers` in a generated document.
func offersRules(_ document: JSONValue) -> [JSONValue] {
  document.objectValue?["decisions"]?.objectValue?["offers"]?.objectValue?["rules"]?.arrayValue
    ?? []
}

/// The same rules, each serving one variant with no rollout or split, in a
/// `mode: "all"` decision without a default: its matches are exactly the rules whose `when` holds.
func everyMatchDocument(_ document: JSONValue) -> JSONValue {
  let rules = offersRules(document).map { rule -> JSONValue in
    var plain = JSONObject()
    plain["id"] = rule.objectValue?["id"] ?? .null
    plain["when"] = rule.objectValue?["when"] ?? .object(JSONObject())
    plain["serve"] = "v"
    return .object(plain)
  }
  var decision = JSONObject()
  decision["variants"] = .object(JSONObject([("v", 1)]))
  decision["mode"] = "all"
  decision["limit"] = .number(Double(max(rules.count, 1)))
  decision["rules"] = .array(rules)
  return .object(
    JSONObject([("tailor", 1), ("decisions", .object(JSONObject([("offers", .object(decision))])))])
  )
}

/// The share of rules whose `when` uses each operator, and the mean number of clauses.
func operatorUsage(_ rules: [JSONValue]) -> (clauses: Double, shares: [(String, Double)]) {
  var counts: [String: Int] = [:]
  var clauses = 0
  for rule in rules {
    guard let when = rule.objectValue?["when"]?.objectValue else { continue }
    clauses += when.count
    var used: Set<String> = []
    for (attribute, test) in when.pairs {
      if let operators = test.objectValue {
        for key in operators.keys { used.insert(attribute == "tags" ? "$in (tags)" : key) }
      } else {
        used.insert("equality")
      }
    }
    for key in used { counts[key, default: 0] += 1 }
  }
  let total = Double(max(rules.count, 1))
  return (
    Double(clauses) / total,
    counts.sorted { $0.value > $1.value }.map { ($0.key, Double($0.value) / total) }
  )
}

/// Prints the workload's properties at `count` rules over `profileCount` profiles:
/// the share of profiles matching no rule, how many rules a first-match scan reads,
/// and each rule's measured match rate beside the rate the generator computed.
func printCampaignStatistics(rules count: Int, profiles profileCount: Int, now: Date) throws {
  var workload = CampaignWorkload(seed: 42)
  let document = workload.document(rules: count)
  let predicted = workload.selectivities
  let text = document.jsonText
  let rules = try Rules(json: text)
  let everyMatch = try Rules(json: everyMatchDocument(document).jsonText)
  let profiles = workload.profiles(profileCount, for: document)
  let bytes = profiles.reduce(0) { $0 + $1.jsonText.utf8.count }
  let usage = operatorUsage(offersRules(document))
  print(
    "campaign workload, \(count) rules (\(text.utf8.count / 1024) KiB), \(profileCount) profiles of \(bytes / profileCount) bytes on average"
  )
  print(
    "clauses per rule: \(format(usage.clauses, 2)); rules using each operator: "
      + usage.shares.map { "\($0.0) \(format($0.1 * 100, 1)) %" }.joined(separator: ", ")
  )
  let range = CampaignWorkload.selectivityRange(rules: count)
  print(
    "target share per rule: log-uniform in [\(format(range.lowerBound * Double(count), 3)), \(format(range.upperBound * Double(count), 3))] / N; computed shares in that range: \(format(Double(predicted.filter { range.contains($0) }.count) * 100 / Double(max(count, 1)), 1)) %"
  )

  // First match, as served (rollouts and splits included).
  let evaluator = rules.makeEvaluator()
  guard let offers = rules.decisionID(named: "offers") else {
    throw MissingDecision(name: "offers")
  }
  var defaults = 0
  var read = 0
  // Every rule whose `when` holds.
  let matcher = everyMatch.makeEvaluator()
  guard let every = everyMatch.decisionID(named: "offers") else {
    throw MissingDecision(name: "offers")
  }
  var index: [String: Int] = [:]
  for (position, rule) in offersRules(document).enumerated() {
    if let id = rule.objectValue?["id"]?.stringValue { index[id] = position }
  }
  var hits = [Int](repeating: 0, count: count)
  var matchingNone = 0
  var matchesPerProfile = 0
  var firstHolding = 0
  for profile in profiles {
    let outcome = evaluator.outcome(of: offers, for: rules.prepare(Profile(profile)), at: now)
    if let rule = outcome.rule { read += rule + 1 } else { read += count }
    if outcome.reason == .default { defaults += 1 }
    let decision = matcher.decide(every, for: everyMatch.prepare(Profile(profile)), at: now)
    let matched = decision.matches.compactMap { $0.rule.flatMap { index[$0] } }
    if matched.isEmpty { matchingNone += 1 }
    matchesPerProfile += matched.count
    firstHolding += matched.first.map { $0 + 1 } ?? count
    for rule in matched { hits[rule] += 1 }
  }
  let n = Double(profileCount)
  let expectedNone = profiles.isEmpty ? 0 : predicted.reduce(1) { $0 * (1 - $1) }
  print(
    "profiles matching no rule: \(format(Double(matchingNone) * 100 / n, 1)) % (\(format(expectedNone * 100, 1)) % if rules were independent); rules matching a profile: \(format(Double(matchesPerProfile) / n, 3)) on average (computed: \(format(predicted.reduce(0, +), 3)))"
  )
  print(
    "first match as served (rollouts, splits): default for \(format(Double(defaults) * 100 / n, 1)) %; a naive scan reads \(format(Double(read) / n, 1)) rules = \(format(Double(read) / n / Double(max(count, 1)), 3)) N per decision (\(format(Double(firstHolding) / n / Double(max(count, 1)), 3)) N to the first rule whose when holds)"
  )

  // Per-rule rates, in units of 1/N, measured and computed.
  let scale = Double(count) / n
  let measured = hits.map { Double($0) * scale }
  print(
    "match rate per rule × N: measured \(quantiles(measured)); computed \(quantiles(predicted.map { $0 * Double(count) }))"
  )
  print(
    "rules that matched no profile: \(format(Double(hits.filter { $0 == 0 }.count) * 100 / Double(max(count, 1)), 1)) % (expected \(format(predicted.reduce(0) { $0 + pow(1 - $1, n) } * 100 / Double(max(count, 1)), 1)) %); measured/computed matches overall: \(format(Double(hits.reduce(0, +)) / (predicted.reduce(0, +) * n), 3))"
  )
  // Calibration: rules grouped by computed rate, in five bins of equal size.
  let order = predicted.indices.sorted { predicted[$0] < predicted[$1] }
  var bins: [String] = []
  for bin in 0..<5 {
    let members = order[(bin * count / 5)..<((bin + 1) * count / 5)]
    guard !members.isEmpty else { continue }
    let computed = members.reduce(0) { $0 + predicted[$1] } * Double(count) / Double(members.count)
    let seen = members.reduce(0) { $0 + measured[$1] } / Double(members.count)
    bins.append("\(format(computed, 3)) → \(format(seen, 3))")
  }
  print("computed → measured rate × N, by fifths of the rules: " + bins.joined(separator: ", "))
}

/// p10, p50, p90 and the maximum.
func quantiles(_ values: [Double]) -> String {
  guard !values.isEmpty else { return "-" }
  let sorted = values.sorted()
  func at(_ q: Double) -> String {
    format(sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))], 3)
  }
  return
    "p10 \(at(0.1)), p50 \(at(0.5)), p90 \(at(0.9)), max \(format(sorted[sorted.count - 1], 3))"
}

/// `value` with `digits` decimals.
func format(_ value: Double, _ digits: Int) -> String {
  guard value.isFinite else { return "\(value)" }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let rounded = (abs(value) * scale).rounded()
  let whole = Int(rounded / scale)
  var fraction = String(Int(rounded) - whole * Int(scale))
  while fraction.count < digits { fraction = "0" + fraction }
  return (value < 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + fraction : "")
}

/// Writes `rules.json` (`count` narrow rules) and `requests.jsonl` (`lines` requests
/// `{"id":…,"profile":{…}}`) into `directory`, from seed 42.
func emitCampaign(rules count: Int, lines: Int, directory: String) throws {
  var workload = CampaignWorkload(seed: 42)
  let document = workload.document(rules: count)
  try write(Array(document.jsonText.utf8), to: directory + "/rules.json")
  var output: [UInt8] = []
  output.reserveCapacity(lines * 280)
  for id in 1...max(lines, 1) where id <= lines {
    output.append(contentsOf: #"{"id":\#(id),"profile":\#(workload.profile().jsonText)}"#.utf8)
    output.append(UInt8(ascii: "\n"))
  }
  try write(output, to: directory + "/requests.jsonl")
}

/// Writes a `Workload` rules document of `count` rules and `lines` requests built for it.
func emitWorkload(rules count: Int, lines: Int, directory: String) throws {
  var workload = Workload(seed: 42)
  let document = workload.document(rules: count)
  try write(Array(document.jsonText.utf8), to: directory + "/rules.json")
  var output: [UInt8] = []
  for (id, profile) in workload.profiles(lines, for: document).enumerated() {
    output.append(contentsOf: #"{"id":\#(id + 1),"profile":\#(profile.jsonText)}"#.utf8)
    output.append(UInt8(ascii: "\n"))
  }
  try write(output, to: directory + "/requests.jsonl")
}

/// A file could not be written.
struct WriteError: Error { let path: String }

func write(_ bytes: [UInt8], to path: String) throws {
  guard let file = fopen(path, "wb") else { throw WriteError(path: path) }
  defer { fclose(file) }
  guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw WriteError(path: path) }
}
