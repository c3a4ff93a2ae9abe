/// One finding about a rules document: an error, a warning or a note.
///
/// Diagnostics are values: the loader collects every one of them, sorts them by
/// position and throws them together in a ``TailorError``.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
  /// How serious a diagnostic is.
  ///
  /// Only errors block loading.
  public enum Severity: String, Hashable, Sendable, Codable {
    /// The document cannot be loaded.
    case error
    /// The document loads, but something is likely wrong.
    case warning
    /// Extra information.
    case note
  }

  /// The stable `snake_case` code, such as `expected_type`.
  public var code: Code
  /// How serious it is.
  public var severity: Severity
  /// A one-line, lower-case message.
  public var message: String
  /// Where it points.
  public var location: SourceLocation
  /// Advice and related facts.
  public var notes: [String]
  /// Whether the location names the object key rather than its value.
  var pointsAtKey: Bool

  /// Creates a diagnostic.
  public init(
    code: Code,
    severity: Severity = .error,
    message: String,
    location: SourceLocation,
    notes: [String] = []
  ) {
    self.code = code
    self.severity = severity
    self.message = message
    self.location = location
    self.notes = notes
    self.pointsAtKey = false
  }

  init(
    _ code: Code,
    _ severity: Severity = .error,
    at pointer: JSONPointer,
    key: Bool = false,
    _ message: String,
    notes: [String] = []
  ) {
    self.code = code
    self.severity = severity
    self.message = message
    self.location = SourceLocation(pointer: pointer)
    self.notes = notes
    self.pointsAtKey = key
  }

  /// The rendered form, `rules.json:14:22 /decisions/…/$gte: expected a number, found "18"`.
  public var description: String { rendered() }

  private enum CodingKeys: String, CodingKey {
    case code, severity, message, location, notes
  }

  /// Decodes a diagnostic.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    code = try container.decode(Code.self, forKey: .code)
    severity = try container.decode(Severity.self, forKey: .severity)
    message = try container.decode(String.self, forKey: .message)
    location = try container.decode(SourceLocation.self, forKey: .location)
    notes = try container.decodeIfPresent([String].self, forKey: .notes) ?? []
    pointsAtKey = false
  }

  /// Encodes a diagnostic.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(code, forKey: .code)
    try container.encode(severity, forKey: .severity)
    try container.encode(message, forKey: .message)
    try container.encode(location, forKey: .location)
    try container.encode(notes, forKey: .notes)
  }
}

/// The error that loading a rules document throws: every diagnostic it found.
public struct TailorError: Error, Sendable, CustomStringConvertible {
  /// All diagnostics, sorted by position.
  public var diagnostics: [Diagnostic]

  /// Creates an error from diagnostics.
  public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

  /// Only the error-severity diagnostics.
  public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

  /// One rendered diagnostic per line.
  public var description: String {
    diagnostics.map { $0.rendered() }.joined(separator: "\n")
  }
}
