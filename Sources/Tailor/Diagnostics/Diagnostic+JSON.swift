extension Diagnostic {
  /// The diagnostic as JSON, in the shape its `Codable` conformance encodes.
  ///
  /// `{"code":…,"severity":…,"message":…,"location":{"pointer":…,"file":…,"offset":…,
  /// "line":…,"column":…,"span":[start,end]},"notes":[…]}`; location fields that are
  /// not known are left out. `tailor check --format json` and the server's
  /// `invalid_rules` error write this shape unchanged.
  package var json: JSONValue {
    var location = JSONObject()
    location._appendUnique("pointer", .string(self.location.pointer.description))
    if let file = self.location.file { location._appendUnique("file", .string(file)) }
    if let offset = self.location.offset {
      location._appendUnique("offset", .number(Double(offset)))
    }
    if let line = self.location.line { location._appendUnique("line", .number(Double(line))) }
    if let column = self.location.column {
      location._appendUnique("column", .number(Double(column)))
    }
    if let span = self.location.span {
      location._appendUnique(
        "span",
        [.number(Double(span.lowerBound)), .number(Double(span.upperBound))]
      )
    }
    return .object(
      JSONObject([
        ("code", .string(code.rawValue)),
        ("severity", .string(severity.rawValue)),
        ("message", .string(message)),
        ("location", .object(location)),
        ("notes", .array(notes.map(JSONValue.string))),
      ])
    )
  }
}
