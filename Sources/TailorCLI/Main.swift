import ArgumentParser
import Tailor

@main
struct TailorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tailor",
    abstract: "Validate, compile and evaluate Tailor rules documents."
  )
}
