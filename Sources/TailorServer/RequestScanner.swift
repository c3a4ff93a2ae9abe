@_spi(Server) import Tailor

/// The fields of one request line, found without building the profile.
///
/// Small fields are parsed strictly into values; the `id` and the profile are
/// kept as byte ranges of the line, so the `id` is echoed exactly as written and
/// the profile goes to ``Profile`` unparsed.
struct Request {
  /// The `id` value's bytes, echoed verbatim.
  var id: Range<Int>?
  /// The `profile` value's bytes, not yet validated: reading the profile does that.
  var profile: Range<Int>?
  /// `decisions`: the names, or `nil` inside when it is not an array of strings.
  var decisions: [String]??
  var now: JSONValue?
  var explain: JSONValue?
  var op: JSONValue?
  var path: JSONValue?
  /// The inline `rules` document's bytes (`op: load`).
  var rules: Range<Int>?
  /// The first field the protocol does not define.
  var unknownField: String?
}

/// Why a request line could not be answered, as a protocol error.
struct RequestFailure: Error, Equatable {
  var code: ProtocolError
  var message: String
  /// The byte offset in the line, when the failure has a place.
  var offset: Int?
}

/// The protocol's error codes (DESIGN §5).
///
/// They are stable: never renamed or reused.
public enum ProtocolError: String, CaseIterable, Sendable {
  case badJSON = "bad_json"
  case badRequest = "bad_request"
  case unknownDecision = "unknown_decision"
  case lineTooLong = "line_too_long"
  case tooDeep = "too_deep"
  case invalidRules = "invalid_rules"
}

/// Splits a request line into its fields: the full path for the requests the
/// fast path (``RequestHandler/respondFast(to:scratch:into:)``) declines.
///
/// The line must be one strict JSON object (RFC 8259, as ``JSONReader`` reads
/// it). The object is walked once: each field's extent is found by matching
/// brackets (``JSONBytes/looseContainerEnd(_:from:depthLimit:)``), then every
/// field except `profile` is read strictly with ``JSONReader``; the profile is
/// read later, when the request is known to need it, by the profile readers.
/// Syntax errors of the object itself are written here; those inside a field
/// are the JSON reader's. Nesting deeper than `maxDepth` (the request object is
/// depth 1) is `too_deep`.
struct RequestScanner {
  let bytes: UnsafeBufferPointer<UInt8>
  let maxDepth: Int
  private var position = 0

