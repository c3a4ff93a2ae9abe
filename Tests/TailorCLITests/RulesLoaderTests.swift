import Testing

@testable import Tailor
@testable import TailorServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A scratch directory for one test, removed when the test ends.
final class ScratchDirectory {
  let path: String

  init(_ name: String) {
    path = "/tmp/tailor-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    mkdir(path, 0o755)
  }

  deinit { _ = system("rm -rf '\(path)'") }

  /// Writes `text` to `name` in the directory; returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) -> String {
    let file = path + "/" + name
    Paths.write(Array(text.utf8), to: file)
    return file
  }

  /// Makes `name` a symbolic link to `target`.
  func link(_ name: String, to target: String) { symlink(target, path + "/" + name) }
}

/// `op: load` and reloads as the server performs them: bounded, regular files
/// only, confined to the rules directory, never quoting a refused file.
@Suite struct RulesLoaderTests {
  static let document =
    #"{"tailor":1,"decisions":{"d":{"variants":{"v":"secret-free"},"default":"v"}}}"#

  /// The codes of a failed load, or `["ok"]`.
  func codes(_ result: Result<ServedRules, TailorError>) -> [String] {
    switch result {
    case .success: ["ok"]
    case .failure(let error): error.diagnostics.map(\.code.rawValue)
    }
  }

  func message(_ result: Result<ServedRules, TailorError>) -> String {
    guard case .failure(let error) = result else { return "" }
    return error.diagnostics.map(\.message).joined(separator: "\n")
  }

  func loader(
    _ directory: ScratchDirectory,
    maxBytes: Int = RulesLoader.defaultMaxBytes
  ) throws
    -> RulesLoader
  {
    RulesLoader(maxBytes: maxBytes, directory: try RulesDirectory.open(directory.path).get())
  }

  @Test func relativePathsAreReadFromTheRulesDirectory() throws {
    let directory = ScratchDirectory("loader-relative")
    directory.write("rules.json", RulesLoaderTests.document)
    mkdir(directory.path + "/nested", 0o755)
    directory.write("nested/v2.json", RulesLoaderTests.document)
    let loader = try loader(directory)
    #expect(codes(loader.load(.file("rules.json"), confined: true)) == ["ok"])
    #expect(codes(loader.load(.file("./nested//v2.json"), confined: true)) == ["ok"])
    #expect(codes(loader.load(.file(directory.path + "/rules.json"), confined: true)) == ["ok"])
    let loaded = try loader.load(.file("rules.json"), confined: true).get()
    #expect(loaded.file == "rules.json")
  }

  @Test func pathsLeavingTheRulesDirectoryAreRefused() throws {
    let directory = ScratchDirectory("loader-outside")
    directory.write("rules.json", RulesLoaderTests.document)
    directory.link("passwd.json", to: "/etc/passwd")
    directory.link("inside.json", to: "rules.json")
    mkdir(directory.path + "/sub", 0o755)
    directory.link("sub/up.json", to: "../rules.json")
    let loader = try loader(directory)
    for path in [
      "../rules.json", "sub/../rules.json", "/etc/passwd", "passwd.json", "/tmp/../etc/passwd",
      directory.path + "/../" + "rules.json",
    ] {
      let result = loader.load(.file(path), confined: true)
      #expect(codes(result) == ["path_outside_rules_dir"], "\(path)")
      #expect(!message(result).contains("root:"), "\(path)")
    }
    // Links that stay inside are followed.
    #expect(codes(loader.load(.file("inside.json"), confined: true)) == ["ok"])
    #expect(codes(loader.load(.file("sub/up.json"), confined: true)) == ["ok"])
    // The operator's own file is not confined.
    #expect(codes(loader.load(.file("/etc/passwd"), confined: false)) == ["json_syntax"])
  }

