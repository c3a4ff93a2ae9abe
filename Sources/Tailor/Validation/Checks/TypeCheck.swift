/// Reports operands whose type cannot match the attribute's declared type,
/// such as `{"age": {"$gte": "18"}}` when `age` is a `number`.
struct TypeCheck: ValidationCheck {
  func check(_ input: ValidationInput, into diagnostics: inout [Diagnostic]) {
    guard !input.document.attributes.isEmpty else { return }
    var types: [ByteString: AttributeType] = [:]
    for attribute in input.document.attributes {
      types[ByteString(attribute.name)] = attribute.type
    }
    for site in input.sites {
      guard case .operand(let path, let op, let operand) = site.kind,
        let type = types[ByteString(path)],
        let expected = TypeCheck.expectedOperand(op, type),
        !TypeCheck.operand(operand, fits: expected)
      else { continue }
      diagnostics.append(
        Diagnostic(
          .typeMismatch,
          at: site.pointer,
          "expected \(expected.description), found \(describe(operand))",
          notes: ["`\(path)` is declared as `\(type.rawValue)` in `attributes`"]
        )
      )
    }
  }

  enum Expected {
    case number, string, version, datetime
    case arrayOf(AttributeType)

    var description: String {
      switch self {
      case .number: "a number"
      case .string: "a string"
      case .version: "a version string"
      case .datetime: "an ISO-8601 date-time string"
      case .arrayOf(let type): "an array of \(type == .number ? "numbers" : "strings")"
      }
    }
  }

  /// What an operator's operand must be for an attribute of `type`, when that is fixed.
  static func expectedOperand(_ op: String, _ type: AttributeType) -> Expected? {
    switch (op, type) {
    case ("$eq", .number), ("$ne", .number), ("$lt", .number), ("$lte", .number), ("$gt", .number),
      ("$gte", .number):
      .number
    case ("$eq", .string), ("$ne", .string), ("$lt", .string), ("$lte", .string), ("$gt", .string),
      ("$gte", .string), ("$startsWith", .string), ("$endsWith", .string), ("$contains", .string):
      .string
    case ("$in", .number), ("$nin", .number): .arrayOf(.number)
    case ("$in", .string), ("$nin", .string): .arrayOf(.string)
    case ("$veq", .version), ("$vne", .version), ("$vgt", .version), ("$vgte", .version),
      ("$vlt", .version), ("$vlte", .version):
      .version
    case ("$before", .datetime), ("$after", .datetime), ("$lt", .datetime), ("$lte", .datetime),
      ("$gt", .datetime), ("$gte", .datetime):
      .datetime
    default: nil
    }
  }

  static func operand(_ operand: JSONValue, fits expected: Expected) -> Bool {
    switch (expected, operand) {
    // `null` stands for a missing attribute, which every declared type allows.
    case (_, .null): true
    case (.number, .number): true
    case (.string, .string): true
    case (.version, .string): true
    case (.datetime, .string(let text)): DateTime.parse(text) != nil
    case (.arrayOf(.number), .array(let items)):
      items.allSatisfy { $0.numberValue != nil || $0.isNull }
    case (.arrayOf, .array(let items)): items.allSatisfy { $0.stringValue != nil || $0.isNull }
    default: false
    }
  }
}