  init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
    self.bytes = bytes
    self.maxDepth = maxDepth
  }

  /// Scans the line.
  ///
  /// On failure the request holds what was found before it (the `id`, say).
  static func scan(_ line: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> (Request, RequestFailure?)
  {
    var scanner = RequestScanner(line, maxDepth: maxDepth)
    var request = Request()
    do {
      try scanner.scanObject(into: &request)
      return (request, nil)
    } catch {
      return (request, error)
    }
  }

  private mutating func scanObject(into request: inout Request) throws(RequestFailure) {
    skipWhitespace()
    guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
      // Valid JSON that is not an object is a bad request; anything else is bad JSON.
      do {
        _ = try JSONReader(maxDepth: maxDepth).read(bytes)
      } catch {
        throw RequestScanner.failure(error, at: 0)
      }
      throw RequestFailure(code: .badRequest, message: "a request must be a JSON object", offset: 0)
    }
    position += 1
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1
    } else {
      while true {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
          throw syntax("expected a string key, found \(describeCurrent())")
        }
        let field = try scanKey()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
          throw syntax("expected `:` after the key, found \(describeCurrent())")
        }
        position += 1
        skipWhitespace()
        let start = position
        try skipValue()
        let range = start..<position
        switch field {
        case .profile:
          // Only the last `profile` is read later, so one it replaces is read here.
          if let replaced = request.profile { _ = try read(replaced) }
          request.profile = range
        case .id:
          if !RequestScanner.isPlainID(bytes, range) { _ = try read(range) }
          request.id = range
        case .rules:
          _ = try read(range)
          request.rules = range
        case .decisions: request.decisions = .some(try names(range))
        case .now: request.now = try read(range)
        case .explain: request.explain = try read(range)
        case .op: request.op = try read(range)
        case .path: request.path = try read(range)
        case .unknown(let name):
          _ = try read(range)
          if request.unknownField == nil { request.unknownField = name }
        }
        skipWhitespace()
        guard position < bytes.count else { throw syntax("expected `,` or `}`, found end of line") }
        let byte = bytes[position]
        position += 1
        if byte == UInt8(ascii: "}") { break }
        guard byte == UInt8(ascii: ",") else {
          position -= 1
          throw syntax("expected `,` or `}`, found \(describeCurrent())")
        }
      }
    }
    skipWhitespace()
    if position < bytes.count {
      throw syntax("unexpected \(describeCurrent()) after the request object")
    }
  }

  enum Field: Equatable {
    case id, profile, decisions, now, explain, op, path, rules
    case unknown(String)
  }

  /// Reads a key at the opening quote and names the field.
  private mutating func scanKey() throws(RequestFailure) -> Field {
    let start = position
    try skipString()
    let inner = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<(position - 1)])
    if let field = RequestScanner.knownField(inner) { return field }
    guard case .string(let name) = try read(start..<position) else { return .unknown("") }
    let field = Array(name.utf8).withUnsafeBufferPointer(RequestScanner.knownField)
    return field ?? .unknown(name)
  }

  static func knownField(_ key: UnsafeBufferPointer<UInt8>) -> Field? {
    guard let base = key.baseAddress else { return nil }
    func equals(_ literal: StaticString) -> Bool {
      key.count == literal.utf8CodeUnitCount
        && System.bytesEqual(base, literal.utf8Start, count: key.count)
    }
    switch key.count {
    case 2:
      if equals("id") { return .id }
      if equals("op") { return .op }
    case 3: if equals("now") { return .now }
    case 4: if equals("path") { return .path }
    case 5: if equals("rules") { return .rules }
    case 7:
      if equals("profile") { return .profile }
      if equals("explain") { return .explain }
    case 9: if equals("decisions") { return .decisions }
    default: break
    }
    return nil
  }

  /// Reads `decisions`: an array of strings, or `nil` for any other valid JSON.
  private func names(_ range: Range<Int>) throws(RequestFailure) -> [String]? {
    guard case .array(let items) = try read(range) else { return nil }
    var names: [String] = []
    for item in items {
      guard case .string(let name) = item else { return nil }
      names.append(name)
    }
    return names
  }

  /// Whether `range` of `bytes` is an integer of at most 15 characters or a string of
  /// printable ASCII without escapes: valid JSON that needs no reader, however the rest
  /// of the line reads (the common `id`).
  static func isPlainID(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
    guard let base = bytes.baseAddress else { return false }
    return JSONBytes.plainIDEnd(base, range.lowerBound, range.upperBound) == range.upperBound
  }

  /// Reads a field's value strictly.
  private func read(_ range: Range<Int>) throws(RequestFailure) -> JSONValue {
    do {
      return try JSONReader(maxDepth: maxDepth - 1).read(
        UnsafeBufferPointer(rebasing: bytes[range])
      ).value
    } catch {
      throw RequestScanner.failure(error, at: range.lowerBound)
    }
  }

  /// Maps a reader error at `base` in the line to a protocol failure.
  static func failure(_ error: JSONReader.SyntaxError, at base: Int) -> RequestFailure {
    RequestFailure(
      code: error.code == .tooDeep ? .tooDeep : .badJSON,
      message: error.message,
      offset: base + error.offset
    )
  }

  // MARK: Skipping

  /// Moves past one value by matching brackets outside strings.
  ///
  /// Strictness is left to the reader that reads the value afterwards; depth is checked here.
  private mutating func skipValue() throws(RequestFailure) {
    guard position < bytes.count else { throw syntax("expected a value, found end of line") }
    switch bytes[position] {
    case UInt8(ascii: "\""):
      try skipString()
    case UInt8(ascii: "{"), UInt8(ascii: "["):
      let start = position
      if let end = JSONBytes.looseContainerEnd(bytes, from: start, depthLimit: maxDepth - 1) {
        position = end
        return
      }
      try throwContainerFailure(from: start)
    default:
      let start = position
      while position < bytes.count {
        switch bytes[position] {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
          if position == start { throw syntax("expected a value, found \(describeCurrent())") }
          return
        default: position += 1
        }
      }
    }
  }

  /// Explains why ``JSONBytes/looseContainerEnd(_:from:depthLimit:)`` found no end (the slow path).
  private mutating func throwContainerFailure(from start: Int) throws(RequestFailure) -> Never {
    var depth = 0
    position = start
    while position < bytes.count {
      switch bytes[position] {
      case UInt8(ascii: "\""):
        try skipString()
        continue
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
        if depth + 1 > maxDepth {
          throw RequestFailure(
            code: .tooDeep,
            message: "arrays and objects nest deeper than \(maxDepth) levels",
            offset: position
          )
        }
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
      default: break
      }
      position += 1
    }
    let kind = bytes[start] == UInt8(ascii: "{") ? "object" : "array"
    throw RequestFailure(code: .badJSON, message: "unterminated \(kind)", offset: start)
  }

  /// Moves past a string at its opening quote.
  private mutating func skipString() throws(RequestFailure) {
    if let base = bytes.baseAddress,
      let (end, _) = JSONBytes.looseStringEnd(base, position, bytes.count)
    {
      position = end
      return
    }
    throw RequestFailure(code: .badJSON, message: "unterminated string", offset: position)
  }

  private mutating func skipWhitespace() {
    guard let base = bytes.baseAddress else { return }
    position = JSONBytes.skipWhitespace(base, position, bytes.count)
  }

  private func syntax(_ message: String) -> RequestFailure {
    RequestFailure(code: .badJSON, message: message, offset: position)
  }

  private func describeCurrent() -> String {
    JSONBytes.describe(bytes, at: position, end: "end of line")
  }
}