  @Test func aDirectoryReachedThroughALinkAcceptsEitherSpelling() throws {
    let directory = ScratchDirectory("loader-spelling")
    mkdir(directory.path + "/real", 0o755)
    directory.write("real/rules.json", RulesLoaderTests.document)
    directory.link("alias", to: "real")
    let loader = RulesLoader(
      directory: try RulesDirectory.open(directory.path + "/alias").get()
    )
    #expect(
      codes(loader.load(.file(directory.path + "/alias/rules.json"), confined: true)) == ["ok"]
    )
    #expect(
      codes(loader.load(.file(directory.path + "/real/rules.json"), confined: true)) == ["ok"]
    )
    #expect(
      codes(loader.load(.file(directory.path + "/rules.json"), confined: true))
        == ["path_outside_rules_dir"]
    )
  }

  @Test func onlyRegularFilesAreRead() throws {
    let directory = ScratchDirectory("loader-special")
    mkfifo(directory.path + "/fifo", 0o644)
    mkdir(directory.path + "/dir.json", 0o755)
    directory.link("null.json", to: "/dev/null")
    let loader = try loader(directory)
    // A FIFO with no writer would block an ordinary open(2): this returns at once.
    let fifo = loader.load(.file("fifo"), confined: true)
    #expect(codes(fifo) == ["not_a_regular_file"])
    #expect(message(fifo) == "`fifo` is a FIFO, not a regular file")
    #expect(codes(loader.load(.file("dir.json"), confined: true)) == ["not_a_regular_file"])
    #expect(codes(loader.load(.file("."), confined: true)) == ["not_a_regular_file"])
    #expect(codes(loader.load(.file("null.json"), confined: true)) == ["path_outside_rules_dir"])
    for device in ["/dev/zero", "/dev/null", "/dev/urandom"] {
      let result = loader.load(.file(device), confined: false)
      #expect(codes(result) == ["not_a_regular_file"])
      #expect(message(result) == "`\(device)` is a character device, not a regular file")
    }
  }

  @Test func sizeIsBoundedBeforeAndWhileReading() throws {
    let directory = ScratchDirectory("loader-size")
    directory.write("rules.json", RulesLoaderTests.document)
    let size = RulesLoaderTests.document.utf8.count
    #expect(
      codes(try loader(directory, maxBytes: size).load(.file("rules.json"), confined: true)) == [
        "ok"
      ]
    )
    let small = try loader(directory, maxBytes: size - 1)
    let refused = small.load(.file("rules.json"), confined: true)
    #expect(codes(refused) == ["rules_too_large"])
    #expect(
      message(refused) == "`rules.json` holds \(size) bytes, more than the limit of \(size - 1)"
    )
    // A sparse 1 GiB file is refused from its size, without reading it.
    let sparse = open(directory.path + "/sparse.json", O_CREAT | O_WRONLY, 0o644)
    #expect(ftruncate(sparse, 1 << 30) == 0)
    close(sparse)
    #expect(
      codes(try loader(directory).load(.file("sparse.json"), confined: true)) == ["rules_too_large"]
    )
    // Files in /proc report size 0 and grow as they are read: the limit stops the reading.
    let growing = RulesLoader(maxBytes: 64).load(.file("/proc/self/maps"), confined: false)
    #expect(codes(growing) == ["rules_too_large"])
    #expect(
      message(growing) == "`/proc/self/maps` grew past the limit of 64 bytes while it was read"
    )
    // Inline rules are measured too.
    let inline = RulesLoader(maxBytes: size - 1).load(
      .inline(Array(RulesLoaderTests.document.utf8)),
      confined: true
    )
    #expect(codes(inline) == ["rules_too_large"])
    #expect(
      codes(
        RulesLoader(maxBytes: size).load(
          .inline(Array(RulesLoaderTests.document.utf8)),
          confined: true
        )
      ) == ["ok"]
    )
  }

  @Test func unreadableFilesSayWhy() throws {
    let directory = ScratchDirectory("loader-unreadable")
    directory.link("loop-a", to: "loop-b")
    directory.link("loop-b", to: "loop-a")
    let loader = try loader(directory)
    let loop = loader.load(.file("loop-a"), confined: true)
    #expect(codes(loop) == ["file_unreadable"])
    #expect(message(loop) == "cannot read `loop-a`: too many levels of symbolic links")
    #expect(
      message(loader.load(.file("missing.json"), confined: true))
        == "cannot read `missing.json`: no such file or directory"
    )
    #expect(codes(loader.load(.file(""), confined: true)) == ["file_unreadable"])
    #expect(codes(loader.load(.file("rules.json\u{0}/x"), confined: true)) == ["file_unreadable"])
    // A regular file whose reads fail, whoever runs the test: this process's memory at address 0.
    let memory = RulesLoader().load(.file("/proc/self/mem"), confined: false)
    #expect(codes(memory) == ["file_unreadable"])
    #expect(message(memory) == "cannot read `/proc/self/mem`: input/output error")
  }

  @Test(.enabled(if: geteuid() != 0, "permission bits do not stop root from reading a file"))
  func aFileWithoutReadPermissionIsUnreadable() throws {
    let directory = ScratchDirectory("loader-permission")
    let file = directory.write("rules.json", RulesLoaderTests.document)
    chmod(file, 0)
    let result = try loader(directory).load(.file("rules.json"), confined: true)
    #expect(codes(result) == ["file_unreadable"])
    #expect(message(result) == "cannot read `rules.json`: permission denied")
  }

  @Test func refusalsQuoteNothingFromTheFile() throws {
    let directory = ScratchDirectory("loader-quiet")
    let secret = "hunter2-" + String(repeating: "x", count: 100)
    directory.write("big.json", #"{"password":"\#(secret)"}"#)
    directory.link("out.json", to: directory.path + "/big.json")
    let results = [
      try loader(directory, maxBytes: 16).load(.file("big.json"), confined: true),
      try loader(directory).load(.file("../big.json"), confined: true),
    ]
    for result in results {
      guard case .failure(let error) = result else {
        Issue.record("loaded")
        continue
      }
      #expect(!"\(error.diagnostics)".contains("hunter2"))
    }
  }

  @Test func theLoadAnswerNamesTheFileProblem() throws {
    let line = Array(#"{"id":2}"#.utf8)
    var output: [UInt8] = []
    let refused = RulesLoader().load(.file("/dev/zero"), confined: false)
    line.withUnsafeBufferPointer {
      RequestHandler.writeLoaded(refused, id: 6..<7, line: $0, lineNumber: 3, into: &output)
    }
    #expect(
      String(decoding: output, as: UTF8.self)
        == #"{"id":2,"error":{"code":"invalid_rules","message":"`/dev/zero` is a character device, not a regular file; the previous rules stay","line":3,"diagnostics":[{"code":"not_a_regular_file","severity":"error","message":"`/dev/zero` is a character device, not a regular file","location":{"pointer":"","file":"/dev/zero"},"notes":["rules are read only from regular files"]}]}}"#
        + "\n"
    )
  }

  @Test func theRulesDirectoryMustBeADirectory() {
    #expect(throws: RulesDirectoryError.self) { try RulesDirectory.open("/etc/passwd").get() }
    #expect(throws: RulesDirectoryError.self) { try RulesDirectory.open("/nonexistent-dir").get() }
    #expect((try? RulesDirectory.open("/").get())?.path == "/")
  }
}
