import ArgumentParser
import Tailor
import TailorServer

/// `tailor`: validate, evaluate and serve rules documents.
///
/// Exit statuses are the same for every subcommand: 0 success, 1 the rules
/// (or, for `check`, some file) have errors, 2 usage errors and unreadable
/// input, 3 `check --strict` found only warnings.
@main
struct TailorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tailor",
    abstract: "Validate, evaluate and serve Tailor rules documents.",
    discussion: """
      Exit status: 0 success; 1 the rules have errors; 2 usage error or unreadable input; \
      3 `check --strict` found warnings only.
      """,
    subcommands: [
      ServeCommand.self, CheckCommand.self, EvalCommand.self, TreeCommand.self, ImportCommand.self,
    ]
  )

  /// Runs the command, mapping usage errors to exit status 2 instead of ArgumentParser's 64.
  static func main() {
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .validationFailure {
        Log.write(fullMessage(for: error))
        System.exitProcess(ExitStatus.usage)
      }
      exit(withError: error)
    }
  }
}

/// The documented exit statuses.
enum ExitStatus {
  static let ok: Int32 = 0
  static let invalidRules: Int32 = 1
  static let usage: Int32 = 2
  static let warnings: Int32 = 3
}

/// Loads a rules file for a command that needs valid rules; on errors, writes
/// every diagnostic to stderr and exits with `usage` (unreadable) or `invalidRules`.
func loadRulesOrExit(_ path: String) throws -> Rules {
  do {
    return try Rules(contentsOfFile: path)
  } catch {
    for diagnostic in error.diagnostics { Log.write(diagnostic.rendered(showingCode: true)) }
    throw ExitCode(
      error.diagnostics.contains { $0.code == .fileUnreadable }
        ? ExitStatus.usage : ExitStatus.invalidRules
    )
  }
}

/// Reads a whole file or, for `-`, standard input.
func readInput(_ path: String) -> Result<[UInt8], CLIError> {
  let descriptor = path == "-" ? 0 : System.openForReading(path)
  guard descriptor >= 0 else {
    return .failure(CLIError("cannot read `\(path)`: \(Log.describeErrno())"))
  }
  defer { if descriptor != 0 { System.closeDescriptor(descriptor) } }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let count = System.readBytes(descriptor, &chunk, chunk.count)
    if count < 0 {
      if System.lastError == System.interrupted { continue }
      return .failure(CLIError("cannot read `\(path)`: \(Log.describeErrno())"))
    }
    if count == 0 { return .success(bytes) }
    bytes.append(contentsOf: chunk[0..<count])
  }
}

/// A command-line failure with a message for stderr.
struct CLIError: Error {
  var message: String
  init(_ message: String) { self.message = message }
}
