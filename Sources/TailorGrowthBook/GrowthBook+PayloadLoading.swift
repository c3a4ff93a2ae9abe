import Tailor

extension GrowthBook.Payload {
  /// Loads a payload from its JSON text.
  ///
  /// - Parameters:
  ///   - json: The SDK payload, as GrowthBook's SDK endpoint serves it.
  ///   - decryptionKey: The SDK connection's key, needed when the payload holds
  ///     `encryptedFeatures` or `encryptedSavedGroups`.
  /// - Throws: ``TailorError`` with every problem found, each at its JSON pointer:
  ///   `json_syntax` and the reader's other codes, `expected_type`, `missing_key`,
  ///   `missing_decryption_key`, `decryption_failed`. A problem inside an
  ///   encrypted section points into its decrypted JSON, under the section's
  ///   key: `/encryptedFeatures/checkout/rules/0/coverage`.
  public init(json: String, decryptionKey: String? = nil) throws(TailorError) {
    try self.init(json: Array(json.utf8), decryptionKey: decryptionKey)
  }

  /// Loads a payload from JSON bytes.
  ///
  /// - Throws: ``TailorError``, as ``init(json:decryptionKey:)-(String,_)``.
  public init(json: [UInt8], decryptionKey: String? = nil) throws(TailorError) {
    try self.init(GrowthBook.readJSON(json), decryptionKey: decryptionKey)
  }

  /// Loads a payload from parsed JSON.
  ///
  /// - Throws: ``TailorError``, as ``init(json:decryptionKey:)-(String,_)``.
  public init(_ root: JSONValue, decryptionKey: String? = nil) throws(TailorError) {
    try self.init(root, decryptionKey: decryptionKey, compiles: true)
  }

  /// Loads a payload from parsed JSON; one only checked need not compile its conditions.
  init(_ root: JSONValue, decryptionKey: String?, compiles: Bool) throws(TailorError) {
    var reader = PayloadReader(compiles: compiles)
    let payload = reader.payload(root, decryptionKey: decryptionKey)
    if !reader.diagnostics.isEmpty { throw TailorError(diagnostics: reader.diagnostics) }
    self = payload
  }
}

extension GrowthBook.Payload {
  /// Checks a payload the way `tailor check` checks rules documents.
  ///
  /// Errors are what keeps the payload from loading (malformed JSON, values of
  /// the wrong shape, a missing or wrong decryption key). Warnings are what
  /// GrowthBook accepts but evaluates as false or as never reached: patterns
  /// that are not JavaScript regular expressions (`invalid_pattern`), unknown
  /// operators (`unknown_operator`), `$type` names GrowthBook does not know
  /// (`expected_type`), unknown saved groups (`unknown_group`), and rules after
  /// a force rule that applies to everyone (`unreachable_rule`). Features that
  /// convert to a rules document (``importRules(json:decryptionKey:)``) also get
  /// its analysis: a rule whose condition implies an earlier unconditional
  /// rule's is `unreachable_rule` too, at the payload's rule index.
  ///
  /// ```swift
  /// for diagnostic in GrowthBook.Payload.lint(json: bytes, file: "payload.json") {
  ///   print(diagnostic)
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - json: The payload's JSON bytes.
  ///   - file: The file name to put in locations.
  ///   - decryptionKey: The SDK connection's key, for encrypted sections.
  /// - Returns: Every diagnostic, with JSON pointer, line and column, sorted by position.
  public static func lint(
    json: [UInt8],
    file: String? = nil,
    decryptionKey: String? = nil
  ) -> [Diagnostic] {
    let root: JSONValue
    do {
      root = try JSONReader.parse(json)
    } catch {
      return DocumentLoader.locate([GrowthBook.diagnostic(error)], in: json, file: file)
    }
    var reader = PayloadReader(linting: true)
    _ = reader.payload(root, decryptionKey: decryptionKey)
    var diagnostics = reader.diagnostics + reader.warnings
    if reader.diagnostics.isEmpty {
      diagnostics += unreachableRules(
        json,
        root,
        decryptionKey: decryptionKey,
        known: Set(diagnostics.map(\.location.pointer))
      )
    }
    return DocumentLoader.locate(diagnostics, in: json, file: file)
  }

  /// Rules that rules documents' analysis finds can never decide, for the
  /// features that convert to a rules document (``importRules(json:decryptionKey:)``).
  private static func unreachableRules(
    _ json: [UInt8],
    _ root: JSONValue,
    decryptionKey: String?,
    known: Set<JSONPointer>
  ) -> [Diagnostic] {
    guard let converted = try? importRules(json: json, decryptionKey: decryptionKey),
      let rules = try? Rules(json: converted.document.jsonText)
    else { return [] }
    let section =
      root.objectValue?["encryptedFeatures"] != nil ? "encryptedFeatures" : "features"
    var found: [Diagnostic] = []
    for warning in rules.warnings where warning.code == .unreachableRule {
      let tokens = warning.location.pointer.tokens.map(\.text)
      guard tokens.count == 4, tokens[0] == "decisions", tokens[2] == "rules",
        let index = Int(tokens[3]), let origins = converted.ruleOrigins[tokens[1]],
        origins.indices.contains(index)
      else { continue }
      let pointer = JSONPointer.root.appending(key: section).appending(key: tokens[1])
        .appending(key: "rules").appending(index: origins[index])
      guard !known.contains(pointer) else { continue }
      found.append(
        Diagnostic(
          code: .unreachableRule,
          severity: .warning,
          message: warning.message,
          location: SourceLocation(pointer: pointer),
          notes: warning.notes
        )
      )
    }
    return found
  }
}

extension GrowthBook.FeatureRule {
  /// Whether the rule forces its value for every user: a force rule with no
  /// condition, prerequisites, filters, coverage or range.
  var alwaysApplies: Bool {
    force != nil && (condition == nil || condition == .and([])) && parentConditions.isEmpty
      && (filters ?? []).isEmpty && coverage == nil && range == nil
  }
}

extension GrowthBook.Experiment {
  /// Reads an inline experiment, as passed to GrowthBook's `run`.
  ///
  /// ```swift
  /// let experiment = try GrowthBook.Experiment(json: ["key": "my-test", "variations": [0, 1]])
  /// ```
  ///
  /// - Throws: ``TailorError`` with every problem found, each at its JSON pointer
  ///   (`expected_type`, `missing_key`).
  public init(json: JSONValue) throws(TailorError) {
    var reader = PayloadReader()
    guard let object = reader.object(json, at: .root) else {
      throw TailorError(diagnostics: reader.diagnostics)
    }
    let experiment = reader.experiment(object, at: .root, defaultKey: nil, fromRule: false)
    if !reader.diagnostics.isEmpty { throw TailorError(diagnostics: reader.diagnostics) }
    self = experiment
  }
}

extension GrowthBook {
  /// A payload's JSON text, read; a syntax error is thrown as its diagnostic.
  static func readJSON(_ json: [UInt8]) throws(TailorError) -> JSONValue {
    do {
      return try JSONReader.parse(json)
    } catch {
      throw TailorError(diagnostics: [diagnostic(error)])
    }
  }

  /// The diagnostic for a syntax error in a payload's JSON text.
  static func diagnostic(_ error: JSONReader.SyntaxError) -> Diagnostic {
    Diagnostic(
      code: error.code,
      message: error.message,
      location: SourceLocation(pointer: error.pointer, offset: error.offset)
    )
  }
}
