@_spi(Server) import Tailor
import TailorGrowthBook

/// Requests to a server that serves a GrowthBook payload (`tailor serve --growthbook`).
///
/// `{"id":…,"attributes":{…},"features":["key",…]}` answers
/// `{"id":…,"features":{"key":{"value","on","off","source","ruleId",…}}}`, every
/// feature of the payload when `features` is omitted. The optional fields are
/// GrowthBook's context: `forcedVariations`, `forcedFeatures`, `url`, `enabled`,
/// `qaMode`; `explain: true` adds each feature's `"trace"` (the rules tried);
/// `experiment: {…}` runs an inline experiment and answers `"experimentResult"`
/// (with `features` only when they are asked for). `stickyBucketAssignments`
/// (the user's sticky-bucket documents, an array of `{"attributeName",
/// "attributeValue","assignments"}` or an object of them keyed
/// `"name||value"`) turns sticky bucketing on for the request; the answer then
/// carries `"stickyBucketAssignments"`, the documents after evaluation, keyed
/// the same way, for the client to keep. `ping`, `stats` and `load`
/// (`"growthbook":{…}` or `"path"`) are as for rules documents.
extension RequestHandler {
  /// The request fields of GrowthBook mode.
  static let growthBookFields: Set<String> = [
    "id", "op", "path", "growthbook", "attributes", "features", "forcedVariations",
    "forcedFeatures", "url", "enabled", "qaMode", "experiment", "explain", "format",
    "stickyBucketAssignments",
  ]

  /// Fields that belong to evaluation requests, not to ops.
  static let growthBookEvaluationFields = [
    "attributes", "features", "forcedVariations", "forcedFeatures", "url", "enabled", "qaMode",
    "experiment", "explain", "stickyBucketAssignments",
  ]

