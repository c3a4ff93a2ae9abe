import Synchronization
import TailorTestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serialises pipe creation and spawning, so that no child spawned by a test
/// running in parallel inherits another test's pipe before it is marked close-on-exec.
private let spawnLock = Mutex(())

/// Writes to a closed pipe fail with `EPIPE` instead of killing the process (at file
/// scope, where `Subprocess.signal` does not shadow the C function).
private func ignoreBrokenPipes() {
  _ = signal(SIGPIPE, SIG_IGN)
}

/// A child process with pipes on stdin, stdout and stderr, for end-to-end tests.
///
/// Either ``run(_:_:input:directory:)`` feeds a whole input and collects
/// everything, or the interactive calls (``send(_:)``, ``readLine(timeout:)``,
/// ``signal(_:)``, ``finish()``) drive a server step by step.
final class Subprocess {
  struct Result {
    var stdout: [UInt8]
    var stderr: [UInt8]
    /// The exit status, or minus the signal that ended the process.
    var status: Int32
    var output: String { String(decoding: stdout, as: UTF8.self) }
    var errors: String { String(decoding: stderr, as: UTF8.self) }
  }

  struct SpawnError: Error, CustomStringConvertible {
    var description: String
  }

  let pid: pid_t
  private var input: Int32
  private let output: Int32
  private let errors: Int32
  private var stdoutBuffer: [UInt8] = []
  private var stderrBuffer: [UInt8] = []
  private var stdoutClosed = false
  private var stderrClosed = false

