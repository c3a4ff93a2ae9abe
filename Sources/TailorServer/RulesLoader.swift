import Tailor
import TailorGrowthBook

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Loads rules documents for `tailor serve`: bounded, from regular files only,
/// and, for paths named in requests, confined to the rules directory.
///
/// - **Bounded.** No source may hold more than ``maxBytes``: a larger file is
///   refused before it is read, reading stops as soon as a file that grows
///   passes the limit, and inline rules are measured too (`rules_too_large`).
/// - **Regular files only.** A file is checked with `stat(2)` before it is
///   opened, opened without blocking and checked again with `fstat(2)`, so a
///   FIFO, a device, a directory or a socket is refused at once
///   (`not_a_regular_file`) and no load waits for a writer.
/// - **Confined.** A path from `op: load` is read from ``directory``: a relative
///   path is resolved in it; `..`, an absolute path outside it and symbolic links
///   that lead out of it are refused (`path_outside_rules_dir`). The operator's
///   own file (`--rules` and its reloads) is bounded but not confined.
/// - **Quiet.** A refusal or a read error quotes nothing from the file; only a
///   document that is read and parsed has diagnostics about its content.
package struct RulesLoader: Sendable {
  /// The rules, or the error that keeps the previous ones.
  package typealias Loaded = Result<ServedRules, TailorError>

  /// The default of `--max-rules-bytes`: 256 MiB.
  package static let defaultMaxBytes = 256 << 20

  /// The most bytes a document may hold.
  package var maxBytes: Int
  /// Where `op: load` paths are read from; `nil` leaves them unconfined.
  package var directory: RulesDirectory?
  /// Whether to run the analyses that only warn (`--skip-analysis` turns them off).
  package var analyze = true
  /// What the loaded files and inline documents are.
  package var format = Format.rules

  /// What a load reads.
  package enum Format: Sendable, Equatable {
    /// Tailor rules documents.
    case rules
    /// GrowthBook SDK payloads, decrypted with the key when they hold encrypted sections.
    case growthbook(decryptionKey: String?)

    /// What a document of this format is called in messages.
    package var noun: String {
      switch self {
      case .rules: "rules document"
      case .growthbook: "GrowthBook payload"
      }
    }

    /// What a failed load's message ends with.
    package var kept: String {
      switch self {
      case .rules: "the previous rules stay"
      case .growthbook: "the previous payload stays"
      }
    }
  }

  package init(maxBytes: Int = RulesLoader.defaultMaxBytes, directory: RulesDirectory? = nil) {
    self.maxBytes = maxBytes
    self.directory = directory
  }

  /// Loads a document.
  ///
  /// - Parameters:
  ///   - source: a file or inline bytes.
  ///   - confined: whether a file's path comes from a request and must lie in ``directory``.
  /// - Returns: the rules, or the error that keeps the previous ones: the
  ///   document's diagnostics, or one diagnostic with a file code
  ///   (``isFileFailure(_:)``).
  package func load(_ source: RequestHandler.RulesSource, confined: Bool) -> Loaded {
    var times = LoadTimes()
    var began = MonotonicClock.nanoseconds()
    let bytes: [UInt8]
    let file: String?
    switch source {
    case .inline(let inline):
      guard inline.count <= maxBytes else {
        return .failure(
          RulesLoader.failure(
            .rulesTooLarge,
            file: nil,
            "the inline document holds \(inline.count) bytes, more than the limit of \(maxBytes)",
            notes: [RulesLoader.raiseLimitNote]
          )
        )
      }
      bytes = inline
      file = nil
    case .file(let path):
      do {
        bytes = try read(path, confined: confined)
      } catch {
        return .failure(error)
      }
      file = path
    }
    times.read = LoadTimes.seconds(since: began)
    began = MonotonicClock.nanoseconds()
    if case .growthbook(let key) = format {
      return loadPayload(bytes, file: file, decryptionKey: key, times: times, began: began)
    }
    do {
      let rules = try Rules(json: bytes, file: file, analyze: analyze)
      times.compile = LoadTimes.seconds(since: began)
      return .success(
        ServedRules(rules, file: file, loadedAt: Date().timeIntervalSince1970, times: times)
      )
    } catch {
      return .failure(error)
    }
  }

  /// Reads a GrowthBook payload; with ``analyze``, also its lint warnings.
  private func loadPayload(
    _ bytes: [UInt8],
    file: String?,
    decryptionKey: String?,
    times: LoadTimes,
    began: UInt64
  ) -> Loaded {
    var times = times
    let payload: GrowthBook.Payload
    do {
      payload = try GrowthBook.Payload(json: bytes, decryptionKey: decryptionKey)
    } catch {
      return .failure(
        TailorError(diagnostics: DocumentLoader.locate(error.diagnostics, in: bytes, file: file))
      )
    }
    let warnings =
      analyze
      ? GrowthBook.Payload.lint(json: bytes, file: file, decryptionKey: decryptionKey).filter {
        $0.severity == .warning
      } : []
    times.compile = LoadTimes.seconds(since: began)
    return .success(
      ServedRules(
        growthbook: ServedPayload(payload: payload, warnings: warnings),
        file: file,
        loadedAt: Date().timeIntervalSince1970,
        times: times
      )
    )
  }

  /// The codes of a file that could not be read; the document was never parsed.
  package static let fileCodes: Set<Diagnostic.Code> = [
    .fileUnreadable, .rulesTooLarge, .notARegularFile, .pathOutsideRulesDirectory,
  ]

  /// The one diagnostic of a load that could not read its file, if that is why it failed.
  package static func fileFailure(_ error: TailorError) -> Diagnostic? {
    guard error.diagnostics.count == 1, let only = error.diagnostics.first,
      fileCodes.contains(only.code)
    else { return nil }
    return only
  }

  /// Whether a load failed because its file could not be read (rather than
  /// because the document has errors).
  package static func isFileFailure(_ error: TailorError) -> Bool { fileFailure(error) != nil }

  // MARK: Reading

  /// The bytes of the file at `path`, or the error that refuses it.
  func read(_ path: String, confined: Bool) throws(TailorError) -> [UInt8] {
    if path.utf8.contains(0) {
      throw RulesLoader.unreadable(path, "the path contains a NUL character")
    }
    var target = path
    if confined, let directory {
      target = try directory.resolve(path)
    }
    // Refuse special files before opening them: opening some devices has effects.
    guard let before = System.status(ofPath: target) else {
      throw RulesLoader.unreadable(path, Log.describeErrno())
    }
    if let kind = RulesLoader.specialKind(before.kind) {
      throw RulesLoader.notRegular(path, kind)
    }
    var options: System.OpenOptions = [.nonBlocking, .closeOnExec, .noControllingTerminal]
    // Confined paths are already resolved: a link put in place since then is refused.
    if confined && directory != nil { options.insert(.noFollow) }
    let descriptor = System.openForReading(target, options)
    guard descriptor >= 0 else {
      throw RulesLoader.unreadable(path, Log.describeErrno())
    }
    defer { System.closeDescriptor(descriptor) }
    if confined, let directory, let opened = System.openedPath(descriptor),
      !directory.contains(opened)
    {
      throw RulesLoader.outside(path, directory, "leads outside the rules directory")
    }
    guard let status = System.status(ofDescriptor: descriptor) else {
      throw RulesLoader.unreadable(path, Log.describeErrno())
    }
    if let kind = RulesLoader.specialKind(status.kind) {
      throw RulesLoader.notRegular(path, kind)
    }
    let size = status.size
    if size > maxBytes {
      throw RulesLoader.failure(
        .rulesTooLarge,
        file: path,
        "`\(path)` holds \(size) bytes, more than the limit of \(maxBytes)",
        notes: [RulesLoader.raiseLimitNote]
      )
    }
    return try readAll(descriptor, path: path, expected: size)
  }

  // swift-format-ignore: NeverForceUnwrap
  // The buffer always has room for at least one byte (see `grown`), so it has a base address.
  /// Reads to the end of the file, stopping once more than ``maxBytes`` arrived.
  private func readAll(
    _ descriptor: Int32,
    path: String,
    expected: Int
  ) throws(TailorError)
    -> [UInt8]
  {
    // One byte beyond the expected size, so the end is seen without growing;
    // files in /proc report size 0 and grow the buffer as they are read.
    var bytes = [UInt8](repeating: 0, count: min(max(expected, 4095), maxBytes) + 1)
    var count = 0
    while true {
      let received = bytes.withUnsafeMutableBytes { buffer in
        System.readBytes(descriptor, buffer.baseAddress! + count, buffer.count - count)
      }
      if received < 0 {
        if System.lastError == System.interrupted { continue }
        throw RulesLoader.unreadable(path, Log.describeErrno())
      }
      if received == 0 { break }
      count += received
      if count > maxBytes {
        throw RulesLoader.failure(
          .rulesTooLarge,
          file: path,
          "`\(path)` grew past the limit of \(maxBytes) bytes while it was read",
          notes: [RulesLoader.raiseLimitNote]
        )
      }
      if count == bytes.count {
        let grown = min(bytes.count * 2, maxBytes + 1)
        bytes.append(contentsOf: repeatElement(0, count: grown - bytes.count))
      }
    }
    bytes.removeLast(bytes.count - count)
    return bytes
  }

  /// What a file is, when it is not a regular file.
  static func specialKind(_ kind: System.FileKind) -> String? {
    switch kind {
    case .regular: nil
    case .directory: "a directory"
    case .fifo: "a FIFO"
    case .characterDevice: "a character device"
    case .blockDevice: "a block device"
    case .socket: "a socket"
    case .symbolicLink: "a symbolic link"
    case .other: "not a regular file"
    }
  }

  // MARK: Diagnostics

  static let raiseLimitNote = "`tailor serve --max-rules-bytes` sets the limit"

  static func failure(
    _ code: Diagnostic.Code,
    file: String?,
    _ message: String,
    notes: [String] = []
  ) -> TailorError {
    TailorError(diagnostics: [diagnostic(code, file: file, message, notes: notes)])
  }

  static func diagnostic(
    _ code: Diagnostic.Code,
    file: String?,
    _ message: String,
    notes: [String] = []
  ) -> Diagnostic {
    Diagnostic(
      code: code,
      message: message,
      location: SourceLocation(pointer: .root, file: file),
      notes: notes
    )
  }

  static func unreadable(_ path: String, _ reason: String) -> TailorError {
    failure(.fileUnreadable, file: path, "cannot read `\(path)`: \(reason)")
  }

  static func notRegular(_ path: String, _ kind: String) -> TailorError {
    failure(
      .notARegularFile,
      file: path,
      "`\(path)` is \(kind), not a regular file",
      notes: ["rules are read only from regular files"]
    )
  }

  static func outside(
    _ path: String,
    _ directory: RulesDirectory,
    _ problem: String
  )
    -> TailorError
  {
    failure(
      .pathOutsideRulesDirectory,
      file: path,
      "`\(path)` \(problem)",
      notes: ["`op: load` reads files under `\(directory.path)` (`tailor serve --rules-dir`)"]
    )
  }
}