  /// Answers one non-blank line in GrowthBook mode.
  func respondToGrowthBook(
    _ served: ServedPayload,
    line: UnsafeBufferPointer<UInt8>,
    lineNumber: Int,
    into output: inout [UInt8]
  ) -> Disposition {
    // The scanner finds the `id` and reports syntax errors exactly as for rules documents.
    let (scanned, failure) = RequestScanner.scan(line, maxDepth: maxDepth)
    let id = scanned.id
    func fail(_ failure: RequestFailure) -> Disposition {
      RequestHandler.writeError(failure, id: id, line: line, lineNumber: lineNumber, into: &output)
      return .failed(failure.code)
    }
    func badRequest(_ message: String) -> Disposition {
      fail(RequestFailure(code: .badRequest, message: message))
    }
    if let failure { return fail(failure) }
    let request: JSONObject
    do {
      // The scanner leaves `profile` unread: reading the whole line checks it too.
      guard case .object(let object) = try JSONReader(maxDepth: maxDepth).read(line).value else {
        return badRequest("a request must be a JSON object")
      }
      request = object
    } catch {
      return fail(RequestScanner.failure(error, at: 0))
    }
    if let unknown = request.keys.first(where: { !RequestHandler.growthBookFields.contains($0) }) {
      if unknown == "profile" || unknown == "decisions" || unknown == "rules" {
        return badRequest(
          "unknown request field `\(unknown)`: this server serves a GrowthBook payload "
            + "(requests carry `attributes` and `features`; `load` takes `growthbook` or `path`)"
        )
      }
      return badRequest("unknown request field `\(unknown)`")
    }
    if let op = request["op"] {
      if let extra = RequestHandler.growthBookEvaluationFields.first(where: { request[$0] != nil })
      {
        return badRequest("`\(extra)` does not belong to `op`")
      }
      switch op.stringValue {
      case "ping", "stats":
        if request["path"] != nil || request["growthbook"] != nil || request["format"] != nil {
          return badRequest("`path`, `growthbook` and `format` belong to `\"op\": \"load\"`")
        }
        if op.stringValue == "stats" { return .control(.stats, id: id) }
        RequestHandler.writeHead(id: id, line, into: &output)
        output.appendASCII(",\"ok\":true}\n")
        return .answered
      case "load":
        // DESIGN §6 spells a payload file `"path"` with `"format":"growthbook"`; it is the only format here.
        if let format = request["format"], format != "growthbook" {
          return badRequest(
            "`format` must be \"growthbook\": this server serves GrowthBook payloads"
          )
        }
        switch (request["path"], request["growthbook"]) {
        case (.string(let path)?, nil):
          return .control(.load(.file(path)), id: id)
        case (nil, .object?):
          guard let range = RequestHandler.fieldRange("growthbook", in: line) else {
            return badRequest("`growthbook` must be a payload object")
          }
          return .control(.load(.inline(Array(line[range]))), id: id)
        case (nil, _?):
          return badRequest("`growthbook` must be a payload object")
        case (_?, nil):
          return badRequest("`path` must be a file name")
        default:
          return badRequest("`\"op\": \"load\"` needs exactly one of `path` and `growthbook`")
        }
      default:
        return badRequest("unknown op \(op.jsonText); ops are `load`, `stats` and `ping`")
      }
    }
    if request["path"] != nil || request["growthbook"] != nil || request["format"] != nil {
      return badRequest("`path`, `growthbook` and `format` belong to `\"op\": \"load\"`")
    }
    guard let attributes = request["attributes"] else {
      return badRequest("a request needs `attributes` (or `op`)")
    }
    guard case .object = attributes else { return badRequest("`attributes` must be an object") }
    var context = GrowthBook.Context(attributes: attributes)
    if let value = request["forcedVariations"] {
      guard case .object(let forced) = value else {
        return badRequest("`forcedVariations` must be an object of variation indices")
      }
      for (key, index) in forced.pairs {
        guard case .number(let number) = index, number == number.rounded(),
          abs(number) < 1e15
        else { return badRequest("`forcedVariations` must be an object of variation indices") }
        context.forcedVariations[key] = Int(number)
      }
    }
    if let value = request["forcedFeatures"] {
      guard case .object(let forced) = value else {
        return badRequest("`forcedFeatures` must be an object of feature values")
      }
      for (key, forcedValue) in forced.pairs { context.forcedFeatures[key] = forcedValue }
    }
    if let value = request["url"] {
      guard case .string(let url) = value else { return badRequest("`url` must be a string") }
      context.url = url
    }
    for (name, flag) in [("enabled", "enabled"), ("qaMode", "qaMode")] {
      guard let value = request[name] else { continue }
      guard case .bool(let on) = value else { return badRequest("`\(flag)` must be true or false") }
      if name == "enabled" { context.isEnabled = on } else { context.isQAMode = on }
    }
    let sticky = request["stickyBucketAssignments"]
    if let sticky {
      guard let documents = RequestHandler.stickyBucketDocuments(sticky) else {
        return badRequest(
          "`stickyBucketAssignments` must be an array (or an object) of documents "
            + "{\"attributeName\":…,\"attributeValue\":…,\"assignments\":{…}} with string values"
        )
      }
      context.stickyBucketStore = GrowthBook.InMemoryStickyBucketStore(documents)
    }
    var explain = false
    if let value = request["explain"] {
      guard case .bool(let flag) = value else {
        return badRequest("`explain` must be true or false")
      }
      explain = flag
    }
    var experiment: GrowthBook.Experiment?
    if let value = request["experiment"] {
      guard case .object = value else { return badRequest("`experiment` must be an object") }
      do {
        experiment = try GrowthBook.Experiment(json: value)
      } catch {
        let problems = error.diagnostics.map {
          "/experiment\($0.location.pointer): \($0.message)"
        }
        return badRequest("invalid `experiment`: " + problems.joined(separator: "; "))
      }
    }
    var keys: [String]?
    if let value = request["features"] {
      guard case .array(let items) = value else {
        return badRequest("`features` must be an array of feature keys")
      }
      var names: [String] = []
      for item in items {
        guard case .string(let name) = item else {
          return badRequest("`features` must be an array of feature keys")
        }
        if !names.contains(name) { names.append(name) }
      }
      keys = names
    } else if experiment == nil {
      keys = served.payload.featureKeys
    }
    RequestHandler.writeHead(id: id, line, into: &output)
    if let keys {
      output.appendASCII(",\"features\":{")
      // Explaining interprets each feature; answering decides them through the compiled conditions.
      let results =
        explain
        ? keys.map { key -> JSONValue in
          let explained = served.payload.explainFeature(key, in: &context)
          guard case .object(var fields) = explained.result.json else { return .null }
          fields["trace"] = .array(explained.steps.map(\.json))
          return .object(fields)
        } : served.payload.evaluateFeatures(keys, in: &context).map(\.json)
      for (position, (key, result)) in zip(keys, results).enumerated() {
        if position > 0 { output.append(UInt8(ascii: ",")) }
        JSONValue.writeString(key, into: &output)
        output.append(UInt8(ascii: ":"))
        result.write(into: &output)
      }
      output.append(UInt8(ascii: "}"))
    }
    if let experiment {
      output.appendASCII(",\"experimentResult\":")
      served.payload.run(experiment, in: &context).json.write(into: &output)
    }
    if sticky != nil {
      output.appendASCII(",\"stickyBucketAssignments\":")
      RequestHandler.stickyBucketJSON(context.stickyBucketDocuments).write(into: &output)
    }
    output.appendASCII("}\n")
    return .answered
  }

