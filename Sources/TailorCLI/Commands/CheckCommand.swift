import ArgumentParser
import Tailor
import TailorGrowthBook
import TailorServer

/// `tailor check`: validate rules documents and report every diagnostic.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract:
      "Validate rules documents (or GrowthBook payloads) and report every error and warning.",
    discussion: """
      Each diagnostic is one line, `file:line:col pointer: message [code]`, followed by its notes. \
      With --growthbook the files are GrowthBook SDK payloads: what GrowthBook accepts but evaluates \
      as false or never reaches (invalid patterns, unknown operators, unknown saved groups, unknown \
      `$type` names, rules after a force rule for everyone) is a warning; only a payload that cannot \
      be loaded has errors. \
      Exit status: 0 every file is valid (warnings allowed); 1 some file has errors; 2 usage error \
      or unreadable file; 3 with --strict, no errors but some warnings.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  @Argument(help: ArgumentHelp("Rules documents to check (`-` reads stdin).", valueName: "file"))
  var files: [String]

  @Option(name: .long, help: "Output format: text (one line per diagnostic) or json.")
  var format: Format = .text

  @Flag(name: .long, help: "Treat warnings as failures (exit status 3).")
  var strict = false

  @Flag(name: .customLong("growthbook"), help: "The files are GrowthBook SDK payloads.")
  var growthBook = false

  @Option(
    name: .customLong("decryption-key"),
    help: "The SDK connection's key, for payloads with encrypted sections (with --growthbook)."
  )
  var decryptionKey: String?

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one rules file") }
    if decryptionKey != nil, !growthBook {
      throw ValidationError("--decryption-key applies to GrowthBook payloads (--growthbook)")
    }
  }

  struct Report {
    var file: String
    var diagnostics: [Diagnostic]
    var rules: Rules?
    /// For a GrowthBook payload: `3 features, 12 rules`.
    var payloadSize: String?
    var isUnreadable: Bool { diagnostics.contains { $0.code == .fileUnreadable } }
    var errors: Int { diagnostics.filter { $0.severity == .error }.count }
    var warnings: Int { diagnostics.filter { $0.severity == .warning }.count }
  }

  static func check(_ file: String) -> Report {
    do {
      let rules: Rules
      if file == "-" {
        switch readInput("-") {
        case .success(let bytes): rules = try Rules(json: bytes, file: "<stdin>")
        case .failure(let error):
          let diagnostic = Diagnostic(
            code: .fileUnreadable,
            message: error.message,
            location: SourceLocation(pointer: .root, file: "<stdin>")
          )
          return Report(file: file, diagnostics: [diagnostic])
        }
      } else {
        rules = try Rules(contentsOfFile: file)
      }
      return Report(file: file, diagnostics: rules.warnings, rules: rules)
    } catch {
      return Report(file: file, diagnostics: error.diagnostics)
    }
  }

  /// Lints a GrowthBook payload.
  static func checkPayload(_ file: String, decryptionKey: String?) -> Report {
    let name = file == "-" ? "<stdin>" : file
    switch readInput(file) {
    case .failure(let error):
      let diagnostic = Diagnostic(
        code: .fileUnreadable,
        message: error.message,
        location: SourceLocation(pointer: .root, file: name)
      )
      return Report(file: file, diagnostics: [diagnostic])
    case .success(let bytes):
      let diagnostics = GrowthBook.Payload.lint(
        json: bytes,
        file: name,
        decryptionKey: decryptionKey
      )
      var size: String?
      if let payload = try? GrowthBook.Payload(json: bytes, decryptionKey: decryptionKey) {
        let rules = payload.features.values.reduce(0) { $0 + $1.rules.count }
        size = "\(plural(payload.features.count, "feature")), \(plural(rules, "rule"))"
      }
      return Report(file: file, diagnostics: diagnostics, payloadSize: size)
    }
  }

  func run() throws {
    let reports =
      growthBook
      ? files.map { CheckCommand.checkPayload($0, decryptionKey: decryptionKey) }
      : files.map(CheckCommand.check)
    switch format {
    case .text:
      var text = ""
      for report in reports {
        for diagnostic in report.diagnostics {
          text += diagnostic.rendered(showingCode: true) + "\n"
          for note in diagnostic.notes { text += "    note: \(note)\n" }
        }
      }
      print(text, terminator: "")
      for report in reports { Log.write(CheckCommand.summary(report)) }
    case .json:
      let files = reports.map { report in
        JSONValue.object(
          JSONObject([
            ("file", .string(report.file)),
            ("valid", .bool(report.errors == 0)),
            ("errors", .number(Double(report.errors))),
            ("warnings", .number(Double(report.warnings))),
            ("diagnostics", .array(report.diagnostics.map(\.json))),
          ])
        )
      }
      print(JSONValue.object(JSONObject([("files", .array(files))])).jsonText)
    }
    let status: Int32 =
      if reports.contains(where: \.isUnreadable) {
        ExitStatus.usage
      } else if reports.contains(where: { $0.errors > 0 }) {
        ExitStatus.invalidRules
      } else if strict, reports.contains(where: { $0.warnings > 0 }) {
        ExitStatus.warnings
      } else {
        ExitStatus.ok
      }
    if status != ExitStatus.ok { throw ExitCode(status) }
  }

  /// `rules.json: ok (3 decisions, 12 rules)` or `rules.json: 2 errors, 1 warning`.
  static func summary(_ report: Report) -> String {
    let name = report.file == "-" ? "<stdin>" : report.file
    if report.isUnreadable { return "\(name): unreadable" }
    if report.errors > 0 {
      return "\(name): \(plural(report.errors, "error")), \(plural(report.warnings, "warning"))"
    }
    let counts = report.rules?.sizeDescription ?? report.payloadSize ?? ""
    return report.warnings > 0
      ? "\(name): ok with \(plural(report.warnings, "warning")) (\(counts))"
      : "\(name): ok (\(counts))"
  }
}
