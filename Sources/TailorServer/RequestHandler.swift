@_spi(Server) import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Maps one request line to one response line (DESIGN §5), with no I/O.
///
/// Decision requests and `ping` are answered here. `load` and `stats` change or
/// read server state, so ``respond(to:lineNumber:into:scratch:)`` hands them back as
/// ``Disposition/control(_:id:)``; the server performs them with ``load(_:)`` and
/// writes the answers with ``writeLoaded(_:id:line:lineNumber:into:)`` and
/// ``writeStats(_:rules:id:line:into:)``. Every response ends with `\n`.
public struct RequestHandler: Sendable {
  /// The rules that answer decisions.
  public let rules: ServedRules
  /// The deepest nesting a request may have; the request object is depth 1
  /// (in profile-lines mode, the profile is).
  public let maxDepth: Int
  /// When set, each line is a profile rather than a request (``ProfileLines``).
  public let profileLines: ProfileLines?
  /// The instant, in seconds since the epoch, for requests without `now`;
  /// `nil` reads the clock.
  public let now: Double?
  /// The GrowthBook payload when the server serves one: every line is then a
  /// GrowthBook request (``respondToGrowthBook(_:line:lineNumber:into:)``).
  let growthbook: ServedPayload?

  /// A handler answering from `rules`.
  ///
  /// - Parameters:
  ///   - rules: the rules that answer decisions.
  ///   - maxDepth: the deepest nesting a line may have.
  ///   - profileLines: when set, each line is a profile, not a request.
  ///   - now: the instant for requests without `now`; `nil` reads the clock.
  public init(
    rules: ServedRules,
    maxDepth: Int,
    profileLines: ProfileLines? = nil,
    now: Double? = nil
  ) {
    self.rules = rules
    self.maxDepth = maxDepth
    self.profileLines = profileLines
    self.now = now
    self.growthbook = rules.growthbook
  }

  /// What a request turned out to be.
  public enum Disposition: Equatable {
    /// A response was written.
    case answered
    /// An error response was written.
    case failed(ProtocolError)
    /// A request the server must perform; nothing was written.
    case control(Control, id: Range<Int>?)
  }

  /// A request that reads or changes server state.
  public enum Control: Equatable {
    case load(RulesSource)
    case stats
  }

  /// Where `load` takes a document from.
  public enum RulesSource: Equatable {
    case file(String)
    /// The bytes of an inline `rules` value.
    case inline([UInt8])
  }

  /// Answers one non-blank line.
  ///
  /// - Parameters:
  ///   - line: the line's bytes, without its newline.
  ///   - lineNumber: the line's 1-based number in the input, for errors.
  ///   - output: where the answer (one line, with its newline) is appended.
  ///   - scratch: memory reused from line to line; one per thread.
  /// - Returns: whether the line was answered, failed, or is an op for the server.
  public func respond(
    to line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    into output: inout [UInt8],
    scratch: RequestScratch = RequestScratch()
  ) -> Disposition {
    if let growthbook {
      return respondToGrowthBook(growthbook, line: line, lineNumber: lineNumber, into: &output)
    }
    if let profileLines {
      if respondFastToProfile(profileLines, line: line, scratch: scratch, into: &output) {
        return .answered
      }
      return respondToProfileInFull(profileLines, line: line, lineNumber: lineNumber, into: &output)
    }
    if respondFast(to: line, scratch: scratch, into: &output) { return .answered }
    return respondInFull(to: line, lineNumber: lineNumber, into: &output)
  }

