@_spi(Server) import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `tailor serve --profile-lines`: each input line is a profile, and each
/// answer echoes one of its top-level fields as the `id`.
///
/// A batch job then pipes its profile records through the server as they are
/// stored, without wrapping each in a request. The answer has the shape of a
/// decision request's answer, every decision in document order:
/// `{"id":<the field's value as written>,"decisions":{…}}`; `"id":null` when
/// the profile has no such field. A field repeated at the top level echoes its
/// last value, the one the rules read.
public struct ProfileLines: Sendable {
  /// The name of the top-level field echoed as the answer's `id`.
  public let idField: String
  /// ``idField`` as UTF-8, compared with keys written without escapes.
  let idKey: [UInt8]
  /// `"idField"`, with its quotes, as a key without escapes is written.
  let quotedKey: [UInt8]

  /// Profile lines whose answers echo the field `idField`.
  public init(idField: String) {
    self.idField = idField
    idKey = Array(idField.utf8)
    quotedKey = [UInt8(ascii: "\"")] + idKey + [UInt8(ascii: "\"")]
  }

  /// Where the top-level field named ``idField`` of the object at `start` was found.
  enum IDSearch: Equatable {
    /// The range of the last value of the field, or `nil` when there is none.
    case found(Range<Int>?)
    /// A key is written with escapes: only a reader can tell whether it names the field.
    case escapedKey
    /// The object ended early or is not valid JSON; the range of a value of
    /// the field read before the problem, if any.
    case unreadable(before: Range<Int>?)
  }

  /// Walks the top-level fields of the object whose `{` is at `start`,
  /// skipping values by matching brackets outside strings, and finds the last
  /// value of ``idField``.
  ///
  /// Values are not validated (the profile reader does that); the walk only
  /// needs to find where each one ends. With `decodingKeys`, a key written
  /// with escapes is decoded and compared. Without it, the walk stops at such
  /// a key with ``IDSearch/escapedKey``, and it also stops at the field when
  /// the rest of the line holds neither a backslash nor the key's quoted bytes,
  /// so no later key can repeat it: the line must be valid JSON then (the
  /// profile reader has read it).
  func findID(
    in line: UnsafeBufferPointer<UInt8>,
    objectAt start: Int,
    decodingKeys: Bool
  ) -> IDSearch {
    guard let base = line.baseAddress else { return .unreadable(before: nil) }
    let count = line.count
    var found: Range<Int>?
    @inline(__always)
    func skipSpace(_ position: Int) -> Int { JSONBytes.skipWhitespace(base, position, count) }
    @inline(__always)
    func stringEnd(_ quote: Int) -> (Int, Bool)? { JSONBytes.looseStringEnd(base, quote, count) }

    var position = skipSpace(start + 1)
    if position < count && base[position] == UInt8(ascii: "}") { return .found(nil) }
    while true {
      guard position < count, base[position] == UInt8(ascii: "\""),
        let (keyEnd, keyEscaped) = stringEnd(position)
      else { return .unreadable(before: found) }
      let isID: Bool
      if keyEscaped {
        guard decodingKeys else { return .escapedKey }
        let key = UnsafeBufferPointer(rebasing: line[position..<keyEnd])
        guard case .string(let name)? = try? JSONReader().read(key).value else {
          return .unreadable(before: found)
        }
        isID = name == idField
      } else {
        isID =
          keyEnd - position - 2 == idKey.count
          && idKey.withUnsafeBufferPointer { key in
            guard let keyBase = key.baseAddress else { return true }
            return System.bytesEqual(base + position + 1, keyBase, count: key.count)
          }
      }
      position = skipSpace(keyEnd)
      guard position < count, base[position] == UInt8(ascii: ":") else {
        return .unreadable(before: found)
      }
      position = skipSpace(position + 1)
      guard position < count else { return .unreadable(before: found) }
      let valueStart = position
      switch base[position] {
      case UInt8(ascii: "\""):
        guard let (end, _) = stringEnd(position) else { return .unreadable(before: found) }
        position = end
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        guard let end = JSONBytes.looseContainerEnd(line, from: position, depthLimit: Int.max)
        else { return .unreadable(before: found) }
        position = end
      default:
        while position < count {
          let byte = base[position]
          if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}")
            || JSONBytes.isWhitespace(byte)
          {
            break
          }
          position += 1
        }
        guard position > valueStart else { return .unreadable(before: found) }
      }
      if isID {
        found = valueStart..<position
        if !decodingKeys && !mayRepeat(line, after: position) { return .found(found) }
      }
      position = skipSpace(position)
      guard position < count else { return .unreadable(before: found) }
      if base[position] == UInt8(ascii: "}") { return .found(found) }
      guard base[position] == UInt8(ascii: ",") else { return .unreadable(before: found) }
      position = skipSpace(position + 1)
    }
  }
}

