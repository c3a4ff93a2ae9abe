import ArgumentParser
import Tailor
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
      Exit status: 0 decided; 1 the rules have errors; 2 usage error, unreadable file, \
      bad profile or unknown decision.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Option(name: .long, help: ArgumentHelp("The rules document.", valueName: "file"))
  var rules: String

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The profile: JSON text, or @file (@- reads stdin).",
      valueName: "json|@file"
    )
  )
  var profile: String

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
    if let now, DateTime.parse(now) == nil {
      throw ValidationError("--now is not an ISO-8601 date-time, such as 2026-07-01T12:00:00Z")
    }
  }

  func run() throws {
    let loaded = try loadRulesOrExit(rules)
    let profileBytes: [UInt8]
    if profile.hasPrefix("@") {
      switch readInput(String(profile.dropFirst())) {
      case .success(let bytes): profileBytes = bytes
      case .failure(let error): throw fail(error.message)
      }
    } else {
      profileBytes = Array(profile.utf8)
    }
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
