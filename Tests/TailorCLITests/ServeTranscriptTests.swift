import Testing

/// Golden JSON-lines transcripts through the real binary and real pipes:
/// `Fixtures/Transcripts/<name>.in.jsonl` in, `<name>.out.jsonl` out, exactly.
///
/// Regenerate with `TAILOR_UPDATE_GOLDENS=1 swift test`, then review the diff.
@Suite struct ServeTranscriptTests {
  static let transcripts: [(name: String, arguments: [String])] = [
    ("protocol", []),
    ("garbage", ["--max-line-bytes", "300", "--max-depth", "6"]),
    ("load", []),
    ("profile-lines", ["--profile-lines", "--id-field", "user", "--now", "2026-07-01T12:00:00Z"]),
  ]

  @Test(arguments: transcripts.map(\.name), [1, 2])
  func transcript(_ name: String, threads: Int) throws {
    let tailor = try #require(Paths.executable("tailor"), "build the `tailor` product first")
    let extra = Self.transcripts.first { $0.name == name }?.arguments ?? []
    let input = try #require(Paths.read("\(Paths.fixtures)/Transcripts/\(name).in.jsonl"))
    let result = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--threads", String(threads)] + extra,
      input: input,
      directory: Paths.fixtures
    )
    #expect(result.status == 0, "\(result.errors)")
    let goldenPath = "\(Paths.fixtures)/Transcripts/\(name).out.jsonl"
    if Paths.updateGoldens && threads == 1 { Paths.write(result.stdout, to: goldenPath) }
    let golden = try #require(Paths.read(goldenPath), "missing \(goldenPath)")
    #expect(result.output == String(decoding: golden, as: UTF8.self))
  }

  @Test func everyNonBlankLineGetsExactlyOneResponseInOrder() throws {
    let input = try #require(Paths.read("\(Paths.fixtures)/Transcripts/garbage.in.jsonl"))
    let golden = try #require(Paths.read("\(Paths.fixtures)/Transcripts/garbage.out.jsonl"))
    let requests = input.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
    let responses = String(decoding: golden, as: UTF8.self).split(separator: "\n")
    #expect(responses.count == requests.count)
    // Every garbage line (all but the first and last) is one error naming its own line.
    for (index, response) in responses.enumerated() where index > 0 && index < responses.count - 1 {
      #expect(response.contains(#""error":{"code":"#), "\(response)")
      #expect(response.contains(#""line":\#(index + 1)"#), "\(response)")
    }
  }
}

/// Every example's `expected.jsonl` is exactly what `tailor serve` answers to its `profiles.jsonl`.
@Suite struct ExampleTests {
  @Test(arguments: ["homepage", "email-campaign", "experiment", "localized-content"], [1, 2])
  func exampleAnswersAsExpected(_ name: String, threads: Int) throws {
    let tailor = try #require(Paths.executable("tailor"))
    let directory = "examples/\(name)"
    let input = try #require(Paths.read("\(Paths.package)/\(directory)/profiles.jsonl"))
    let result = try Subprocess.run(
      tailor,
      ["serve", "--rules", "\(directory)/rules.json", "--threads", String(threads)],
      input: input,
      directory: Paths.package
    )
    #expect(result.status == 0, "\(result.errors)")
    let expectedPath = "\(Paths.package)/\(directory)/expected.jsonl"
    if Paths.updateGoldens && threads == 1 { Paths.write(result.stdout, to: expectedPath) }
    let expected = try #require(Paths.read(expectedPath))
    #expect(result.output == String(decoding: expected, as: UTF8.self))
  }

  @Test(arguments: ["homepage", "email-campaign", "experiment", "localized-content"])
  func exampleRulesCheckCleanly(_ name: String) throws {
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(
      tailor,
      ["check", "--strict", "examples/\(name)/rules.json"],
      directory: Paths.package
    )
    #expect(result.status == 0)
    #expect(result.output.isEmpty)
  }

  @Test func quickstartPrintsADecision() throws {
    let quickstart = try #require(
      Paths.executable("quickstart"),
      "build the `quickstart` example first"
    )
    let result = try Subprocess.run(quickstart, [])
    #expect(result.status == 0)
    #expect(result.output.hasPrefix("vip vip-eu\n"))
  }
}
