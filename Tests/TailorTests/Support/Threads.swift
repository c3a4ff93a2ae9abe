#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs work on a thread with a chosen stack size, to check that deep inputs
/// fit the stacks Tailor is called on: 8 MB on a main thread, 512 KB on
/// macOS's secondary threads (and Swift Testing runs tests on secondary threads).
enum Threads {
  /// The stack of macOS's secondary threads.
  static let secondaryStackSize = 512 * 1024

  // swift-format-ignore: NeverForceUnwrap
  // The job has run when `run` returns, so its result is set.
  /// Runs `body` on a new thread with a `stackSize`-byte stack and returns its result.
  static func run<Result: Sendable>(
    stackSize: Int = secondaryStackSize,
    _ body: @escaping @Sendable () -> Result
  ) -> Result {
    let job = Job(body)
    start(job, stackSize: stackSize)
    return job.result!
  }

  private class AnyJob: @unchecked Sendable {
    func execute() {}
  }

  private final class Job<Result: Sendable>: AnyJob, @unchecked Sendable {
    let body: @Sendable () -> Result
    var result: Result?
    init(_ body: @escaping @Sendable () -> Result) { self.body = body }
    override func execute() { result = body() }
  }

  // swift-format-ignore: NeverForceUnwrap
  // `pthread_create` succeeded (checked above), so the thread is set.
  /// Runs `job` on a new thread and waits for it.
  private static func start(_ job: AnyJob, stackSize: Int) {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    pthread_attr_setstacksize(&attributes, stackSize)
    let context = Unmanaged.passRetained(job).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    let created = pthread_create(&thread, &attributes, threadMain, context)
    precondition(created == 0, "pthread_create failed: \(created)")
    pthread_join(thread, nil)
    #else
    var thread: pthread_t?
    let created = pthread_create(&thread, &attributes, threadMain, context)
    precondition(created == 0, "pthread_create failed: \(created)")
    pthread_join(thread!, nil)
    #endif
    pthread_attr_destroy(&attributes)
  }

  #if canImport(Glibc)
  // swift-format-ignore: NeverForceUnwrap
  // `pthread_create` passes the context it was given, which is never nil.
  private static let threadMain:
    @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = {
      Unmanaged<AnyJob>.fromOpaque($0!).takeRetainedValue().execute()
      return nil
    }
  #else
  private static let threadMain:
    @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? = {
      Unmanaged<AnyJob>.fromOpaque($0).takeRetainedValue().execute()
      return nil
    }
  #endif
}
