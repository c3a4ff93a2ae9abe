import Dispatch
import Tailor

/// Framing and flushing for `tailor serve`: JSON lines from a file descriptor to another.
///
/// - Input is read with `read(2)` in large chunks; every complete line in the
///   buffer is answered before the next read, exactly one response per
///   non-blank line, in input order.
/// - Output collects in one buffer and is written when input is idle (nothing
///   more is immediately readable, so a client that sends one line and waits
///   gets its answer at once), when it reaches ``flushBytes`` while input
///   streams, and at the end.
/// - A line longer than `maxLineBytes` is never buffered whole: the server
///   skips to its end and answers `line_too_long`.
/// - With several threads, the lines of a chunk are split into contiguous runs
///   answered in parallel and written in order. `load` and `stats` run alone,
///   between the lines before and after them.
/// - SIGTERM and SIGINT: answer what was read, flush, return. SIGHUP: reload
///   the rules file, keeping the old rules on error; signals that arrive
///   together (or during a load) cause one reload.
/// - Every load goes through the configured ``RulesLoader``: bounded in size,
///   regular files only, and `op: load` paths confined to the rules directory.
package final class LineServer {
  package struct Configuration {
    package var threads = 1
    package var maxLineBytes = 1 << 20
    package var maxDepth = 64
    package var input: Int32 = 0
    package var output: Int32 = 1
    /// Reads `op: load` documents and reloads.
    package var loader = RulesLoader()
    /// When set, each line is a profile, not a request (`--profile-lines`).
    package var profileLines: ProfileLines?
    /// The instant for requests without `now` (`--now`); `nil` reads the clock once per block.
    package var now: Double?

    package init(
      threads: Int = 1,
      maxLineBytes: Int = 1 << 20,
      maxDepth: Int = 64,
      input: Int32 = 0,
      output: Int32 = 1,
      loader: RulesLoader = RulesLoader(),
      profileLines: ProfileLines? = nil,
      now: Double? = nil
    ) {
      self.threads = threads
      self.maxLineBytes = maxLineBytes
      self.maxDepth = maxDepth
      self.input = input
      self.output = output
      self.loader = loader
      self.profileLines = profileLines
      self.now = now
    }
  }

  /// Output is written once it holds this many bytes, even while input streams.
  static let flushBytes = 1 << 20
  /// Bytes asked of each `read(2)`.
  static let readBytes = 1 << 20
  /// Fewer lines than this per worker are answered on the calling thread.
  static let linesPerWorker = 32

  private let configuration: Configuration
  private var handler: RequestHandler
  private var stats = ServerStats()
  /// The file SIGHUP reloads: the last file loaded, and whether it came from a
  /// request (and so stays confined to the rules directory).
  private var reloadSource: (path: String, confined: Bool)?

  private var buffer: UnsafeMutableBufferPointer<UInt8>
  /// Unanswered input is `buffer[start..<end]`.
  private var start = 0
  private var end = 0
  private var output: [UInt8] = []
  private var lineNumber = 0
  /// Inside an overlong line: its bytes are dropped until the next newline.
  private var isDiscarding = false
  private var isFinished = false
  private var outputFailed = false
  private var workers: [Worker] = []
  /// The serving thread's profile and evaluator, reused from line to line.
  private let scratch = RequestScratch()

  package init(rules: ServedRules, configuration: Configuration) {
    self.configuration = configuration
    self.handler = LineServer.handler(rules, configuration)
    self.reloadSource = rules.file.map { ($0, false) }
    self.stats.threads = configuration.threads
    let capacity = min(configuration.maxLineBytes + 1, LineServer.readBytes) + LineServer.readBytes
    buffer = .allocate(capacity: capacity)
    output.reserveCapacity(LineServer.flushBytes + (1 << 16))
    workers = (0..<max(1, configuration.threads)).map { _ in Worker() }
  }

  deinit { buffer.deallocate() }

  private static func handler(
    _ rules: ServedRules,
    _ configuration: Configuration
  )
    -> RequestHandler
  {
    RequestHandler(
      rules: rules,
      maxDepth: configuration.maxDepth,
      profileLines: configuration.profileLines,
      now: configuration.now
    )
  }

  /// Serves until end of input or a termination signal.
  ///
  /// Returns the exit status.
  package func run() -> Int32 {
    let signals = SignalPipe.install()
    while !isFinished {
      var ready = poll(signals: signals, wait: false)
      if ready.isEmpty {
        flush()
        ready = poll(signals: signals, wait: true)
      }
      if ready.contains(.signal) {
        handleSignals(signals)
        if isFinished { break }
      }
      if ready.contains(.input) { readInput(signals: signals) }
      if output.count >= LineServer.flushBytes { flush() }
    }
    flush()
    return outputFailed ? 1 : 0
  }

  // MARK: Input

  private struct Readiness: OptionSet {
    let rawValue: Int
    static let input = Readiness(rawValue: 1)
    static let signal = Readiness(rawValue: 2)
  }

  private func poll(signals: Int32, wait: Bool) -> Readiness {
    while true {
      guard
        let events = System.waitForInput(
          [configuration.input, signals],
          timeoutMilliseconds: wait ? -1 : 0
        )
      else {
        if System.lastError == System.interrupted { continue }
        // poll(2) cannot watch this input (some special files): just read it.
        return .input
      }
      var ready: Readiness = []
      // An end or an error counts too: a read will not block (it returns 0 or an error).
      if events[0] { ready.insert(.input) }
      if events[1] { ready.insert(.signal) }
      return ready
    }
  }

  // swift-format-ignore: NeverForceUnwrap
  // The input buffer is allocated once with a positive capacity, so it has a base address.
  private func readInput(signals: Int32) {
    if start > 0 || end == buffer.count { makeRoom() }
    let count = System.readBytes(configuration.input, buffer.baseAddress! + end, buffer.count - end)
    if count < 0 {
      if System.lastError == System.interrupted || System.lastError == System.wouldBlock { return }
      Log.error("cannot read input: \(Log.describeErrno())")
      finishInput()
      return
    }
    if count == 0 {
      // A signal that arrived with the end of input decides the last partial line's fate.
      if poll(signals: signals, wait: false).contains(.signal) {
        handleSignals(signals)
        if isFinished { return }
      }
      finishInput()
      return
    }
    let readStart = end
    end += count
    if isDiscarding { skipOverlongLine(from: readStart) }
    answerCompleteLines()
  }

  /// End of input: answer the last line even without a newline.
  private func finishInput() {
    if isDiscarding {
      answerOverlongLine()
    } else if start < end {
      lineNumber += 1
      answer([LineRef(range: start..<end, number: lineNumber)])
    }
    start = 0
    end = 0
    isFinished = true
  }

  // swift-format-ignore: NeverForceUnwrap
  // Both buffers are allocated with a positive capacity, so they have base addresses.
  /// Moves the unanswered partial line to the front of the buffer; when it fills
  /// the buffer, either grows the buffer or starts skipping the line as overlong.
  private func makeRoom() {
    if start > 0 {
      let pending = end - start
      if pending > 0 {
        (buffer.baseAddress! + 0).update(from: buffer.baseAddress! + start, count: pending)
      }
      start = 0
      end = pending
      if end < buffer.count { return }
    }
    // A partial line fills the whole buffer.
    if end > configuration.maxLineBytes {
      isDiscarding = true
      start = 0
      end = 0
      return
    }
    let grown = UnsafeMutableBufferPointer<UInt8>.allocate(
      capacity: min(buffer.count * 2, configuration.maxLineBytes + 1 + LineServer.readBytes)
    )
    grown.baseAddress!.update(from: buffer.baseAddress!, count: end)
    buffer.deallocate()
    buffer = grown
  }

  /// Drops bytes of an overlong line up to its newline, then answers it.
  private func skipOverlongLine(from offset: Int) {
    guard let newline = findNewline(in: offset..<end) else {
      start = 0
      end = 0
      return
    }
    answerOverlongLine()
    start = newline + 1
  }

  /// Answers the overlong line being skipped.
  private func answerOverlongLine() {
    isDiscarding = false
    lineNumber += 1
    answerOverlongLine(number: lineNumber)
  }

  private func answerOverlongLine(number: Int) {
    let failure = RequestFailure(
      code: .lineTooLong,
      message: "the line is longer than \(configuration.maxLineBytes) bytes",
      offset: nil
    )
    let began = MonotonicClock.nanoseconds()
    RequestHandler.writeError(
      failure,
      id: nil,
      line: UnsafeBufferPointer(start: nil, count: 0),
      lineNumber: number,
      into: &output
    )
    stats.record(.failed(.lineTooLong), nanoseconds: MonotonicClock.nanoseconds() - began)
  }

  /// Answers every complete line in the buffer.
  private func answerCompleteLines() {
    var lines: [LineRef] = []
    while start < end, !isDiscarding, let newline = findNewline(in: start..<end) {
      lineNumber += 1
      let line = LineRef(range: start..<newline, number: lineNumber)
      start = newline + 1
      if line.range.count > configuration.maxLineBytes {
        answer(lines)
        lines.removeAll(keepingCapacity: true)
        answerOverlongLine(number: line.number)
        continue
      }
      lines.append(line)
    }
    answer(lines)
    if start == end {
      start = 0
      end = 0
    } else if end - start > configuration.maxLineBytes {
      // The partial line is already too long: drop it now rather than buffer more.
      isDiscarding = true
      start = 0
      end = 0
    }
  }

  // swift-format-ignore: NeverForceUnwrap
  // The input buffer is allocated once with a positive capacity, so it has a base address.
  private func findNewline(in range: Range<Int>) -> Int? {
    guard !range.isEmpty,
      let found = System.firstByte(
        0x0A,
        in: buffer.baseAddress! + range.lowerBound,
        count: range.count
      )
    else {
      return nil
    }
    return UnsafeRawPointer(buffer.baseAddress!).distance(to: found)
  }

  // MARK: Answering

  struct LineRef {
    var range: Range<Int>
    var number: Int
  }

  /// Answers lines in order: in parallel runs when there are enough of them,
  /// stopping at each control request to perform it alone.
  private func answer(_ all: [LineRef]) {
    var lines = all[...].filter {
      !LineServer.isBlank(UnsafeBufferPointer(rebasing: buffer[$0.range]))
    }[...]
    while !lines.isEmpty {
      let workerCount = min(workers.count, lines.count / LineServer.linesPerWorker)
      let answered =
        workerCount > 1 ? answerInParallel(lines, workers: workerCount) : answerSerially(lines)
      lines = lines.dropFirst(answered)
      if let control = lines.first {
        perform(control)
        lines = lines.dropFirst()
      }
    }
  }

  /// Answers lines on this thread up to the first control request; returns how many were answered.
  private func answerSerially(_ lines: ArraySlice<LineRef>) -> Int {
    let input = UnsafeBufferPointer(buffer)
    var answered = 0
    // The output and counters are taken out of the server for the block, so
    // each line writes to locals.
    var output: [UInt8] = []
    var stats = ServerStats()
    swap(&output, &self.output)
    swap(&stats, &self.stats)
    defer {
      swap(&output, &self.output)
      swap(&stats, &self.stats)
    }
    let handler = self.handler
    let scratch = self.scratch
    // One clock reading per line: each line's end is the next one's start.
    var began = MonotonicClock.nanoseconds()
    scratch.blockTime = configuration.now ?? WallClock.seconds()
    for line in lines {
      let outcome = handler.respond(
        to: UnsafeBufferPointer(rebasing: input[line.range]),
        lineNumber: line.number,
        into: &output,
        scratch: scratch
      )
      if case .control = outcome { break }
      let ended = MonotonicClock.nanoseconds()
      stats.record(outcome, nanoseconds: ended - began)
      began = ended
      answered += 1
    }
    return answered
  }

  /// Answers contiguous runs of lines in parallel; returns how many lines,
  /// from the start, were answered before the first control request.
  private func answerInParallel(_ lines: ArraySlice<LineRef>, workers count: Int) -> Int {
    let shared = SharedInput(bytes: UnsafeBufferPointer(buffer))
    let handler = self.handler
    let all = Array(lines)
    let per = (all.count + count - 1) / count
    let workers = self.workers
    let blockTime = configuration.now ?? WallClock.seconds()
    DispatchQueue.concurrentPerform(iterations: count) { index in
      let input = shared.bytes
      let worker = workers[index]
      worker.reset()
      var began = MonotonicClock.nanoseconds()
      worker.scratch.blockTime = blockTime
      for position in (index * per)..<min(all.count, (index + 1) * per) {
        let line = all[position]
        let outcome = handler.respond(
          to: UnsafeBufferPointer(rebasing: input[line.range]),
          lineNumber: line.number,
          into: &worker.output,
          scratch: worker.scratch
        )
        if case .control = outcome { break }
        let ended = MonotonicClock.nanoseconds()
        worker.stats.record(outcome, nanoseconds: ended - began)
        began = ended
        worker.answered += 1
      }
    }
    var answered = 0
    for index in 0..<count {
      let worker = workers[index]
      output.append(contentsOf: worker.output)
      stats.merge(worker.stats)
      answered += worker.answered
      let expected = min(all.count, (index + 1) * per) - index * per
      // A control request stopped this run: later runs are answered again after it.
      if worker.answered < expected { break }
    }
    return answered
  }

  /// Performs `load` or `stats` (or answers a line that turns out not to be one).
  private func perform(_ line: LineRef) {
    let input = UnsafeBufferPointer(buffer)
    let text = UnsafeBufferPointer(rebasing: input[line.range])
    let began = MonotonicClock.nanoseconds()
    let outcome = handler.respond(
      to: text,
      lineNumber: line.number,
      into: &output,
      scratch: scratch
    )
    switch outcome {
    case .control(.stats, let id):
      RequestHandler.writeStats(stats, rules: handler.rules, id: id, line: text, into: &output)
    case .control(.load(let source), let id):
      let result = configuration.loader.load(source, confined: true)
      RequestHandler.writeLoaded(
        result,
        id: id,
        line: text,
        lineNumber: line.number,
        format: configuration.loader.format,
        into: &output
      )
      switch result {
      case .success(let rules):
        install(rules, confined: true)
        Log.info("loaded \(rules.summary)")
      case .failure(let error):
        stats.count(.invalidRules)
        Log.error("load failed on line \(line.number); keeping the previous rules:\n\(error)")
      }
    default:
      break
    }
    stats.record(outcome, nanoseconds: MonotonicClock.nanoseconds() - began)
  }

  private func install(_ rules: ServedRules, confined: Bool) {
    handler = LineServer.handler(rules, configuration)
    if let file = rules.file { reloadSource = (file, confined) }
    stats.loads += 1
  }

  static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
  }

  // MARK: Signals

  /// Handles every signal waiting on the pipe: a termination wins; any number
  /// of SIGHUPs (a storm, or those that arrived during a load) reload once.
  private func handleSignals(_ signals: Int32) {
    var received = [UInt8](repeating: 0, count: 256)
    var terminate = false
    var hangUp = false
    while true {
      let count = System.readBytes(signals, &received, received.count)
      if count < 0 && System.lastError == System.interrupted { continue }
      guard count > 0 else { break }
      for number in received[0..<count] {
        switch Int32(number) {
        case System.terminateSignal, System.interruptSignal: terminate = true
        case System.hangUpSignal: hangUp = true
        default: break
        }
      }
    }
    if terminate {
      if end > start {
        Log.info("stopping: dropping \(end - start) bytes of an unfinished line")
      }
      isFinished = true
    } else if hangUp {
      reload()
    }
  }

  private func reload() {
    guard let (path, confined) = reloadSource else {
      Log.error("SIGHUP: no rules file to reload (the rules were loaded inline)")
      return
    }
    switch configuration.loader.load(.file(path), confined: confined) {
    case .success(let rules):
      install(rules, confined: confined)
      Log.info("reloaded \(rules.summary)")
      for warning in rules.warnings { Log.write(warning.rendered(showingCode: true)) }
    case .failure(let error):
      Log.error("reload of \(path) failed; keeping the previous rules:\n\(error)")
    }
  }

  // MARK: Output

  // swift-format-ignore: NeverForceUnwrap
  // The output is not empty here (see the guard), so its bytes have a base address.
  private func flush() {
    guard !output.isEmpty else { return }
    if !outputFailed {
      let failed = output.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
          let written = System.writeBytes(
            configuration.output,
            bytes.baseAddress! + offset,
            bytes.count - offset
          )
          if written < 0 {
            if System.lastError == System.interrupted || System.lastError == System.wouldBlock {
              continue
            }
            return true
          }
          offset += written
        }
        return false
      }
      if failed {
        Log.error("cannot write output: \(Log.describeErrno()); stopping")
        outputFailed = true
        isFinished = true
      }
    }
    output.removeAll(keepingCapacity: true)
  }
}

/// The input buffer, read (never written) by every worker during a batch.
struct SharedInput: @unchecked Sendable {
  // @unchecked: a buffer pointer is not `Sendable`. The server neither writes nor
  // frees the buffer until `concurrentPerform` returns, after every worker is done.
  let bytes: UnsafeBufferPointer<UInt8>
}

/// One parallel worker's output and counters, reused across batches.
final class Worker: @unchecked Sendable {
  // @unchecked: mutable, unlocked state. Each worker is touched by one thread at a time: its own during a batch,
  // the server's between batches (concurrentPerform returns after all finish).
  var output: [UInt8] = []
  var stats = ServerStats()
  var answered = 0
  /// The worker's profile and evaluator, reused from line to line.
  let scratch = RequestScratch()

  func reset() {
    output.removeAll(keepingCapacity: true)
    stats.reset()
    answered = 0
  }
}

/// The wall clock in seconds since the epoch, for requests without `now`.
enum WallClock {
  static func seconds() -> Double { System.wallClockSeconds() }
}

/// A monotonic clock in nanoseconds.
enum MonotonicClock {
  static func nanoseconds() -> UInt64 { System.monotonicNanoseconds() }
}