extension ProfileLines {
  /// Whether a key equal to ``idField`` may follow `offset`: the rest of the
  /// line holds a backslash (a key with escapes) or the bytes `"idField"`.
  ///
  /// Reads eight bytes at a time, stepping by seven so that a quote in a
  /// word's last byte is tested with the next byte too.
  func mayRepeat(_ line: UnsafeBufferPointer<UInt8>, after offset: Int) -> Bool {
    guard let base = line.baseAddress, offset < line.count else { return false }
    let count = line.count
    let first = idKey.first ?? UInt8(ascii: "\"")
    let quotes = ProfileLines.repeated(UInt8(ascii: "\""))
    let backslashes = ProfileLines.repeated(UInt8(ascii: "\\"))
    let firsts = ProfileLines.repeated(first)
    @inline(__always)
    func keyAt(_ position: Int) -> Bool {
      position + quotedKey.count <= count
        && quotedKey.withUnsafeBufferPointer { key in
          // swift-format-ignore: NeverForceUnwrap
          // The quoted key holds at least its two quotes.
          System.bytesEqual(base + position, key.baseAddress!, count: key.count)
        }
    }
    var position = offset
    while position &+ 8 <= count {
      let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
      if ProfileLines.zeroBytes(word ^ backslashes) != 0 { return true }
      // A quote whose next byte is the key's first.
      var candidates =
        ProfileLines.zeroBytes(word ^ quotes) & (ProfileLines.zeroBytes(word ^ firsts) >> 8)
      while candidates != 0 {
        if keyAt(position + candidates.trailingZeroBitCount / 8) { return true }
        candidates &= candidates &- 1
      }
      position &+= 7
    }
    while position < count {
      if base[position] == UInt8(ascii: "\\") || keyAt(position) { return true }
      position += 1
    }
    return false
  }

  /// `byte` in each of a word's eight bytes.
  @inline(__always)
  static func repeated(_ byte: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(byte) }

  /// `0x80` in each zero byte of `word`, `0` in the others (exactly, with no carries between bytes).
  @inline(__always)
  static func zeroBytes(_ word: UInt64) -> UInt64 {
    let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    return ~(((word & low) &+ low) | word | low)
  }
}

extension RequestHandler {
  /// Answers a profile line in one pass over the profile and one over its top
  /// level (for the id), writing the answer from the fragments rendered at
  /// load, as ``respondFast(to:scratch:into:)`` does for a request; `false`,
  /// with nothing written, for anything the full path must answer (invalid
  /// JSON, a line that is not an object, a key written with escapes).
  func respondFastToProfile(
    _ lines: ProfileLines,
    line: UnsafeBufferPointer<UInt8>,
    scratch: RequestScratch,
    into output: inout [UInt8]
  ) -> Bool {
    guard let base = line.baseAddress else { return false }
    let count = line.count
    var position = 0
    while position < count, JSONBytes.isWhitespace(base[position]) { position += 1 }
    guard position < count, base[position] == UInt8(ascii: "{") else { return false }
    scratch.use(rules)
    guard let end = scratch.evaluation.prepare(json: line, objectAt: position, maxDepth: maxDepth)
    else { return false }
    var after = end
    while after < count, JSONBytes.isWhitespace(base[after]) { after += 1 }
    guard after == count,
      case .found(let id) = lines.findID(in: line, objectAt: position, decodingKeys: false)
    else { return false }
    scratch.selectedCount.pointee = 0
    writeAnswer(
      id: id.map { UnsafeBufferPointer(rebasing: line[$0]) },
      selected: false,
      at: now ?? scratch.blockTime ?? Date().timeIntervalSince1970,
      scratch: scratch,
      into: &output
    )
    return true
  }

  /// Answers a profile line the fast path left: every error, and keys written with escapes.
  func respondToProfileInFull(
    _ lines: ProfileLines,
    line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    into output: inout [UInt8]
  ) -> Disposition {
    var position = 0
    while position < line.count, JSONBytes.isWhitespace(line[position]) { position += 1 }
    guard position < line.count, line[position] == UInt8(ascii: "{") else {
      // Valid JSON that is not an object is a bad request; anything else is bad JSON.
      let failure: RequestFailure
      do {
        _ = try JSONReader(maxDepth: maxDepth).read(line)
        failure = RequestFailure(
          code: .badRequest,
          message: "a profile line must be a JSON object",
          offset: position
        )
      } catch {
        failure = RequestScanner.failure(error, at: 0)
      }
      RequestHandler.writeError(failure, id: nil, line: line, lineNumber: lineNumber, into: &output)
      return .failed(failure.code)
    }
    let search = lines.findID(in: line, objectAt: position, decodingKeys: true)
    let prepared: PreparedProfile
    do {
      prepared = try rules.rules.prepare(json: line, maxDepth: maxDepth)
    } catch {
      // An id read before the error is echoed when it is a plain number or string.
      let failure = RequestScanner.failure(error, at: 0)
      var id: Range<Int>?
      switch search {
      case .found(let range), .unreadable(let range): id = range
      case .escapedKey: id = nil
      }
      if let range = id,
        range.upperBound > error.offset || !RequestScanner.isPlainID(line, range)
      {
        id = nil
      }
      RequestHandler.writeError(failure, id: id, line: line, lineNumber: lineNumber, into: &output)
      return .failed(failure.code)
    }
    // The line is valid JSON, so the walk reached its end.
    guard case .found(let id) = search else {
      let failure = RequestFailure(code: .badJSON, message: "unreadable profile line", offset: nil)
      RequestHandler.writeError(failure, id: nil, line: line, lineNumber: lineNumber, into: &output)
      return .failed(failure.code)
    }
    RequestHandler.writeHead(id: id, line, into: &output)
    output.append(UInt8(ascii: ","))
    AnswerRenderer.writeDecisionsKey(into: &output)
    let instant = now.map { Date(timeIntervalSince1970: $0) } ?? Date()
    rules.rules.withEvaluator { evaluator in
      for index in rules.rendered.indices {
        guard let decisionID = rules.rules.decisionID(at: index) else { continue }
        let decision = evaluator.decide(decisionID, for: prepared, at: instant)
        if index > 0 { output.append(UInt8(ascii: ",")) }
        write(decision, rules.rendered[index], into: &output)
      }
    }
    output.appendASCII("}}\n")
    return .answered
  }
}