/// The directory that `op: load` paths are confined to.
package struct RulesDirectory: Sendable, Equatable {
  /// The directory's real path: absolute, without symbolic links.
  package let path: String
  /// Its components.
  private let real: [Substring]
  /// The absolute path as the operator spelled it, when that differs (through
  /// a symbolic link): absolute request paths may name the directory either way.
  private let spelled: [Substring]?

  /// The directory at `path`, or a message saying why it cannot be used.
  package static func open(_ path: String) -> Result<RulesDirectory, RulesDirectoryError> {
    guard !path.utf8.contains(0), let real = System.resolvedPath(path) else {
      return .failure(RulesDirectoryError(message: "`\(path)`: \(Log.describeErrno())"))
    }
    guard System.status(ofPath: real)?.kind == .directory else {
      return .failure(RulesDirectoryError(message: "`\(path)` is not a directory"))
    }
    var absolute = path
    if !path.hasPrefix("/") {
      guard let cwd = System.currentDirectory() else {
        return .success(RulesDirectory(real: real, spelled: nil))
      }
      absolute = cwd + "/" + path
    }
    return .success(RulesDirectory(real: real, spelled: absolute))
  }

  private init(real: String, spelled: String?) {
    path = real
    self.real = RulesDirectory.components(real) ?? []
    let spelledComponents = spelled.flatMap(RulesDirectory.components)
    self.spelled = spelledComponents == self.real ? nil : spelledComponents
  }

  /// An absolute path's components without `.` and empty ones; `nil` if it has `..`.
  static func components(_ path: String) -> [Substring]? {
    let parts = path.split(separator: "/").filter { $0 != "." }
    return parts.contains("..") ? nil : parts
  }

  /// Whether the real path `path` is the directory or lies beneath it.
  func contains(_ path: String) -> Bool {
    guard path.hasPrefix("/"), let parts = RulesDirectory.components(path) else { return false }
    return parts.starts(with: real)
  }

  /// Whether the absolute `path`, as spelled, names the directory or lies beneath it
  /// (through the directory's real path or the operator's spelling of it).
  func containsSpelling(_ path: String) -> Bool {
    guard path.hasPrefix("/"), let parts = RulesDirectory.components(path) else { return false }
    return parts.starts(with: real) || spelled.map { parts.starts(with: $0) } == true
  }

  /// The real path of a request's file, or the error that refuses it.
  ///
  /// Absolute paths are checked by their spelling before the file system is
  /// asked anything, so a request cannot probe what lies outside.
  func resolve(_ path: String) throws(TailorError) -> String {
    if path.isEmpty { throw RulesLoader.failure(.fileUnreadable, file: path, "the path is empty") }
    if path.split(separator: "/").contains("..") {
      throw RulesLoader.outside(path, self, "is outside the rules directory: `..` is not allowed")
    }
    if path.hasPrefix("/"), !containsSpelling(path) {
      throw RulesLoader.outside(path, self, "is outside the rules directory")
    }
    let candidate = path.hasPrefix("/") ? path : self.path + "/" + path
    guard let real = System.resolvedPath(candidate) else {
      throw RulesLoader.unreadable(path, Log.describeErrno())
    }
    guard contains(real) else {
      throw RulesLoader.outside(path, self, "leads outside the rules directory")
    }
    return real
  }
}

/// Why a rules directory cannot be used.
package struct RulesDirectoryError: Error {
  package var message: String
}

extension Diagnostic.Code {
  /// A rules file or inline document is larger than `tailor serve --max-rules-bytes`.
  package static let rulesTooLarge: Self = "rules_too_large"
  /// A rules path names a FIFO, a device, a directory or a socket.
  package static let notARegularFile: Self = "not_a_regular_file"
  /// An `op: load` path leads outside the rules directory.
  package static let pathOutsideRulesDirectory: Self = "path_outside_rules_dir"
}
