import ArgumentParser
import Tailor
import TailorServer

/// `tailor tree`: draw the decision graph the compiler built for one decision.
struct TreeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tree",
    abstract: "Print the compiled decision graph of a decision.",
    discussion: """
      `--format dot` (the default) prints Graphviz DOT, for example `tailor tree --rules rules.json \
      --decision hero | dot -Tsvg > hero.svg`; `--format text` prints an indented outline. Switch \
      nodes branch on an attribute's string value, interval nodes on numeric thresholds, and each \
      leaf lists the rules it checks in order with the conditions left to test. A decision of \
      many diverse rules compiled to a sieve prints its filters instead: the rules each \
      constrains and the words of bits it reads per profile. Exit status: 0 printed; 1 the \
      rules have errors; 2 usage error, unreadable file or unknown decision.
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case dot, text
  }

  @Option(name: .long, help: ArgumentHelp("The rules document.", valueName: "file"))
  var rules: String

  @Option(name: .long, help: ArgumentHelp("The decision to draw.", valueName: "name"))
  var decision: String

  @Option(name: .long, help: "Output format: dot or text.")
  var format: Format = .dot

  func run() throws {
    let loaded = try loadRulesOrExit(rules)
    guard let drawing = loaded.graph(of: decision, format: format == .dot ? .dot : .text) else {
      Log.write(
        "tailor: unknown decision `\(decision)`; decisions are \(loaded.decisionNames.map { "`\($0)`" }.joined(separator: ", "))"
      )
      throw ExitCode(ExitStatus.usage)
    }
    print(drawing, terminator: "")
  }
}
