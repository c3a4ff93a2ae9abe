import Dispatch
import Synchronization
import Testing

@testable import Tailor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operator's side of `tailor serve`, through the built binary.
///
/// Loads of hostile files, signals at any moment, and paths that try to leave
/// the rules directory. In every case the server either keeps answering every
/// line, in order, from the rules in force, or (SIGTERM) exits 0 cleanly; it
/// never dies from an operator action.
@Suite struct ServerFaultTests {
  /// A document with one decision `d` of `rules` rules (`{"country":"C<i>"}` serves `b`) and default `value`.
  static func document(rules count: Int, value: String = "a") -> String {
    var text =
      #"{"tailor":1,"decisions":{"d":{"variants":{"a":"\#(value)","b":"B"},"default":"a","rules":["#
    text.reserveCapacity(count * 56 + 200)
    for index in 0..<count {
      if index > 0 { text += "," }
      text += #"{"id":"r\#(index)","when":{"country":"C\#(index)"},"serve":"b"}"#
    }
    return text + "]}}}"
  }

  /// Built once: the 10,000- and 100,000-rule documents the signal tests load.
  static let tenThousandRules = document(rules: 10_000)
  static let hundredThousandRules = document(rules: 100_000)

  static let request = #"{"id":1,"profile":{"country":"ZZ"},"decisions":["d"]}"#
  static func answer(_ value: String, id: Int = 1) -> String {
    #"{"id":\#(id),"decisions":{"d":{"variant":"a","value":"\#(value)","rule":null,"reason":"default"}}}"#
  }

  func serve(
    _ directory: ScratchDirectory,
    _ arguments: [String] = [],
    rules: String = "rules.json"
  )
    throws -> Subprocess
  {
    try Subprocess(
      try #require(Paths.executable("tailor")),
      ["serve", "--rules", rules] + arguments,
      directory: directory.path
    )
  }

  /// Loads `path`; returns the answer's first diagnostic code (or `ok`) and
  /// checks that the server still answers the next line.
  func load(_ server: Subprocess, _ path: String) -> (code: String, answer: String) {
    server.send(#"{"id":"load","op":"load","path":"\#(path)"}"# + "\n")
    let answer = server.readLine() ?? "(no answer)"
    server.send(#"{"id":"after","op":"ping"}"# + "\n")
    #expect(server.readLine() == #"{"id":"after","ok":true}"#, "after loading `\(path)`")
    let object = try? JSONReader.parse(answer).objectValue
    if object?["ok"] == true { return ("ok", answer) }
    let code =
      object?["error"]?.objectValue?["diagnostics"]?.arrayValue?.first?.objectValue?["code"]?
      .stringValue
    return (code ?? "(unexpected answer)", answer)
  }

  // MARK: Bounded loads

  @Test func devZeroIsRefusedAtOnceAndTheStreamGoesOn() throws {
    let directory = ScratchDirectory("fault-zero")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    let server = try serve(directory)
    #expect(load(server, "/dev/zero").code == "path_outside_rules_dir")
    #expect(server.finish().status == 0)
    // Even where the rules directory holds it, a device is never read.
    let devices = try serve(
      directory,
      ["--rules-dir", "/dev"],
      rules: directory.path + "/rules.json"
    )
    #expect(load(devices, "zero").code == "not_a_regular_file")
    #expect(load(devices, "urandom").code == "not_a_regular_file")
    #expect(devices.finish().status == 0)
    // As the rules to serve: refused with exit status 2, nothing allocated.
    let started = try Subprocess.run(
      try #require(Paths.executable("tailor")),
      ["serve", "--rules", "/dev/zero"]
    )
    #expect(started.status == 2)
    #expect(
      started.errors
        == "/dev/zero: /: `/dev/zero` is a character device, not a regular file [not_a_regular_file]\n"
    )
  }

  @Test func aFIFODoesNotStopTheStream() throws {
    let directory = ScratchDirectory("fault-fifo")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    mkfifo(directory.path + "/fifo.json", 0o644)
    let server = try serve(directory)
    #expect(load(server, "fifo.json").code == "not_a_regular_file")
    // SIGHUP after the served file became a FIFO: refused, the old rules stay.
    rename(directory.path + "/fifo.json", directory.path + "/rules.json")
    server.signal(SIGHUP)
    server.send(ServerFaultTests.request + "\n")
    #expect(server.readLine() == ServerFaultTests.answer("a"))
    let result = server.finish()
    #expect(result.status == 0)
    #expect(result.errors.contains("`rules.json` is a FIFO, not a regular file"))
  }

  @Test func aSparseGigabyteFileIsRefusedFromItsSize() throws {
    let directory = ScratchDirectory("fault-sparse")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    let sparse = open(directory.path + "/sparse.json", O_CREAT | O_WRONLY, 0o644)
    #expect(ftruncate(sparse, 1 << 30) == 0)
    close(sparse)
    let server = try serve(directory)
    let began = Subprocess.monotonicSeconds()
    let (code, answer) = load(server, "sparse.json")
    #expect(code == "rules_too_large")
    #expect(
      answer.contains("`sparse.json` holds 1073741824 bytes, more than the limit of 268435456")
    )
    #expect(Subprocess.monotonicSeconds() - began < 5, "the file was read, not measured")
    #expect(server.finish().status == 0)
    // A lower limit applies to the rules to serve, and to inline documents.
    let tailor = try #require(Paths.executable("tailor"))
    let small = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--max-rules-bytes", "40"],
      directory: directory.path
    )
    #expect(small.status == 2)
    #expect(small.errors.contains("more than the limit of 40 [rules_too_large]"))
    let inline = try Subprocess.run(
      tailor,
      ["serve", "--rules", "rules.json", "--max-rules-bytes", "200"],
      input: Array(
        (#"{"id":1,"op":"load","rules":\#(ServerFaultTests.document(rules: 5))}"# + "\n").utf8
      ),
      directory: directory.path
    )
    #expect(inline.output.contains(#""code":"rules_too_large""#))
  }