  /// Answers one non-blank line through the full scanner: every request shape and every error.
  func respondInFull(
    to line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    into output: inout [UInt8]
  ) -> Disposition {
    let (request, failure) = RequestScanner.scan(line, maxDepth: maxDepth)
    if let failure { return fail(failure, id: request.id, line, lineNumber, &output) }
    if let name = request.unknownField {
      return fail(
        .badRequest,
        "unknown request field `\(name)`",
        id: request.id,
        line,
        lineNumber,
        &output
      )
    }
    if let op = request.op { return respond(op: op, request, line, lineNumber, &output) }
    if request.path != nil || request.rules != nil {
      return fail(
        .badRequest,
        "`path` and `rules` belong to `\"op\": \"load\"`",
        id: request.id,
        line,
        lineNumber,
        &output
      )
    }
    guard let profileRange = request.profile else {
      return fail(
        .badRequest,
        "a request needs `profile` (or `op`)",
        id: request.id,
        line,
        lineNumber,
        &output
      )
    }
    guard line[profileRange.lowerBound] == UInt8(ascii: "{") else {
      return fail(
        RequestFailure(
          code: .badRequest,
          message: "`profile` must be an object",
          offset: profileRange.lowerBound
        ),
        id: request.id,
        line,
        lineNumber,
        &output
      )
    }
    var explain = false
    if let value = request.explain {
      guard case .bool(let flag) = value else {
        return fail(
          .badRequest,
          "`explain` must be true or false",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      explain = flag
    }
    var now = self.now.map { Date(timeIntervalSince1970: $0) }
    if let value = request.now {
      guard case .string(let text) = value, let seconds = DateTime.parse(text) else {
        return fail(
          .badRequest,
          "`now` must be an ISO-8601 date-time string, such as \"2026-07-01T12:00:00Z\"",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      now = Date(timeIntervalSince1970: seconds)
    }
    // The requested decisions, by document index, without repeats.
    var selected: [Int]?
    if let requested = request.decisions {
      guard let names = requested else {
        return fail(
          .badRequest,
          "`decisions` must be an array of decision names",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      var indices: [Int] = []
      var unknown: [String] = []
      for name in names {
        if let index = rules.index(of: name) {
          if !indices.contains(index) { indices.append(index) }
        } else {
          unknown.append("`\(name)`")
        }
      }
      if !unknown.isEmpty {
        let list = unknown.joined(separator: ", ")
        return fail(
          .unknownDecision,
          "unknown decision \(list)",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      selected = indices
    }
    let profileBytes = UnsafeBufferPointer(rebasing: line[profileRange])
    if explain {
      // Traces come from the reference interpreter, which reads the whole profile.
      let profile: Profile
      do {
        profile = try Profile(json: Array(profileBytes))
      } catch {
        return fail(
          RequestScanner.failure(error, at: profileRange.lowerBound),
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      RequestHandler.writeHead(id: request.id, line, into: &output)
      output.append(UInt8(ascii: ","))
      AnswerRenderer.writeDecisionsKey(into: &output)
      let decisions = (selected ?? Array(rules.rendered.indices)).compactMap { index in
        rules.rules.decide(
          rules.rendered[index].name,
          for: profile,
          at: now ?? Date(),
          explain: true
        )
        .map {
          (index, $0)
        }
      }
      for (position, (index, decision)) in decisions.enumerated() {
        if position > 0 { output.append(UInt8(ascii: ",")) }
        write(decision, rules.rendered[index], into: &output)
      }
      output.appendASCII("}}\n")
      return .answered
    }
    // The fast path: read only the fields the rules use, straight from the line.
    let prepared: PreparedProfile
    do {
      prepared = try rules.rules.prepare(json: profileBytes, maxDepth: maxDepth)
    } catch {
      return fail(
        RequestScanner.failure(error, at: profileRange.lowerBound),
        id: request.id,
        line,
        lineNumber,
        &output
      )
    }
    let instant = now ?? Date()
    RequestHandler.writeHead(id: request.id, line, into: &output)
    output.append(UInt8(ascii: ","))
    AnswerRenderer.writeDecisionsKey(into: &output)
    rules.rules.withEvaluator { evaluator in
      var first = true
      for index in selected ?? Array(rules.rendered.indices) {
        guard let id = rules.rules.decisionID(at: index) else { continue }
        let decision = evaluator.decide(id, for: prepared, at: instant)
        if !first { output.append(UInt8(ascii: ",")) }
        write(decision, rules.rendered[index], into: &output)
        first = false
      }
    }
    output.appendASCII("}}\n")
    return .answered
  }

  /// `"name":{…}`, copying the parts rendered once per document.
  func write(_ decision: Decision, _ rendered: RenderedDecision, into output: inout [UInt8]) {
    output.append(contentsOf: rendered.key)
    decision.write(into: &output) { rendered.value(of: $0.variant) }
  }

  private func respond(
    op: JSONValue,
    _ request: Request,
    _ line: UnsafeBufferPointer<UInt8>,
    _ lineNumber: Int,
    _ output: inout [UInt8]
  ) -> Disposition {
    let extra =
      [
        ("profile", request.profile != nil), ("decisions", request.decisions != nil),
        ("now", request.now != nil),
        ("explain", request.explain != nil),
      ].first { $0.1 }?.0
    switch op.stringValue {
    case "ping", "stats":
      if let extra {
        return fail(
          .badRequest,
          "`\(extra)` does not belong to `op`",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      if request.path != nil || request.rules != nil {
        return fail(
          .badRequest,
          "`path` and `rules` belong to `\"op\": \"load\"`",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      if op.stringValue == "stats" { return .control(.stats, id: request.id) }
      RequestHandler.writeHead(id: request.id, line, into: &output)
      output.appendASCII(",\"ok\":true}\n")
      return .answered
    case "load":
      if let extra {
        return fail(
          .badRequest,
          "`\(extra)` does not belong to `op`",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
      switch (request.path, request.rules) {
      case (.string(let path)?, nil): return .control(.load(.file(path)), id: request.id)
      case (nil, let range?): return .control(.load(.inline(Array(line[range]))), id: request.id)
      case (_?, nil):
        return fail(
          .badRequest,
          "`path` must be a file name",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      default:
        return fail(
          .badRequest,
          "`\"op\": \"load\"` needs exactly one of `path` and `rules`",
          id: request.id,
          line,
          lineNumber,
          &output
        )
      }
    default:
      return fail(
        .badRequest,
        "unknown op \(op.jsonText); ops are `load`, `stats` and `ping`",
        id: request.id,
        line,
        lineNumber,
        &output
      )
    }
  }

  // MARK: Control requests

  /// Loads a document as `op: load` does, with the default size limit and no
  /// rules directory: the new rules, or the error that keeps the old ones.
  ///
  /// The server loads through its configured ``RulesLoader`` instead.
  public static func load(_ source: RulesSource) -> Result<ServedRules, TailorError> {
    RulesLoader().load(source, confined: false)
  }

  /// Writes the answer to `load`: `{"id":…,"ok":true,"decisions":…,"rules":…,"segments":…,"warnings":[…]}`,
  /// or an `invalid_rules` error carrying every diagnostic (for a file that
  /// could not be read, the one diagnostic that says why).
  static func writeLoaded(
    _ result: Result<ServedRules, TailorError>,
    id: Range<Int>?,
    line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    format: RulesLoader.Format = .rules,
    into output: inout [UInt8]
  ) {
    writeHead(id: id, line, into: &output)
    switch result {
    case .success(let served):
      var fields = JSONObject([("ok", true)])
      for (key, value) in served.counts.pairs { fields[key] = value }
      fields["warnings"] = .array(served.warnings.map(\.json))
      writeFields(fields, into: &output)
      output.appendASCII("}\n")
    case .failure(let error):
      // A file that could not be read says why; a document that was read counts its errors.
      let problem =
        RulesLoader.fileFailure(error)?.message
        ?? "the \(format.noun) has \(plural(error.errors.count, "error"))"
      let body = JSONValue.object(
        JSONObject([
          ("code", .string(ProtocolError.invalidRules.rawValue)),
          ("message", .string(problem + "; " + format.kept)),
          ("line", .number(Double(lineNumber))),
          ("diagnostics", .array(error.diagnostics.map(\.json))),
        ])
      )
      output.appendASCII(",\"error\":")
      body.write(into: &output)
      output.appendASCII("}\n")
    }
  }

  /// Writes the answer to `stats`.
  static func writeStats(
    _ stats: ServerStats,
    rules: ServedRules,
    id: Range<Int>?,
    line: UnsafeBufferPointer<UInt8>,
    into output: inout [UInt8]
  ) {
    writeHead(id: id, line, into: &output)
    output.appendASCII(",\"stats\":")
    stats.json(rules: rules).write(into: &output)
    output.appendASCII("}\n")
  }

  // MARK: Writing

  /// `{"id":<id as written>` (or `null`).
  static func writeHead(
    id: Range<Int>?,
    _ line: UnsafeBufferPointer<UInt8>,
    into output: inout [UInt8]
  ) {
    output.appendASCII("{\"id\":")
    if let id {
      output.append(contentsOf: UnsafeBufferPointer(rebasing: line[id]))
    } else {
      output.appendASCII("null")
    }
  }

  /// Appends `,"key":value` for each field.
  static func writeFields(_ fields: JSONObject, into output: inout [UInt8]) {
    for (key, value) in fields.pairs {
      output.append(UInt8(ascii: ","))
      JSONValue.writeString(key, into: &output)
      output.append(UInt8(ascii: ":"))
      value.write(into: &output)
    }
  }

  /// Writes `{"id":…,"error":{"code":…,"message":…,"line":N[,"offset":K]}}`.
  static func writeError(
    _ failure: RequestFailure,
    id: Range<Int>?,
    line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    into output: inout [UInt8]
  ) {
    writeHead(id: id, line, into: &output)
    output.appendASCII(",\"error\":{\"code\":")
    JSONValue.writeString(failure.code.rawValue, into: &output)
    output.appendASCII(",\"message\":")
    JSONValue.writeString(failure.message, into: &output)
    output.appendASCII(",\"line\":")
    JSONValue.writeNumber(Double(lineNumber), into: &output)
    if let offset = failure.offset {
      output.appendASCII(",\"offset\":")
      JSONValue.writeNumber(Double(offset), into: &output)
    }
    output.appendASCII("}}\n")
  }

  private func fail(
    _ failure: RequestFailure,
    id: Range<Int>?,
    _ line: UnsafeBufferPointer<UInt8>,
    _ lineNumber: Int,
    _ output: inout [UInt8]
  ) -> Disposition {
    RequestHandler.writeError(failure, id: id, line: line, lineNumber: lineNumber, into: &output)
    return .failed(failure.code)
  }

  private func fail(
    _ code: ProtocolError,
    _ message: String,
    id: Range<Int>?,
    _ line: UnsafeBufferPointer<UInt8>,
    _ lineNumber: Int,
    _ output: inout [UInt8]
  ) -> Disposition {
    fail(RequestFailure(code: code, message: message), id: id, line, lineNumber, &output)
  }
}

extension [UInt8] {
  /// Appends fixed ASCII text, such as a protocol fragment.
  @inline(__always)
  mutating func appendASCII(_ text: StaticString) {
    append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }
}
