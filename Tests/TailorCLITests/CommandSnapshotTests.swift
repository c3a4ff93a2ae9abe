import Testing

/// `tailor check`, `eval` and `tree` output snapshots: stdout, stderr and exit
/// status, run in `Fixtures/` and compared with `Fixtures/Snapshots/<name>.txt`.
///
/// Regenerate with `TAILOR_UPDATE_GOLDENS=1 swift test`, then review the diff.
@Suite struct CommandSnapshotTests {
  static let cases: [(name: String, arguments: [String])] = [
    ("check-valid", ["check", "Check/valid.json"]),
    ("check-errors-and-warnings", ["check", "Check/errors.json", "Check/warnings.json"]),
    ("check-strict", ["check", "--strict", "Check/warnings.json"]),
    ("check-json", ["check", "--format", "json", "Check/errors.json"]),
    ("check-unreadable", ["check", "Check/valid.json", "missing.json"]),
    ("check-growthbook-warnings", ["check", "--growthbook", "GrowthBook/lint.json"]),
    ("check-growthbook-clean", ["check", "--growthbook", "GrowthBook/clean.json"]),
    ("check-growthbook-strict", ["check", "--growthbook", "--strict", "GrowthBook/lint.json"]),
    (
      "check-growthbook-json",
      [
        "check", "--growthbook", "--format", "json", "GrowthBook/clean.json",
        "GrowthBook/lint.json",
      ]
    ),
    (
      "check-growthbook-errors",
      ["check", "--growthbook", "GrowthBook/wrong-shape.json", "GrowthBook/malformed.json"]
    ),
    ("import-growthbook", ["import", "growthbook", "GrowthBook/import.json"]),
    ("import-growthbook-full", ["import", "growthbook", "GrowthBook/import-full.json"]),
    ("import-growthbook-malformed", ["import", "growthbook", "GrowthBook/malformed.json"]),
    (
      "eval-explain",
      [
        "eval", "--rules", "rules.json", "--profile", #"{"country":"FR","tier":"gold"}"#,
        "--explain", "--now", "2026-07-01T00:00:00Z",
      ]
    ),
    (
      "eval-selected-json",
      [
        "eval", "--rules", "rules.json", "--profile", #"{"country":"US","beta":true}"#,
        "--decision", "offers", "--decision", "banner", "--format", "json",
      ]
    ),
    (
      "eval-unknown-decision",
      ["eval", "--rules", "rules.json", "--profile", "{}", "--decision", "nope"]
    ),
    ("eval-bad-profile", ["eval", "--rules", "rules.json", "--profile", #"{"country":"#]),
    ("eval-invalid-rules", ["eval", "--rules", "Check/errors.json", "--profile", "{}"]),
    (
      "eval-growthbook-explain",
      [
        "eval", "--growthbook", "GrowthBook/explain.json", "--attributes",
        #"{"id":"u1","country":"FR","plan":"pro"}"#, "--explain",
      ]
    ),
    (
      "eval-growthbook-json",
      [
        "eval", "--growthbook", "GrowthBook/explain.json", "--attributes",
        #"{"id":"u7","beta":true}"#, "--feature", "banner", "--feature", "checkout", "--explain",
        "--format", "json",
      ]
    ),
    (
      "eval-growthbook-unknown-feature",
      [
        "eval", "--growthbook", "GrowthBook/explain.json", "--attributes", "{}", "--feature",
        "nope",
      ]
    ),
    (
      "eval-growthbook-invalid",
      ["eval", "--growthbook", "GrowthBook/wrong-shape.json", "--attributes", "{}"]
    ),
    ("serve-invalid-rules", ["serve", "--rules", "Check/errors.json"]),
    ("tree-text", ["tree", "--rules", "rules.json", "--decision", "offers", "--format", "text"]),
    ("tree-dot", ["tree", "--rules", "rules.json", "--decision", "offers"]),
    ("tree-unknown-decision", ["tree", "--rules", "rules.json", "--decision", "nope"]),
  ]

  @Test(arguments: cases.map(\.name))
  func snapshot(_ name: String) throws {
    let tailor = try #require(Paths.executable("tailor"))
    let arguments = try #require(Self.cases.first { $0.name == name }?.arguments)
    let result = try Subprocess.run(tailor, arguments, directory: Paths.fixtures)
    let rendered =
      "$ tailor \(arguments.joined(separator: " "))\n\(result.output)--- stderr\n\(result.errors)--- exit \(result.status)\n"
    let path = "\(Paths.fixtures)/Snapshots/\(name).txt"
    if Paths.updateGoldens { Paths.write(Array(rendered.utf8), to: path) }
    let expected = try #require(Paths.read(path), "missing \(path)")
    #expect(rendered == String(decoding: expected, as: UTF8.self))
  }

  /// Usage errors exit 2 (ArgumentParser's own wording is not snapshotted).
  @Test(arguments: [
    ["check"], ["serve"], ["serve", "--rules", "rules.json", "--threads", "0"],
    ["eval", "--rules", "rules.json"], ["check", "--decryption-key", "k", "rules.json"],
  ])
  func usageErrorsExitTwo(_ arguments: [String]) throws {
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(tailor, arguments, directory: Paths.fixtures)
    #expect(result.status == 2)
    #expect(result.output.isEmpty)
    #expect(result.errors.contains("Usage: tailor \(arguments[0])"))
  }
}