  @Test func aDocumentRewrittenWhileItIsReadIsLoadedWholeOrNotAtAll() throws {
    let directory = ScratchDirectory("fault-rewrite")
    // Two versions told apart by their rule counts and default values.
    let versions = [
      (rules: 1, text: ServerFaultTests.document(rules: 1, value: "one")),
      (rules: 40, text: ServerFaultTests.document(rules: 40, value: "forty")),
    ]
    let path = directory.write("rules.json", versions[0].text)
    // The server starts from the whole first version; then the rewriting begins.
    let server = try serve(directory)
    server.send(#"{"id":0,"op":"ping"}"# + "\n")
    #expect(server.readLine() == #"{"id":0,"ok":true}"#)
    let writer = Rewriter(path: path, versions: versions.map(\.text))
    let done = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      var turn = 0
      while !writer.stop.load(ordering: .relaxed) {
        let text = Array(writer.versions[turn % 2].utf8)
        let descriptor = open(writer.path, O_WRONLY | O_TRUNC)
        // Written in two halves, so a load can find the file empty, cut, or whole.
        text.withUnsafeBytes { bytes in
          _ = write(descriptor, bytes.baseAddress, bytes.count / 2)
          usleep(50)
          _ = write(
            descriptor,
            bytes.baseAddress.map { $0 + bytes.count / 2 },
            bytes.count - bytes.count / 2
          )
        }
        close(descriptor)
        turn += 1
      }
      done.signal()
    }
    var input = ""
    for id in 1...300 {
      input += #"{"id":\#(id),"op":"load","path":"rules.json"}"# + "\n"
      input += #"{"id":\#(id),"profile":{"country":"ZZ"},"decisions":["d"]}"# + "\n"
    }
    server.send(input)
    var lines: [String] = []
    for _ in 0..<600 {
      guard let line = server.readLine(timeout: 60) else { break }
      lines.append(line)
    }
    writer.stop.store(true, ordering: .relaxed)
    done.wait()
    // On a busy machine every racing load can find the file cut; once the writer has
    // stopped, the file is whole and one more load must take it.
    server.send(#"{"id":301,"op":"load","path":"rules.json"}"# + "\n")
    server.send(#"{"id":301,"profile":{"country":"ZZ"},"decisions":["d"]}"# + "\n")
    let result = server.finish()
    #expect(result.status == 0)
    lines += result.output.split(separator: "\n").map(String.init)
    try #require(lines.count == 602)
    var inForce = "one"  // the rules served at start
    var loaded = 0
    for id in 1...301 {
      let answer = try #require(try JSONReader.parse(lines[2 * id - 2]).objectValue)
      if answer["ok"] == true {
        let count = answer["rules"]?.numberValue.map(Int.init)
        let version = try #require(versions.first { $0.rules == count }, "\(answer)")
        inForce = version.rules == 1 ? "one" : "forty"
        loaded += 1
      } else {
        #expect(answer["error"]?.objectValue?["code"] == "invalid_rules", "\(answer)")
      }
      #expect(lines[2 * id - 1] == ServerFaultTests.answer(inForce, id: id))
    }
    #expect(loaded > 0)
    let last = try #require(try JSONReader.parse(lines[600]).objectValue)
    #expect(last["ok"] == true, "the whole file loads once the writer has stopped: \(last)")
  }

  // MARK: Confined paths

  @Test func pathsStayInTheRulesDirectory() throws {
    let directory = ScratchDirectory("fault-paths")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    directory.write("v2.json", ServerFaultTests.document(rules: 2, value: "two"))
    directory.link("passwd.json", to: "/etc/passwd")
    directory.link("current.json", to: "v2.json")
    directory.link("loop-a", to: "loop-b")
    directory.link("loop-b", to: "loop-a")
    mkdir(directory.path + "/folder", 0o755)
    let server = try serve(directory)
    for path in ["/etc/passwd", "../../../../etc/passwd", "passwd.json", "folder/../rules.json"] {
      let (code, answer) = load(server, path)
      #expect(code == "path_outside_rules_dir", "\(path)")
      #expect(!answer.contains("root"), "\(path): \(answer)")
    }
    #expect(load(server, "loop-a").code == "file_unreadable")
    #expect(load(server, "folder").code == "not_a_regular_file")
    #expect(load(server, "missing.json").code == "file_unreadable")
    // Inside the directory, by name, by absolute path and through a link.
    #expect(load(server, directory.path + "/v2.json").code == "ok")
    #expect(load(server, "current.json").code == "ok")
    server.send(ServerFaultTests.request + "\n")
    #expect(server.readLine() == ServerFaultTests.answer("two"))
    // A reload of a file from `op: load` stays confined: the link now leads out.
    unlink(directory.path + "/current.json")
    directory.link("current.json", to: "/etc/passwd")
    server.signal(SIGHUP)
    server.send(#"{"id":"synced","op":"ping"}"# + "\n")
    #expect(server.readLine() == #"{"id":"synced","ok":true}"#)
    server.send(ServerFaultTests.request + "\n")
    #expect(server.readLine() == ServerFaultTests.answer("two"))
    let result = server.finish()
    #expect(result.status == 0)
    #expect(result.errors.contains("`current.json` leads outside the rules directory"))
    // --rules-dir names another directory.
    let other = ScratchDirectory("fault-paths-other")
    other.write("elsewhere.json", ServerFaultTests.document(rules: 1, value: "elsewhere"))
    let moved = try serve(directory, ["--rules-dir", other.path])
    #expect(load(moved, "elsewhere.json").code == "ok")
    #expect(load(moved, "v2.json").code == "file_unreadable")
    #expect(load(moved, directory.path + "/v2.json").code == "path_outside_rules_dir")
    #expect(moved.finish().status == 0)
    let missing = try Subprocess.run(
      try #require(Paths.executable("tailor")),
      ["serve", "--rules", "rules.json", "--rules-dir", "no-such-dir"],
      directory: directory.path
    )
    #expect(missing.status == 2)
    #expect(missing.errors.contains("--rules-dir `no-such-dir`: no such file or directory"))
  }

  @Test func unreadableFilesAreRefusedWithTheReason() throws {
    let directory = ScratchDirectory("fault-unreadable")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    // Tests run as root, whom permission bits do not stop; this file's reads
    // fail for everyone: the server's own memory at address 0.
    let server = try serve(
      directory,
      ["--rules-dir", "/proc/self"],
      rules: directory.path + "/rules.json"
    )
    let (code, answer) = load(server, "mem")
    #expect(code == "file_unreadable")
    #expect(answer.contains("cannot read `mem`: input/output error"))
    #expect(server.finish().status == 0)
  }

  // MARK: Signals

  @Test func sighupDuringTheFirstLoadReloadsAfterIt() throws {
    let directory = ScratchDirectory("fault-hup-start")
    let path = directory.write("rules.json", ServerFaultTests.tenThousandRules)
    let began = Subprocess.monotonicSeconds()
    let server = try serve(directory)
    try #require(server.waitUntilCatching(SIGHUP))
    // The handler is in place before the rules are read, not after.
    #expect(!server.errorsSoFar().contains("serving"))
    // The issue's case: SIGHUP 0.2 s after start, while the 10,000 rules load.
    let delay = 0.2 - (Subprocess.monotonicSeconds() - began)
    if delay > 0 { usleep(UInt32(delay * 1e6)) }
    Paths.write(Array(ServerFaultTests.document(rules: 1, value: "reloaded").utf8), to: path)
    server.signal(SIGHUP)
    server.send(ServerFaultTests.request + "\n")
    #expect(server.readLine(timeout: 60) == ServerFaultTests.answer("reloaded"))
    let result = server.finish()
    #expect(result.status == 0)
    #expect(result.errors.contains("serving rules.json: 1 decision, 10000 rules"))
    #expect(result.errors.contains("reloaded rules.json: 1 decision, 1 rule"))
  }

  @Test func sigtermDuringTheFirstLoadExitsZero() throws {
    let directory = ScratchDirectory("fault-term-start")
    directory.write("rules.json", ServerFaultTests.tenThousandRules)
    let server = try serve(directory)
    try #require(server.waitUntilCatching(SIGTERM))
    #expect(!server.errorsSoFar().contains("serving"))
    usleep(100_000)
    server.signal(SIGTERM)
    let result = server.finish()
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.isEmpty)
  }

  @Test func sigtermDuringALoadRequestAnswersTheLinesReadThenExitsZero() throws {
    let directory = ScratchDirectory("fault-term-load")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    directory.write("big.json", ServerFaultTests.tenThousandRules)
    let server = try serve(directory)
    server.send(ServerFaultTests.request + "\n")
    #expect(server.readLine() == ServerFaultTests.answer("a"))
    // One write (shorter than PIPE_BUF, so read at once): the load, then two requests.
    server.send(
      #"{"id":"big","op":"load","path":"big.json"}"# + "\n" + ServerFaultTests.request + "\n"
        + #"{"id":2,"op":"ping"}"# + "\n"
    )
    usleep(300_000)
    server.signal(SIGTERM)
    let result = server.finish()
    #expect(result.status == 0)
    #expect(
      result.output.split(separator: "\n").map(String.init) == [
        #"{"id":"big","ok":true,"decisions":1,"rules":10000,"segments":0,"groups":0,"warnings":[]}"#,
        ServerFaultTests.answer("a"), #"{"id":2,"ok":true}"#,
      ]
    )
  }

  /// 50 SIGHUPs while 100,000 rules load: one reload after the load, and the
  /// server answers from the reloaded file.
  @Test(.tags(.slow)) func aSighupStormDuringAHundredThousandRuleLoadReloadsOnce() throws {
    let directory = ScratchDirectory("fault-hup-storm")
    let path = directory.write("rules.json", ServerFaultTests.hundredThousandRules)
    let server = try serve(directory)
    try #require(server.waitUntilCatching(SIGHUP))
    for _ in 0..<50 {
      server.signal(SIGHUP)
      usleep(2_000)
    }
    // Still loading: the storm took about 0.1 s; the load takes seconds.
    #expect(!server.errorsSoFar().contains("serving"))
    Paths.write(Array(ServerFaultTests.document(rules: 1, value: "after-storm").utf8), to: path)
    server.send(ServerFaultTests.request + "\n" + #"{"id":2,"op":"stats"}"# + "\n")
    #expect(server.readLine(timeout: 300) == ServerFaultTests.answer("after-storm"))
    let stats = try JSONReader.parse(try #require(server.readLine())).objectValue?["stats"]
    let result = server.finish()
    #expect(result.status == 0)
    #expect(result.errors.contains("serving rules.json: 1 decision, 100000 rules"))
    // Signals that all waited for the end of the load cause one reload.
    #expect(stats?.objectValue?["rules"]?.objectValue?["loads"] == 1)
  }

  /// 50 SIGHUPs during a stream: every line answered, in order, exactly as without them.
  @Test(arguments: [1, 2]) func sighupsDuringAStreamLoseNothing(threads: Int) throws {
    let directory = ScratchDirectory("fault-hup-stream")
    directory.write("rules.json", ServerFaultTests.document(rules: 100))
    var lines: [String] = []
    for id in 1...100_000 {
      lines.append(#"{"id":\#(id),"profile":{"country":"C\#(id % 150)"},"decisions":["d"]}"#)
    }
    let tailor = try #require(Paths.executable("tailor"))
    let arguments = ["serve", "--rules", "rules.json", "--threads", String(threads)]
    let reference = try Subprocess.run(
      tailor,
      arguments,
      input: Array((lines.joined(separator: "\n") + "\n").utf8),
      directory: directory.path
    )
    let server = try Subprocess(tailor, arguments, directory: directory.path)
    try #require(server.waitUntilCatching(SIGHUP))
    for chunk in 0..<50 {
      server.send(lines[(chunk * 2_000)..<((chunk + 1) * 2_000)].joined(separator: "\n") + "\n")
      server.signal(SIGHUP)
    }
    let result = server.finish()
    #expect(result.status == 0)
    #expect(reference.stdout.count > 100_000 * 60)
    #expect(result.output.split(separator: "\n").count == 100_000)
    #expect(result.stdout == reference.stdout)
    #expect(result.errors.contains("reloaded rules.json"))
  }

  /// SIGTERM at seeded random moments of a stream with inline loads: exit 0,
  /// and the output is a prefix, in whole lines, of the answers without the signal.
  @Test(arguments: [1, 2]) func sigtermAtRandomMomentsLeavesAPrefixOfTheAnswers(threads: Int) throws
  {
    let directory = ScratchDirectory("fault-term-stream")
    directory.write("rules.json", ServerFaultTests.document(rules: 100))
    var lines: [String] = []
    for id in 1...40_000 {
      if id % 1_000 == 0 {
        let value = "v\(id)"
        lines.append(
          #"{"id":\#(id),"op":"load","rules":\#(ServerFaultTests.document(rules: id % 7, value: value))}"#
        )
      } else {
        lines.append(#"{"id":\#(id),"profile":{"country":"C\#(id % 150)"},"decisions":["d"]}"#)
      }
    }
    let input = Array((lines.joined(separator: "\n") + "\n").utf8)
    let tailor = try #require(Paths.executable("tailor"))
    let arguments = ["serve", "--rules", "rules.json", "--threads", String(threads)]
    let reference = try Subprocess.run(tailor, arguments, input: input, directory: directory.path)
    #expect(reference.output.split(separator: "\n").count == lines.count)
    var generator = SplitMix(seed: UInt64(threads))
    for _ in 0..<6 {
      let server = try Subprocess(tailor, arguments, directory: directory.path)
      try #require(server.waitUntilCatching(SIGTERM))
      let cut = Int(generator.next() % UInt64(input.count))
      server.send(String(decoding: input[..<cut], as: UTF8.self))
      usleep(UInt32(generator.next() % 20_000))
      server.signal(SIGTERM)
      server.send(String(decoding: input[cut...], as: UTF8.self))
      let result = server.finish()
      #expect(result.status == 0, "\(result.errors)")
      #expect(result.stdout.isEmpty || result.stdout.last == 0x0A)
      #expect(reference.stdout.starts(with: result.stdout), "not a prefix of the answers")
    }
  }

  // MARK: Output failures (already held; kept)

  @Test func aClosedOutputStopsTheServerWithExitOne() throws {
    let directory = ScratchDirectory("fault-epipe")
    directory.write("rules.json", ServerFaultTests.document(rules: 1))
    directory.write("in.jsonl", String(repeating: #"{"id":1,"op":"ping"}"# + "\n", count: 50_000))
    let tailor = try #require(Paths.executable("tailor"))
    // The reader takes one byte and leaves; the server's next write finds no reader.
    let result = try Subprocess.run(
      "/bin/sh",
      [
        "-c",
        #"{ "$0" serve --rules rules.json < in.jsonl 2> err.txt; echo $? > status.txt; } | head -c 1 > /dev/null; cat status.txt err.txt"#,
        tailor,
      ],
      directory: directory.path
    )
    #expect(result.output.hasPrefix("1\n"), "\(result.output)")
    #expect(result.output.contains("tailor: error: cannot write output: broken pipe; stopping"))
    let full = try Subprocess.run(
      "/bin/sh",
      ["-c", #""$0" serve --rules rules.json < in.jsonl > /dev/full"#, tailor],
      directory: directory.path
    )
    #expect(full.status == 1)
    #expect(full.errors.contains("cannot write output: no space left on device; stopping"))
  }
}

/// What the rewriting thread shares with the test.
private final class Rewriter: Sendable {
  let stop = Atomic<Bool>(false)
  let path: String
  let versions: [String]

  init(path: String, versions: [String]) {
    self.path = path
    self.versions = versions
  }
}

extension Tag {
  @Tag static var slow: Self
}

extension Subprocess {
  /// A monotonic clock in seconds.
  static func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
