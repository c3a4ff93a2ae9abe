import ArgumentParser
import Tailor
import TailorServer

/// `tailor serve`: JSON lines over stdin and stdout (DESIGN §5).
struct ServeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract:
      "Answer one JSON request per line on stdin with one JSON response per line on stdout.",
    discussion: """
      Requests: {"id":1,"profile":{...}} with optional "decisions":[names], "now":"<ISO-8601>" \
      and "explain":true; {"id":2,"op":"load","path":"rules.json"} (or "rules":{...}); \
      {"id":3,"op":"stats"}; {"id":4,"op":"ping"}. Errors answer {"id":...,"error":{"code":...}} \
      and never stop the server. EOF or SIGTERM: answer what was read, flush, exit 0. \
      SIGHUP: reload the rules file. A load reads only regular files up to --max-rules-bytes; \
      `op: load` paths are read from --rules-dir and may not leave it. Logs go to stderr, \
      among them the start-up time (reading, checking and compiling the rules). \
      With --profile-lines each line is a profile and its answer echoes the profile's \
      --id-field as "id": {"id":<value>,"decisions":{...}}. \
      With --growthbook payload.json: {"id":1,"attributes":{...},"features":["key"]} answers \
      {"id":1,"features":{"key":{"value":...,"on":...,"off":...,"source":...,"ruleId":...}}} \
      (all features when "features" is omitted); "explain":true adds each feature's "trace"; \
      "experiment":{...} runs an inline experiment; `op: load` takes "growthbook":{...} or "path".
      """
  )

  @Option(name: .long, help: ArgumentHelp("The rules document to serve.", valueName: "file"))
  var rules: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A GrowthBook SDK payload to serve instead of a rules document: requests carry "
        + "\"attributes\" and optional \"features\" and answer GrowthBook feature results.",
      valueName: "file"
    )
  )
  var growthbook: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The GrowthBook SDK connection's key, for payloads with encrypted sections.",
      valueName: "key"
    )
  )
  var decryptionKey: String?

  @Option(name: .long, help: "Worker threads that answer a block of lines in parallel.")
  var threads: Int = 1

  @Option(name: .long, help: ArgumentHelp("The longest request line accepted.", valueName: "bytes"))
  var maxLineBytes: Int = 1 << 20

  @Option(
    name: .long,
    help: "The deepest nesting of arrays and objects in a request (the request is depth 1)."
  )
  var maxDepth: Int = 64

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The largest rules document accepted, from a file or inline (default 256 MiB).",
      valueName: "bytes"
    )
  )
  var maxRulesBytes: Int = RulesLoader.defaultMaxBytes

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The directory `op: load` paths are read from; they may not lead out of it "
        + "(default: the directory of --rules).",
      valueName: "directory"
    )
  )
  var rulesDir: String?

  @Flag(
    name: .long,
    help: "Read each line as a profile (no request around it, no ops); answers echo --id-field."
  )
  var profileLines = false

  @Option(
    name: .long,
    help: ArgumentHelp(
      "With --profile-lines, the top-level profile field echoed as the answer's id.",
      valueName: "name"
    )
  )
  var idField: String = "userId"

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The instant schedules are evaluated at for requests without `now` "
        + "(ISO 8601, such as 2026-07-01T12:00:00Z); default: the clock.",
      valueName: "date-time"
    )
  )
  var now: String?

  @Flag(
    name: .long,
    help: """
      Skip the analyses that only warn (unreachable rules, tests that match missing \
      attributes, unused segments and variants) on every load: a faster start for large \
      documents. Errors are always checked.
      """
  )
  var skipAnalysis = false

  func validate() throws {
    guard (rules == nil) != (growthbook == nil) else {
      throw ValidationError("give exactly one of --rules and --growthbook")
    }
    if growthbook != nil && profileLines {
      throw ValidationError("--profile-lines serves rules documents, not --growthbook payloads")
    }
    if rules != nil && decryptionKey != nil {
      throw ValidationError("--decryption-key goes with --growthbook")
    }
    guard (1...256).contains(threads) else {
      throw ValidationError("--threads must be from 1 to 256")
    }
    guard maxLineBytes >= 2 else { throw ValidationError("--max-line-bytes must be at least 2") }
    guard (2...512).contains(maxDepth) else {
      throw ValidationError("--max-depth must be from 2 to 512")
    }
    guard maxRulesBytes >= 1 else { throw ValidationError("--max-rules-bytes must be at least 1") }
    if let now, DateTime.parse(now) == nil {
      throw ValidationError("--now must be an ISO-8601 date-time, such as 2026-07-01T12:00:00Z")
    }
  }

  func run() throws {
    // First of all: from here on SIGHUP, SIGTERM and SIGINT wait on a pipe, so
    // one that arrives while the rules load is handled when the load ends.
    _ = SignalPipe.install()
    var loader = RulesLoader(maxBytes: maxRulesBytes)
    loader.analyze = !skipAnalysis
    // A directory given is checked before the rules load; the default one after
    // (the rules file's own problems come first).
    if let rulesDir { loader.directory = try ServeCommand.openDirectory(rulesDir) }
    if growthbook != nil { loader.format = .growthbook(decryptionKey: decryptionKey) }
    let file = growthbook ?? rules ?? ""
    let served: ServedRules
    switch loader.load(.file(file), confined: false) {
    case .success(let loaded): served = loaded
    case .failure(let error):
      for diagnostic in error.diagnostics { Log.write(diagnostic.rendered(showingCode: true)) }
      throw ExitCode(RulesLoader.isFileFailure(error) ? ExitStatus.usage : ExitStatus.invalidRules)
    }
    if loader.directory == nil {
      loader.directory = try ServeCommand.openDirectory(ServeCommand.directory(of: file))
    }
    for warning in served.warnings { Log.write(warning.rendered(showingCode: true)) }
    Log.info("serving \(served.summary)")
    Log.info(served.times.startedDescription)
    let server = LineServer(
      rules: served,
      configuration: LineServer.Configuration(
        threads: threads,
        maxLineBytes: maxLineBytes,
        maxDepth: maxDepth,
        loader: loader,
        profileLines: profileLines ? ProfileLines(idField: idField) : nil,
        now: now.flatMap(DateTime.parse)
      )
    )
    let status = server.run()
    // The process ends here: freeing the compiled rules object by object would
    // only delay the exit (about 25 ms at 10,000 rules), so they stay until it.
    _ = Unmanaged.passRetained(server)
    if status != 0 { throw ExitCode(status) }
  }

  /// The rules directory at `path`, or a usage error.
  static func openDirectory(_ path: String) throws -> RulesDirectory {
    switch RulesDirectory.open(path) {
    case .success(let directory): return directory
    case .failure(let error): throw ValidationError("--rules-dir \(error.message)")
    }
  }

  /// The directory part of a file path: `.` for a bare name, `/` for a file at the root.
  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }
}