  /// The sticky-bucket documents of a request: an array of documents, or an object of
  /// them (GrowthBook's `stickyBucketAssignmentDocs`, keyed `"name||value"`); `nil`
  /// when it is neither or a document is malformed.
  static func stickyBucketDocuments(_ value: JSONValue) -> [GrowthBook.StickyBucketDocument]? {
    let items: [JSONValue]
    switch value {
    case .array(let elements): items = elements
    case .object(let object): items = object.values.map { $0 }
    default: return nil
    }
    let documents = items.compactMap(GrowthBook.StickyBucketDocument.init(json:))
    return documents.count == items.count ? documents : nil
  }

  /// Sticky-bucket documents as an answer carries them: by key, in key order, each with
  /// its assignments in key order.
  static func stickyBucketJSON(_ documents: [String: GrowthBook.StickyBucketDocument]) -> JSONValue
  {
    .object(JSONObject(documents.sorted { $0.key < $1.key }.map { ($0.key, $0.value.json) }))
  }

  /// The byte range of the value of top-level field `name` in a line that is one
  /// valid JSON object (the last one, when the name repeats).
  static func fieldRange(_ name: String, in line: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
    guard let base = line.baseAddress else { return nil }
    let count = line.count
    var position = JSONBytes.skipWhitespace(base, 0, count)
    guard position < count, line[position] == UInt8(ascii: "{") else { return nil }
    position += 1
    var found: Range<Int>?
    while true {
      position = JSONBytes.skipWhitespace(base, position, count)
      guard position < count, line[position] == UInt8(ascii: "\""),
        let (keyEnd, _) = JSONBytes.looseStringEnd(base, position, count)
      else { return found }
      let key = try? JSONReader().read(UnsafeBufferPointer(rebasing: line[position..<keyEnd])).value
      position = JSONBytes.skipWhitespace(base, keyEnd, count)
      guard position < count, line[position] == UInt8(ascii: ":") else { return found }
      position = JSONBytes.skipWhitespace(base, position + 1, count)
      let start = position
      guard position < count else { return found }
      switch line[position] {
      case UInt8(ascii: "\""):
        guard let (end, _) = JSONBytes.looseStringEnd(base, position, count) else { return found }
        position = end
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        guard let end = JSONBytes.looseContainerEnd(line, from: position, depthLimit: Int.max)
        else { return found }
        position = end
      default:
        while position < count {
          let byte = line[position]
          if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || JSONBytes.isWhitespace(byte)
          {
            break
          }
          position += 1
        }
      }
      if key == .string(name) { found = start..<position }
      position = JSONBytes.skipWhitespace(base, position, count)
      guard position < count, line[position] == UInt8(ascii: ",") else { return found }
      position += 1
    }
  }
}
