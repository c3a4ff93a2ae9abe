import ArgumentParser
@_spi(Server) import Tailor
import TailorGrowthBook
import TailorServer

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `tailor eval`: decide for one profile and explain the answer to a person.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Decide for one profile and show which variant it gets, and why.",
    discussion: """
      Example: tailor eval --rules rules.json --profile '{"country":"ES","tier":"gold"}' --explain
      GrowthBook payloads: tailor eval --growthbook payload.json --attributes '{"id":"u1"}' \
      [--feature key] [--explain] shows each feature's value, source and rule; --explain \
      also shows, for each rule tried, why it did not decide (or that it did).
      Exit status: 0 decided; 1 the rules have errors; 2 usage error, unreadable file, \
      bad profile or unknown decision.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Option(name: .long, help: ArgumentHelp("The rules document.", valueName: "file"))
  var rules: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The profile: JSON text, or @file (@- reads stdin).",
      valueName: "json|@file"
    )
  )
  var profile: String?

  @Option(
    name: .long,
    help: ArgumentHelp("A GrowthBook SDK payload, instead of --rules.", valueName: "file")
  )
  var growthbook: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --growthbook, the user's attributes: JSON text, or @file (@- reads stdin).",
      valueName: "json|@file"
    )
  )
  var attributes: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --growthbook, a feature to show (repeatable); all when omitted.",
      valueName: "key"
    )
  )
  var feature: [String] = []

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --growthbook, the SDK connection's key for encrypted sections.",
      valueName: "key"
    )
  )
  var decryptionKey: String?

  @Option(
    name: .long,
    help: ArgumentHelp("A decision to show (repeatable); all when omitted.", valueName: "name")
  )
  var decision: [String] = []

  @Flag(name: .long, help: "Show each rule considered and why it did or did not serve.")
  var explain = false

  @Option(
    name: .long,
    help: ArgumentHelp("The instant schedules are evaluated at (ISO-8601).", valueName: "time")
  )
  var now: String?

  @Option(name: .long, help: "Output format: text for people, or json as `tailor serve` answers.")
  var format: Format = .text

  func validate() throws {
    if growthbook != nil {
      guard rules == nil, profile == nil, decision.isEmpty, now == nil else {
        throw ValidationError(
          "--growthbook takes --attributes and --feature, not --rules, --profile, --decision or --now"
        )
      }
      guard attributes != nil else { throw ValidationError("--growthbook needs --attributes") }
    } else {
      guard rules != nil, profile != nil else {
        throw ValidationError("give --rules and --profile (or --growthbook and --attributes)")
      }
      guard attributes == nil, feature.isEmpty, decryptionKey == nil else {
        throw ValidationError("--attributes, --feature and --decryption-key go with --growthbook")
      }
    }
    if let now, DateTime.parse(now) == nil {
      throw ValidationError("--now is not an ISO-8601 date-time, such as 2026-07-01T12:00:00Z")
    }
  }

  func run() throws {
    if let growthbook, let attributes {
      try runGrowthBook(growthbook, attributes: attributes)
      return
    }
    guard let rules, let profile else { throw fail("give --rules and --profile") }
    let loaded = try loadRulesOrExit(rules)
    let profileBytes = try readArgument(profile)
    let parsed: Profile
    do {
      parsed = try Profile(json: profileBytes)
    } catch {
      throw fail("the profile is not valid JSON: \(error)")
    }
    guard parsed.root.objectValue != nil else { throw fail("the profile must be a JSON object") }
    let unknown = decision.filter { loaded.document.decision(named: $0) == nil }
    if !unknown.isEmpty {
      let known = loaded.decisionNames.map { "`\($0)`" }.joined(separator: ", ")
      throw fail(
        "unknown decision " + unknown.map { "`\($0)`" }.joined(separator: ", ")
          + "; decisions are \(known)"
      )
    }
    let instant = now.flatMap(DateTime.parse).map { Date(timeIntervalSince1970: $0) } ?? Date()
    let decisions =
      decision.isEmpty
      ? loaded.decideAll(for: parsed, at: instant, explain: explain)
      : decision.compactMap { loaded.decide($0, for: parsed, at: instant, explain: explain) }
    switch format {
    case .json:
      var bytes: [UInt8] = [UInt8(ascii: "{")]
      AnswerRenderer.writeDecisionsKey(into: &bytes)
      for (index, decided) in decisions.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        AnswerRenderer.writeKey(decided.name, into: &bytes)
        decided.write(into: &bytes)
      }
      bytes += Array("}}".utf8)
      print(String(decoding: bytes, as: UTF8.self))
    case .text:
      print(decisions.map(EvalCommand.describe).joined(separator: "\n"), terminator: "")
    }
  }

  /// JSON text, or the bytes of `@file` (`@-` reads stdin).
  private func readArgument(_ argument: String) throws -> [UInt8] {
    guard argument.hasPrefix("@") else { return Array(argument.utf8) }
    switch readInput(String(argument.dropFirst())) {
    case .success(let bytes): return bytes
    case .failure(let error): throw fail(error.message)
    }
  }

  /// `--growthbook`: each feature's result, and with `--explain` the rules tried.
  private func runGrowthBook(_ path: String, attributes argument: String) throws {
    let bytes: [UInt8]
    switch readInput(path) {
    case .success(let read): bytes = read
    case .failure(let error): throw fail(error.message)
    }
    let payload: GrowthBook.Payload
    do {
      payload = try GrowthBook.Payload(json: bytes, decryptionKey: decryptionKey)
    } catch {
      for diagnostic in DocumentLoader.locate(error.diagnostics, in: bytes, file: path) {
        Log.write(diagnostic.rendered(showingCode: true))
      }
      throw ExitCode(ExitStatus.invalidRules)
    }
    let attributeBytes = try readArgument(argument)
    let attributes: JSONValue
    do {
      attributes = try JSONReader.parse(attributeBytes)
    } catch {
      throw fail("the attributes are not valid JSON: \(error)")
    }
    guard attributes.objectValue != nil else { throw fail("the attributes must be a JSON object") }
    let unknown = feature.filter { payload.features[$0] == nil }
    if !unknown.isEmpty {
      let known = payload.featureKeys.map { "`\($0)`" }.joined(separator: ", ")
      throw fail(
        "unknown feature " + unknown.map { "`\($0)`" }.joined(separator: ", ")
          + "; features are \(known.isEmpty ? "none" : known)"
      )
    }
    var context = GrowthBook.Context(attributes: attributes)
    var explained: [(String, GrowthBook.FeatureExplanation)] = []
    for key in feature.isEmpty ? payload.featureKeys : feature {
      explained.append((key, payload.explainFeature(key, in: &context)))
    }
    switch format {
    case .json:
      var fields: [(String, JSONValue)] = []
      for (key, explanation) in explained {
        guard case .object(var result) = explanation.result.json else { continue }
        if explain { result["trace"] = .array(explanation.steps.map(\.json)) }
        fields.append((key, .object(result)))
      }
      print(JSONValue.object(JSONObject([("features", .object(JSONObject(fields)))])).jsonText)
    case .text:
      let text = explained.map { key, explanation in
        EvalCommand.describe(key, explanation, payload: payload, explain: explain)
      }
      print(text.joined(separator: "\n"), terminator: "")
    }
  }

  /// A feature's result for people, as in this example.
  ///
  ///     checkout = true  (force, rule fr-only)
  ///       trace
  ///         0 us-only   condition_false  clause {"country":"US"}  saw "FR"
  ///         1 fr-only   decided
  static func describe(
    _ key: String,
    _ explanation: GrowthBook.FeatureExplanation,
    payload: GrowthBook.Payload,
    explain: Bool
  ) -> String {
    let result = explanation.result
    var served = result.source.rawValue
    if !result.ruleID.isEmpty { served += ", rule \(result.ruleID)" }
    var text = "\(key) = \(result.value.jsonText)  (\(served))\n"
    if let experiment = result.experiment, let assigned = result.experimentResult {
      text +=
        "  experiment \(experiment.key): variation \(assigned.variationID) (key \(assigned.key))"
      if let bucket = assigned.bucket { text += ", bucket \(EvalCommand.rounded(bucket))" }
      text += ", hashed \(assigned.hashAttribute) \(assigned.hashValue.jsonText)\n"
    }
    guard explain else { return text }
    text += "  trace\n"
    let names = explanation.steps.map {
      "\($0.index) \($0.ruleID.flatMap { $0.isEmpty ? nil : $0 } ?? "-")"
    }
    let width = names.map(\.count).max() ?? 0
    for (step, name) in zip(explanation.steps, names) {
      var line = "    " + name + String(repeating: " ", count: width - name.count + 2)
      guard case .object(let fields) = step.json else { continue }
      var details: [String] = []
      for (field, value) in fields.pairs where field != "rule" && field != "ruleId" {
        switch (field, value) {
        case ("outcome", .string(let code)), ("reason", .string(let code)): details.append(code)
        case ("bucket", .number(let bucket)):
          details.append("bucket \(EvalCommand.rounded(bucket))")
        case ("parent", .string(let parent)): details.append("parent `\(parent)`")
        default: details.append("\(field) \(value.jsonText)")
        }
      }
      if step.outcome.code == "condition_false" && fields["saw"] == nil {
        details.append("saw nothing")
      }
      line += details.joined(separator: "  ")
      text += line + "\n"
    }
    let rules = payload.features[key]?.rules.count ?? 0
    if explanation.steps.isEmpty {
      text += "    (no rules tried)\n"
    } else if explanation.steps.count < rules, result.source != .prerequisite,
      result.source != .cyclicPrerequisite
    {
      text += "    (\(plural(rules - explanation.steps.count, "later rule")) not tried)\n"
    }
    return text
  }

  /// A bucket to four decimals.
  static func rounded(_ bucket: Double) -> String {
    JSONValue.number((bucket * 10_000).rounded() / 10_000).jsonText
  }

  private func fail(_ message: String) -> ExitCode {
    Log.error(message)
    return ExitCode(ExitStatus.usage)
  }

  /// A decision for people, as in this example.
  ///
  ///     homepage-hero = vip  (rule vip-eu, match)
  ///       value {"image":"v.jpg"}
  ///       trace
  ///         summer        inactive
  ///         vip-eu        matched
  static func describe(_ decision: Decision) -> String {
    var text = ""
    func served(_ match: Decision.Match) -> String {
      match.rule.map { "rule \($0), \(match.reason.rawValue)" } ?? match.reason.rawValue
    }
    if decision.isMultiple {
      let keys = decision.matches.map(\.variant).joined(separator: ", ")
      text +=
        "\(decision.name) = \(keys.isEmpty ? "(none)" : keys)  (mode all, \(plural(decision.matches.count, "match")))\n"
      for match in decision.matches {
        text += "  \(match.variant)  (\(served(match)))  value \(match.value.jsonText)\n"
      }
    } else if let match = decision.matches.first {
      text += "\(decision.name) = \(match.variant)  (\(served(match)))\n"
      text += "  value \(match.value.jsonText)\n"
    } else {
      text += "\(decision.name) = (none)  (\(decision.reason.rawValue), no default variant)\n"
    }
    if let trace = decision.trace {
      text += "  trace\n"
      let width = trace.steps.map { ($0.rule ?? "(requires)").count }.max() ?? 0
      for step in trace.steps {
        let name = step.rule ?? "(requires)"
        var line =
          "    " + name + String(repeating: " ", count: width - name.count + 2)
          + step.outcome.rawValue
        if let failed = step.failed {
          line += "  \(failed.jsonText) saw \(step.value.map(\.jsonText) ?? "nothing")"
        }
        if let bucket = step.bucket {
          line += "  bucket \(JSONValue.number((bucket * 10_000).rounded() / 10_000).jsonText)"
        }
        text += line + "\n"
      }
      if trace.steps.isEmpty { text += "    (no rules)\n" }
    }
    return text
  }
}