  init(_ executable: String, _ arguments: [String], directory: String? = nil) throws {
    // A write to a server that has exited must fail, not kill the test runner.
    ignoreBrokenPipes()
    // A working directory is set by a shell that then execs the program.
    let program = directory == nil ? executable : "/bin/sh"
    let argv0 =
      directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, executable] } ?? [
        executable
      ]
    let fds = try spawnLock.withLock { _ throws(SpawnError) -> (pid_t, Int32, Int32, Int32) in
      var stdinPipe: [Int32] = [-1, -1]
      var stdoutPipe: [Int32] = [-1, -1]
      var stderrPipe: [Int32] = [-1, -1]
      guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0 else {
        throw SpawnError(description: "pipe failed")
      }
      for fd in stdinPipe + stdoutPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      // The spawn types are structs in Glibc and opaque pointers in Darwin.
      #if canImport(Darwin)
      var actions: posix_spawn_file_actions_t? = nil
      var attributes: posix_spawnattr_t? = nil
      let environment = _NSGetEnviron().pointee
      #else
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
      let environment = environ
      #endif
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
      posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
      posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
      // Test threads may block signals; the child starts with none blocked and default handlers.
      posix_spawnattr_init(&attributes)
      defer { posix_spawnattr_destroy(&attributes) }
      var noSignals = sigset_t()
      sigemptyset(&noSignals)
      posix_spawnattr_setsigmask(&attributes, &noSignals)
      var defaults = sigset_t()
      sigemptyset(&defaults)
      for number in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, number) }
      posix_spawnattr_setsigdefault(&attributes, &defaults)
      posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
      let argv = (argv0 + arguments).map { strdup($0) } + [nil]
      defer { for argument in argv { free(argument) } }
      var child: pid_t = 0
      let spawned = posix_spawn(&child, program, &actions, &attributes, argv, environment)
      close(stdinPipe[0])
      close(stdoutPipe[1])
      close(stderrPipe[1])
      guard spawned == 0 else {
        for descriptor in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] { _ = close(descriptor) }
        throw SpawnError(
          description: "cannot run \(executable): \(String(cString: strerror(spawned)))"
        )
      }
      // Writes to the child never block: a blocked write while the child blocks
      // writing output the test has not read yet would deadlock both.
      _ = fcntl(stdinPipe[1], F_SETFL, fcntl(stdinPipe[1], F_GETFL) | O_NONBLOCK)
      return (child, stdinPipe[1], stdoutPipe[0], stderrPipe[0])
    }
    (pid, input, output, errors) = fds
  }

  deinit {
    for descriptor in [input, output, errors] where descriptor >= 0 { _ = close(descriptor) }
  }

  /// Runs to completion with `input` on stdin.
  static func run(
    _ executable: String,
    _ arguments: [String],
    input: [UInt8] = [],
    directory: String? = nil
  )
    throws -> Result
  {
    let process = try Subprocess(executable, arguments, directory: directory)
    process.pump(writing: input)
    return process.finish()
  }

  /// Writes bytes to stdin, reading stdout and stderr meanwhile so neither side blocks.
  func send(_ text: String) { pump(writing: Array(text.utf8)) }

  /// The next stdout line (without its newline), or `nil` after `timeout` seconds or at end of output.
  func readLine(timeout: Double = 10) -> String? {
    let deadline = Subprocess.now() + timeout
    while true {
      if let newline = stdoutBuffer.firstIndex(of: 0x0A) {
        let line = String(decoding: stdoutBuffer[..<newline], as: UTF8.self)
        stdoutBuffer.removeSubrange(...newline)
        return line
      }
      let remaining = deadline - Subprocess.now()
      if stdoutClosed || remaining <= 0 { return nil }
      readAvailable(timeoutMilliseconds: Int32(min(remaining * 1000, 100)))
    }
  }

  /// Sends a signal to the process.
  func signal(_ number: Int32) { kill(pid, number) }

  /// Waits until the process is `name` and has a handler for signal `number`
  /// (Linux: from `/proc/<pid>/status`); `false` after `timeout` seconds.
  ///
  /// Tests that signal a server "during start-up" wait for this first: before its
  /// handlers are installed a signal would be the runtime's, not the server's, to handle.
  func waitUntilCatching(_ number: Int32, name: String = "tailor", timeout: Double = 10) -> Bool {
    let deadline = Subprocess.now() + timeout
    while Subprocess.now() < deadline {
      let comm = TestFiles.read("/proc/\(pid)/comm").map { String(decoding: $0, as: UTF8.self) }
      if comm == name + "\n", let status = TestFiles.read("/proc/\(pid)/status") {
        let text = String(decoding: status, as: UTF8.self)
        let caught = text.split(separator: "\n").first { $0.hasPrefix("SigCgt:") }
        if let mask = caught.flatMap({ UInt64($0.dropFirst(7).trimmingPrefix("\t"), radix: 16) }),
          mask & (1 << UInt64(number - 1)) != 0
        {
          return true
        }
      }
      usleep(1_000)
    }
    return false
  }

  /// What the process has written to stderr so far.
  func errorsSoFar() -> String {
    var count = -1
    while count != stderrBuffer.count + stdoutBuffer.count {
      count = stderrBuffer.count + stdoutBuffer.count
      readAvailable(timeoutMilliseconds: 0)
    }
    return String(decoding: stderrBuffer, as: UTF8.self)
  }

  /// Closes stdin, reads everything left and waits for the exit status.
  func finish() -> Result {
    if input >= 0 {
      close(input)
      input = -1
    }
    while !stdoutClosed || !stderrClosed { readAvailable(timeoutMilliseconds: 1000) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exited = status & 0x7F == 0
    return Result(
      stdout: stdoutBuffer,
      stderr: stderrBuffer,
      status: exited ? (status >> 8) & 0xFF : -(status & 0x7F)
    )
  }

  // swift-format-ignore: NeverForceUnwrap
  // Bytes are written only while some remain, so the buffer has a base address.
  private func pump(writing bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      var fds = [
        pollfd(fd: input, events: Int16(POLLOUT), revents: 0),
        pollfd(fd: stdoutClosed ? -1 : output, events: Int16(POLLIN), revents: 0),
        pollfd(fd: stderrClosed ? -1 : errors, events: Int16(POLLIN), revents: 0),
      ]
      guard poll(&fds, 3, 1000) >= 0 || errno == EINTR else { return }
      if fds[1].revents != 0 || fds[2].revents != 0 { readAvailable(timeoutMilliseconds: 0) }
      if fds[0].revents & Int16(POLLERR | POLLHUP) != 0 { return }
      if fds[0].revents & Int16(POLLOUT) != 0 {
        let chunk = min(bytes.count - offset, 1 << 16)
        let written = bytes.withUnsafeBytes { write(input, $0.baseAddress! + offset, chunk) }
        if written < 0 {
          if errno == EINTR || errno == EAGAIN { continue }
          return
        }
        offset += written
      }
    }
  }

  private func readAvailable(timeoutMilliseconds: Int32) {
    var fds = [
      pollfd(fd: stdoutClosed ? -1 : output, events: Int16(POLLIN), revents: 0),
      pollfd(fd: stderrClosed ? -1 : errors, events: Int16(POLLIN), revents: 0),
    ]
    guard poll(&fds, 2, timeoutMilliseconds) > 0 else { return }
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    if fds[0].revents != 0 {
      let count = read(output, &chunk, chunk.count)
      if count > 0 {
        stdoutBuffer += chunk[0..<count]
      } else if count == 0 || errno != EINTR {
        stdoutClosed = true
      }
    }
    if fds[1].revents != 0 {
      let count = read(errors, &chunk, chunk.count)
      if count > 0 {
        stderrBuffer += chunk[0..<count]
      } else if count == 0 || errno != EINTR {
        stderrClosed = true
      }
    }
  }

  private static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}

/// Where the package, the built binaries and the fixtures are.
enum Paths {
  /// The package root, found from this file's path.
  static let package: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)  // Tests/TailorCLITests/Support/Subprocess.swift
    return parts.joined(separator: "/")
  }()

  /// The test fixtures directory.
  static let fixtures = package + "/Tests/TailorCLITests/Fixtures"

  /// A built executable of this package: beside the test bundle, else in `.build/debug`.
  static func executable(_ name: String) -> String? {
    var candidates: [String] = []
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    if length > 0 {
      let exe = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      var directory = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
        separator: "/"
      )
      // On Linux the tests run from `<build>/TailorPackageTests.xctest`; on macOS from inside the bundle.
      if directory.hasSuffix(".xctest/Contents/MacOS") {
        directory = directory.split(separator: "/").dropLast(3).joined(separator: "/")
        directory = "/" + directory
      }
      candidates.append(directory + "/" + name)
    }
    candidates.append(package + "/.build/debug/" + name)
    return candidates.first { access($0, X_OK) == 0 }
  }

  static func read(_ path: String) -> [UInt8]? { TestFiles.read(path) }

  static func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
  }

  static var updateGoldens: Bool { getenv("TAILOR_UPDATE_GOLDENS") != nil }
}
