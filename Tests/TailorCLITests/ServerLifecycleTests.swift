import Testing

@testable import Tailor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server as a process: flushing, signals, reloads, stats, threads, and hostile input.
@Suite struct ServerLifecycleTests {
  func serve(_ arguments: [String] = [], rules: String = "rules.json") throws -> Subprocess {
    let tailor = try #require(Paths.executable("tailor"))
    return try Subprocess(
      tailor,
      ["serve", "--rules", rules] + arguments,
      directory: Paths.fixtures
    )
  }

  @Test func aClientThatWritesOneLineAndWaitsGetsItsAnswer() throws {
    let server = try serve()
    for id in 1...3 {
      server.send(#"{"id":\#(id),"op":"ping"}"# + "\n")
      #expect(server.readLine() == #"{"id":\#(id),"ok":true}"#)
    }
    let result = server.finish()
    #expect(result.status == 0)
  }

  @Test func sigtermAnswersWhatWasReadFlushesAndExitsZero() throws {
    let server = try serve()
    server.send(#"{"id":1,"op":"ping"}"# + "\n")
    #expect(server.readLine() == #"{"id":1,"ok":true}"#)
    server.send(#"{"id":2,"op":"ping"}"# + "\n" + #"{"id":3,"op":"pi"#)
    #expect(server.readLine() == #"{"id":2,"ok":true}"#)
    server.signal(SIGTERM)
    let result = server.finish()
    #expect(result.status == 0)
    #expect(result.output.isEmpty)
    #expect(result.errors.contains("dropping 16 bytes of an unfinished line"))
  }

  @Test func sigtermWhileStreamingLeavesWholeResponsesInOrder() throws {
    let server = try serve(["--threads", "2"])
    var input = ""
    for id in 1...20_000 {
      input +=
        #"{"id":\#(id),"profile":{"country":"ES","tier":"gold"},"decisions":["hero"],"now":"2026-01-01"}"#
        + "\n"
    }
    server.send(String(input.prefix(input.count / 2)))
    server.signal(SIGTERM)
    let result = server.finish()
    #expect(result.status == 0)
    let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.last == "")
    for (index, line) in lines.dropLast().enumerated() {
      #expect(line.hasPrefix(#"{"id":\#(index + 1),"decisions":{"hero":{"variant":"vip""#))
    }
  }

  @Test func sighupReloadsTheRulesFileAndKeepsTheOldRulesOnError() throws {
    let directory = "/tmp/tailor-sighup-\(getpid())"
    mkdir(directory, 0o700)
    defer { _ = system("rm -rf '\(directory)'") }
    let path = directory + "/rules.json"
    func rules(_ banner: String) -> [UInt8] {
      Array(
        #"{"tailor":1,"decisions":{"banner":{"variants":{"v":"\#(banner)"},"default":"v"}}}"#.utf8
      )
    }
    Paths.write(rules("first"), to: path)
    let server = try serve(rules: path)
    let request = #"{"id":1,"profile":{}}"# + "\n"
    let answer = { (text: String) in
      #"{"id":1,"decisions":{"banner":{"variant":"v","value":"\#(text)","rule":null,"reason":"default"}}}"#
    }
    server.send(request)
    #expect(server.readLine() == answer("first"))
    Paths.write(rules("second"), to: path)
    server.signal(SIGHUP)
    usleep(300_000)
    server.send(request)
    #expect(server.readLine() == answer("second"))
    Paths.write(Array(#"{"tailor":1,"decisions":{"banner":{}}}"#.utf8), to: path)
    server.signal(SIGHUP)
    usleep(300_000)
    server.send(request)
    #expect(server.readLine() == answer("second"))
    let result = server.finish()
    #expect(result.status == 0)
    #expect(result.errors.contains("reloaded \(path)"))
    #expect(result.errors.contains("keeping the previous rules"))
  }

  @Test func statsCountRequestsErrorsLatencyAndLoads() throws {
    let server = try serve()
    server.send(
      [
        #"{"id":1,"profile":{}}"#, "garbage", #"{"id":2,"profile":{},"decisions":["x"]}"#,
        #"{"id":3,"op":"load","path":"rules-v2.json"}"#,
        #"{"id":4,"op":"load","path":"missing.json"}"#,
        #"{"id":5,"op":"stats"}"#,
      ].joined(separator: "\n") + "\n"
    )
    var last = ""
    for _ in 0..<6 { last = try #require(server.readLine()) }
    let stats = try #require(try JSONReader.parse(last).objectValue?["stats"]?.objectValue)
    #expect(stats["requests"] == 5)
    #expect(stats["errors"]?.objectValue?["bad_json"] == 1)
    #expect(stats["errors"]?.objectValue?["unknown_decision"] == 1)
    #expect(stats["errors"]?.objectValue?["invalid_rules"] == 1)
    #expect(stats["rules"]?.objectValue?["file"] == "rules-v2.json")
    #expect(stats["rules"]?.objectValue?["loads"] == 1)
    #expect(stats["regexLimitHits"] == 0)
    let latency = try #require(stats["latencyMicros"]?.objectValue)
    for key in ["p50", "p99", "p999", "max"] { #expect((latency[key]?.numberValue ?? -1) > 0) }
    #expect(server.finish().status == 0)
  }

  /// Thousands of lines with errors, blank lines and loads mid-stream: answered
  /// in parallel, the output is byte-for-byte the serial output.
  @Test func parallelAnswersEqualSerialAnswers() throws {
    var generator = SplitMix(seed: 42)
    var lines: [String] = []
    let countries = ["ES", "FR", "US", "PT", "DE", "GB"]
    for id in 1...6_000 {
      switch generator.next() % 100 {
      case 0: lines.append("")
      case 1: lines.append(#"{"id":\#(id),"profile":{"country":"ES""#)
      case 2: lines.append(#"{"id":\#(id),"profile":{},"decisions":["nope"]}"#)
      case 3 where id % 7 == 0:
        lines.append(
          #"{"id":\#(id),"op":"load","rules":{"tailor":1,"decisions":{"hero":{"variants":{"x":\#(id)},"default":"x"}}}}"#
        )
      case 4 where id % 5 == 0: lines.append(#"{"id":\#(id),"op":"load","path":"rules.json"}"#)
      case 5: lines.append(#"{"id":\#(id),"op":"load","rules":{"tailor":2}}"#)
      default:
        let country = countries[Int(generator.next() % UInt64(countries.count))]
        let gold = generator.next() % 2 == 0 ? #","tier":"gold""# : ""
        lines.append(
          #"{"id":\#(id),"profile":{"country":"\#(country)"\#(gold),"beta":\#(id % 3 == 0)},"decisions":["hero"],"now":"2026-03-01T00:00:00Z"}"#
        )
      }
    }
    let input = Array((lines.joined(separator: "\n") + "\n").utf8)
    let tailor = try #require(Paths.executable("tailor"))
    let serial = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json"],
      input: input,
      directory: Paths.fixtures
    )
    let parallel = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--threads", "4"],
      input: input,
      directory: Paths.fixtures
    )
    #expect(serial.status == 0 && parallel.status == 0)
    let responses = serial.output.split(separator: "\n")
    #expect(responses.count == lines.filter { !$0.isEmpty }.count)
    #expect(parallel.output == serial.output)
  }

  /// Seeded random mutations of valid requests (bytes flipped, cut, duplicated,
  /// nested deep): one response per line, each a JSON object, and the server survives.
  @Test func hostileInputNeverCrashesTheServer() throws {
    var generator = SplitMix(seed: 7)
    let seeds = [
      #"{"id":1,"profile":{"country":"ES","tier":"gold","tags":["a","b"],"n":1.5e3},"decisions":["hero"],"explain":true}"#,
      #"{"id":"x","op":"load","rules":{"tailor":1,"decisions":{}}}"#,
      #"{"id":[1,{"a":null}],"profile":{"s":"é\u00e9\ud83d\ude00"},"now":"2026-07-01T00:00:00Z"}"#,
    ].map { Array($0.utf8) }
    var input: [UInt8] = []
    var expected = 0
    for _ in 0..<3_000 {
      var line = seeds[Int(generator.next() % UInt64(seeds.count))]
      for _ in 0..<(1 + generator.next() % 4) {
        let position = Int(generator.next() % UInt64(max(line.count, 1)))
        switch generator.next() % 5 {
        case 0: line[min(position, line.count - 1)] = UInt8(truncatingIfNeeded: generator.next())
        case 1: line = Array(line[..<position])
        case 2: line.insert(contentsOf: line[position...].prefix(20), at: position)
        case 3:
          line.insert(contentsOf: Array(repeating: UInt8(ascii: "["), count: 600), at: position)
        default: line.remove(at: min(position, line.count - 1))
        }
        if line.isEmpty { line = [UInt8(ascii: "{")] }
      }
      line = line.map { $0 == 0x0A ? 0x20 : $0 }
      if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { expected += 1 }
      input += line + [0x0A]
    }
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--threads", "2", "--max-line-bytes", "2000"],
      input: input,
      directory: Paths.fixtures
    )
    #expect(result.status == 0)
    let responses = result.output.split(separator: "\n")
    #expect(responses.count == expected)
    for response in responses {
      let object = try #require(try? JSONReader.parse(String(response)).objectValue, "\(response)")
      #expect(object["decisions"] != nil || object["error"] != nil || object["ok"] != nil)
    }
  }

  @Test func linesLongerThanTheReadBufferAreSkippedNotBuffered() throws {
    let long = #"{"id":1,"profile":{"x":""# + String(repeating: "y", count: 3 << 20) + #""}}"#
    let input = Array((long + "\n" + #"{"id":2,"op":"ping"}"# + "\n" + long).utf8)
    let tailor = try #require(Paths.executable("tailor"))
    let result = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json"],
      input: input,
      directory: Paths.fixtures
    )
    #expect(result.status == 0)
    #expect(
      result.output == """
        {"id":null,"error":{"code":"line_too_long","message":"the line is longer than 1048576 bytes","line":1}}
        {"id":2,"ok":true}
        {"id":null,"error":{"code":"line_too_long","message":"the line is longer than 1048576 bytes","line":3}}

        """
    )
    let raised = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--max-line-bytes", String(4 << 20)],
      input: Array((long + "\n").utf8),
      directory: Paths.fixtures
    )
    #expect(raised.output.hasPrefix(#"{"id":1,"decisions":{"#))
  }
}

/// A small seeded generator (SplitMix64), so generated inputs are the same on every run.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
