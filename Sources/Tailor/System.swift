#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#else
#error("Tailor needs Glibc, Musl or Darwin")
#endif

/// The C library calls Tailor makes, in the one file that imports the platform's
/// C module (`Glibc`, `Musl` or `Darwin`).
///
/// Every signature here is the same on each platform, and every difference
/// between the platforms' declarations (the `sigaction` handler field, how to
/// ask for an open file's path) is settled inside, so code outside this file
/// builds wherever this file does. Members are named apart from the C functions
/// they call, so no member shadows its own callee.
package enum System {
  // MARK: Errors

  /// The calling thread's `errno`.
  package static var lastError: Int32 {
    get { errno }
    set { errno = newValue }
  }

  /// `EINTR`: a signal interrupted the call; try again.
  package static var interrupted: Int32 { EINTR }

  /// `EAGAIN`: a non-blocking descriptor is not ready; try again later.
  package static var wouldBlock: Int32 { EAGAIN }

  /// The `errno` of the last failed call as lower-case text, such as
  /// `no such file or directory`.
  package static func describeLastError() -> String {
    let number = errno
    guard let text = strerror(number) else { return "error \(number)" }
    return String(cString: text).lowercased()
  }

  // MARK: Descriptors

  /// How ``openForReading(_:_:)`` opens a file, besides read-only.
  package struct OpenOptions: OptionSet, Sendable {
    package let rawValue: Int32
    package init(rawValue: Int32) { self.rawValue = rawValue }

    /// `O_NONBLOCK`: opening a FIFO or a device does not wait.
    package static let nonBlocking = OpenOptions(rawValue: O_NONBLOCK)
    /// `O_CLOEXEC`: the descriptor is not inherited by programs this one runs.
    package static let closeOnExec = OpenOptions(rawValue: O_CLOEXEC)
    /// `O_NOCTTY`: a terminal opened does not become the controlling terminal.
    package static let noControllingTerminal = OpenOptions(rawValue: O_NOCTTY)
    /// `O_NOFOLLOW`: a symbolic link as the last component is refused.
    package static let noFollow = OpenOptions(rawValue: O_NOFOLLOW)
  }

  /// `open(2)` for reading: the new descriptor, or -1 with ``lastError`` set.
  package static func openForReading(_ path: String, _ options: OpenOptions = []) -> Int32 {
    open(path, O_RDONLY | options.rawValue)
  }

  /// `close(2)`.
  @discardableResult
  package static func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
  }

  /// `read(2)`: the bytes read, 0 at the end, or -1 with ``lastError`` set.
  @inlinable
  package static func readBytes(
    _ descriptor: Int32,
    _ buffer: UnsafeMutableRawPointer?,
    _ count: Int
  ) -> Int {
    read(descriptor, buffer, count)
  }

  /// `write(2)`: the bytes written, or -1 with ``lastError`` set.
  @inlinable
  package static func writeBytes(
    _ descriptor: Int32,
    _ buffer: UnsafeRawPointer?,
    _ count: Int
  )
    -> Int
  {
    write(descriptor, buffer, count)
  }

  /// `pipe(2)`: the read and write ends, or `nil` with ``lastError`` set.
  package static func makePipe() -> (read: Int32, write: Int32)? {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { return nil }
    return (ends[0], ends[1])
  }

  /// Makes reads and writes on `descriptor` return at once instead of waiting
  /// (`O_NONBLOCK`), and keeps it from programs this one runs (`FD_CLOEXEC`).
  package static func makeNonBlockingAndPrivate(_ descriptor: Int32) {
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
  }

  /// `poll(2)` for input: whether each of `descriptors` can be read without blocking.
  ///
  /// A descriptor at its end or with an error counts as ready (a read returns 0 or
  /// an error at once). Waits at most `timeoutMilliseconds` (-1: without limit).
  /// `nil` when the call failed, with ``lastError`` set.
  package static func waitForInput(
    _ descriptors: [Int32],
    timeoutMilliseconds: Int32
  ) -> [Bool]? {
    var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    guard poll(&entries, nfds_t(entries.count), timeoutMilliseconds) >= 0 else { return nil }
    return entries.map { $0.revents != 0 }
  }

  // MARK: Files

  /// What a path or an open descriptor names, from `stat(2)` or `fstat(2)`.
  package struct FileStatus: Sendable {
    /// The file's kind.
    package var kind: FileKind
    /// Its size in bytes, as the system reports it (0 for many special files).
    package var size: Int
  }

  /// The kinds of file `stat(2)` tells apart.
  package enum FileKind: Sendable {
    case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink, other
  }

  /// `stat(2)`: the status of the file at `path` (links followed), or `nil` with
  /// ``lastError`` set.
  package static func status(ofPath path: String) -> FileStatus? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return fileStatus(status)
  }

  /// `fstat(2)`: the status of the file open at `descriptor`, or `nil` with
  /// ``lastError`` set.
  package static func status(ofDescriptor descriptor: Int32) -> FileStatus? {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return nil }
    return fileStatus(status)
  }

  private static func fileStatus(_ status: stat) -> FileStatus {
    let kind: FileKind =
      switch status.st_mode & S_IFMT {
      case S_IFREG: .regular
      case S_IFDIR: .directory
      case S_IFIFO: .fifo
      case S_IFCHR: .characterDevice
      case S_IFBLK: .blockDevice
      case S_IFSOCK: .socket
      case S_IFLNK: .symbolicLink
      default: .other
      }
    return FileStatus(kind: kind, size: Int(status.st_size))
  }

  /// `realpath(3)`: `path` absolute, with every link, `.` and `..` resolved, or
  /// `nil` with ``lastError`` set.
  package static func resolvedPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// `getcwd(3)`: the working directory, or `nil` when it cannot be told.
  package static func currentDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return text(buffer.prefix { $0 != 0 })
  }

  /// The absolute path the kernel has for the file open at `descriptor`, if it
  /// can tell (Linux: the `/proc/self/fd` link; Darwin: `F_GETPATH`).
  package static func openedPath(_ descriptor: Int32) -> String? {
    // Darwin's F_GETPATH needs MAXPATHLEN bytes, which is PATH_MAX there.
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    #if canImport(Darwin)
    guard fcntl(descriptor, F_GETPATH, &buffer) != -1 else { return nil }
    let path = text(buffer.prefix { $0 != 0 })
    #else
    let length = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    let path = text(buffer[0..<length])
    #endif
    return path.hasPrefix("/") ? path : nil
  }

  private static func text(_ characters: some Collection<CChar>) -> String {
    String(decoding: characters.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: Memory

  /// `memchr(3)`: the first `byte` in the `count` bytes at `start`, or `nil`.
  @inlinable
  package static func firstByte(
    _ byte: UInt8,
    in start: UnsafeRawPointer,
    count: Int
  ) -> UnsafeRawPointer? {
    UnsafeRawPointer(memchr(start, Int32(byte), count))
  }

  /// `memcmp(3) == 0`: whether the `count` bytes at `first` and at `second` are equal.
  @inlinable
  package static func bytesEqual(
    _ first: UnsafeRawPointer,
    _ second: UnsafeRawPointer,
    count: Int
  ) -> Bool {
    memcmp(first, second, count) == 0
  }

  // MARK: Signals

  /// `SIGTERM`.
  package static var terminateSignal: Int32 { SIGTERM }
  /// `SIGINT`.
  package static var interruptSignal: Int32 { SIGINT }
  /// `SIGHUP`.
  package static var hangUpSignal: Int32 { SIGHUP }

  /// Unblocks `signals` on the calling thread (`pthread_sigmask`), so they arrive
  /// even when a parent left them blocked.
  package static func unblock(_ signals: [Int32]) {
    var set = sigset_t()
    sigemptyset(&set)
    for number in signals { sigaddset(&set, number) }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  /// Installs `handler` for each of `signals` with `sigaction(2)`, no signal
  /// masked while it runs and no flags.
  package static func handle(_ signals: [Int32], with handler: @convention(c) (Int32) -> Void) {
    for number in signals {
      var action = sigaction()
      #if canImport(Glibc)
      action.__sigaction_handler.sa_handler = handler
      #elseif canImport(Musl)
      action.__sa_handler.sa_handler = handler
      #elseif canImport(Darwin)
      action.__sigaction_u.__sa_handler = handler
      #endif
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      sigaction(number, &action, nil)
    }
  }

  /// Ignores SIGPIPE, so that writing to a closed pipe is an error from
  /// `write(2)` (`EPIPE`), not the end of the process.
  package static func ignoreBrokenPipe() {
    signal(SIGPIPE, SIG_IGN)
  }

  // MARK: Clocks and process

  /// The wall clock (`CLOCK_REALTIME`) in seconds since the epoch.
  package static func wallClockSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_REALTIME, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  /// A monotonic clock (`CLOCK_MONOTONIC`) in nanoseconds.
  package static func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
  }

  /// `exit(3)`: ends the process with `status`.
  package static func exitProcess(_ status: Int32) -> Never {
    exit(status)
  }

  // MARK: Threads

  /// The stack of the thread ``concurrently(_:while:)`` starts: as deep as a main
  /// thread's usual 8 MiB would be needlessly large, and a secondary thread's
  /// default (512 KiB on Darwin) too small for checks that recurse through
  /// conditions nested 256 levels deep.
  static let backgroundStackBytes = 4 << 20

  /// Whether loading keeps to the calling thread.
  ///
  /// It does when the environment variable `TAILOR_LOAD_THREADS` is `1`: a load's
  /// instruction count then repeats from run to run (CI's gates count instructions
  /// under valgrind), where a second thread's timing moves it by hundreds of thousands.
  static let loadsOnOneThread: Bool = {
    guard let value = getenv("TAILOR_LOAD_THREADS") else { return false }
    return String(cString: value) == "1"
  }()

  /// Runs `background` on a new thread while the calling thread runs `foreground`,
  /// and returns what `background` returned once both have finished.
  ///
  /// The thread is started and joined here (`pthread_create`, `pthread_join`), never
  /// taken from a pool, so it makes progress whatever pool the caller runs on. When
  /// the system refuses a thread, or ``loadsOnOneThread``, both run on the calling
  /// thread, one after the other.
  package static func concurrently<Result: Sendable>(
    _ background: @escaping @Sendable () -> Result,
    while foreground: () -> Void
  ) -> Result {
    let task = BackgroundTask(background)
    guard !loadsOnOneThread, let thread = task.start(stackBytes: backgroundStackBytes) else {
      foreground()
      return background()
    }
    foreground()
    pthread_join(thread, nil)
    return task.take()
  }
}

/// The part of a ``BackgroundTask`` its thread's C entry point can see.
private class BackgroundWork {
  func run() {}
}

/// One call run on its own thread, and the place its result waits for the join.
///
/// `@unchecked Sendable`: `result` is written once, by the started thread before it
/// ends, and read only by the thread that joined it (`pthread_join` orders the two).
private final class BackgroundTask<Result: Sendable>: BackgroundWork, @unchecked Sendable {
  private let body: @Sendable () -> Result
  private var result: Result?

  init(_ body: @escaping @Sendable () -> Result) { self.body = body }

  override func run() { result = body() }

  /// The result, after the thread has been joined.
  func take() -> Result {
    guard let result else { preconditionFailure("a background task was joined before it ran") }
    return result
  }

  /// Starts the thread; `nil` when the system refuses one.
  func start(stackBytes: Int) -> pthread_t? {
    var attributes = pthread_attr_t()
    guard pthread_attr_init(&attributes) == 0 else { return nil }
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackBytes)
    // The thread owns one reference until its work has run.
    let context = Unmanaged.passRetained(self as BackgroundWork).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t?
    let status = pthread_create(
      &thread,
      &attributes,
      { context in
        // Runs the work the context retains, then releases it.
        Unmanaged<BackgroundWork>.fromOpaque(context).takeRetainedValue().run()
        return nil
      },
      context
    )
    #else
    var thread = pthread_t()
    let status = pthread_create(
      &thread,
      &attributes,
      { context in
        // Runs the work the context retains, then releases it.
        if let context { Unmanaged<BackgroundWork>.fromOpaque(context).takeRetainedValue().run() }
        return nil
      },
      context
    )
    #endif
    guard status == 0 else {
      Unmanaged<BackgroundWork>.fromOpaque(context).release()
      return nil
    }
    return thread
  }
}
