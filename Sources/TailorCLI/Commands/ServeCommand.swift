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
      SIGHUP: reload the rules file. Logs go to stderr.
      """
  )

  @Option(name: .long, help: ArgumentHelp("The rules document to serve.", valueName: "file"))
  var rules: String

  @Option(name: .long, help: "Worker threads that answer a block of lines in parallel.")
  var threads: Int = 1

  @Option(name: .long, help: ArgumentHelp("The longest request line accepted.", valueName: "bytes"))
  var maxLineBytes: Int = 1 << 20

  @Option(
    name: .long,
    help: "The deepest nesting of arrays and objects in a request (the request is depth 1)."
  )
  var maxDepth: Int = 64

  func validate() throws {
    guard (1...256).contains(threads) else {
      throw ValidationError("--threads must be from 1 to 256")
    }
    guard maxLineBytes >= 2 else { throw ValidationError("--max-line-bytes must be at least 2") }
    guard (2...512).contains(maxDepth) else {
      throw ValidationError("--max-depth must be from 2 to 512")
    }
  }

  func run() throws {
    let served: ServedRules
    switch RequestHandler.load(.file(rules)) {
    case .success(let loaded): served = loaded
    case .failure(let error):
      for diagnostic in error.diagnostics { Log.write(diagnostic.rendered(showingCode: true)) }
      let unreadable = error.diagnostics.contains { $0.code == .fileUnreadable }
      throw ExitCode(unreadable ? ExitStatus.usage : ExitStatus.invalidRules)
    }
    for warning in served.rules.warnings { Log.write(warning.rendered(showingCode: true)) }
    Log.info("serving \(served.summary)")
    let server = LineServer(
      rules: served,
      configuration: LineServer.Configuration(
        threads: threads,
        maxLineBytes: maxLineBytes,
        maxDepth: maxDepth
      )
    )
    let status = server.run()
    if status != 0 { throw ExitCode(status) }
  }
}
