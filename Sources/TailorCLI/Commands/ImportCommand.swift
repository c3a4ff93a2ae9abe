import ArgumentParser
import Tailor
import TailorGrowthBook
import TailorServer

/// `tailor import`: convert rules from other systems into a Tailor rules document.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Convert rules from other systems into a Tailor rules document.",
    subcommands: [GrowthBookImportCommand.self]
  )
}

/// `tailor import growthbook`: convert a GrowthBook SDK payload.
struct GrowthBookImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "growthbook",
    abstract: "Convert a GrowthBook SDK payload into an equivalent Tailor rules document.",
    discussion: """
      Writes the document to stdout and, on stderr, every feature left out because it has no \
      exact equivalent, with why. Exit status: 0 every feature converted; 1 some were left out \
      (the document holds the others); 2 usage error, unreadable file or a payload that cannot be \
      loaded (its diagnostics on stderr).
      """
  )

  @Argument(help: ArgumentHelp("The payload (`-` reads stdin).", valueName: "payload"))
  var file: String

  @Option(
    name: .customLong("decryption-key"),
    help: "The SDK connection's key, for payloads with encrypted sections."
  )
  var decryptionKey: String?

  func run() throws {
    let name = file == "-" ? "<stdin>" : file
    let bytes: [UInt8]
    switch readInput(file) {
    case .success(let read): bytes = read
    case .failure(let error):
      Log.write("tailor: \(error.message)")
      throw ExitCode(ExitStatus.usage)
    }
    let converted: GrowthBook.Import
    do {
      converted = try GrowthBook.Payload.importRules(json: bytes, decryptionKey: decryptionKey)
    } catch {
      for diagnostic in GrowthBook.Payload.lint(
        json: bytes,
        file: name,
        decryptionKey: decryptionKey
      ) where diagnostic.severity == .error {
        Log.write(diagnostic.rendered(showingCode: true))
      }
      throw ExitCode(ExitStatus.usage)
    }
    print(converted.document.jsonText)
    for note in converted.notes { Log.write("note: \(note)") }
    for line in converted.omitted { Log.write("no equivalent: \(line)") }
    if !converted.omitted.isEmpty { throw ExitCode(ExitStatus.invalidRules) }
  }
}
