import Dispatch
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
@_spi(Server) import Tailor

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The request context: Hummingbird's, plus the peer's address for the loopback-only admin routes.
struct TailorRequestContext: RequestContext, RemoteAddressRequestContext {
  var coreContext: CoreRequestContextStorage
  let remoteAddress: SocketAddress?

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }
}

/// What the routes need: the options, the rules and the metrics.
struct Endpoints: Sendable {
  struct Options: Sendable {
    var targetingKey: String
    var maxBodyBytes: Int
    var maxDepth: Int
    /// Seconds a request body may take to arrive (a client trickling bytes is answered 408).
    var readTimeout: Int
    /// Evaluation routes need `X-API-Key: key` or `Authorization: Bearer key` when set.
    var apiKey: String?
    /// `POST /admin/reload` needs `Authorization: Bearer token`; without a token it is off.
    var adminToken: String?
    /// Whether admin routes answer peers other than loopback.
    var adminFromAnywhere: Bool
    /// Whether `POST /bench/constant` (a constant body, the framework's floor under load) is served.
    var benchRoutes: Bool
  }

  let options: Options
  let state: RulesState
  let metrics: ServerMetrics
  let logger: Logger
  private let targetingKeyPath: TargetingKeyPath

  init(options: Options, state: RulesState, metrics: ServerMetrics, logger: Logger) {
    self.options = options
    self.state = state
    self.metrics = metrics
    self.logger = logger
    targetingKeyPath = TargetingKeyPath(options.targetingKey)
    metrics.rules(state.snapshot)
  }

  /// Where reloads read and compile, one at a time, off the event loops and the
  /// concurrency pool, so requests keep being answered from the old rules meanwhile.
  private static let reloadQueue = DispatchQueue(label: "tailor-http.reload")

  /// Reloads the rules file on the reload queue; logs and counts the result.
  func reload(trigger: String) async -> Result<RulesSnapshot, RulesState.ReloadFailure> {
    await withCheckedContinuation { continuation in
      Self.reloadQueue.async { continuation.resume(returning: reloadNow(trigger: trigger)) }
    }
  }

  private func reloadNow(trigger: String) -> Result<RulesSnapshot, RulesState.ReloadFailure> {
    do {
      let snapshot = try state.reload()
      metrics.reload(succeeded: true, trigger: trigger)
      metrics.rules(snapshot)
      logger.info(
        "rules reloaded",
        metadata: [
          "trigger": "\(trigger)", "version": "\(snapshot.version)",
          "decisions": "\(snapshot.served.rules.decisionNames.count)",
        ]
      )
      return .success(snapshot)
    } catch {
      metrics.reload(succeeded: false, trigger: trigger)
      logger.error(
        "reload failed; the previous rules stay",
        metadata: ["trigger": "\(trigger)", "diagnostics": "\(error.message)"]
      )
      return .failure(error)
    }
  }

  func router() -> Router<TailorRequestContext> {
    let router = Router(context: TailorRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.get("/healthz") { _, _ in json(200, #"{"status":"ok"}"#) }
    router.get("/readyz") { _, _ in
      let snapshot = state.snapshot
      return json(200, #"{"status":"ready","rulesVersion":\#(snapshot.version)}"#)
    }
    router.get("/metrics") { _, _ in
      var headers = HTTPFields()
      headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
      return Response(
        status: .ok,
        headers: headers,
        body: .init(byteBuffer: ByteBuffer(bytes: metrics.render()))
      )
    }
    router.post("/ofrep/v1/evaluate/flags/{key}") { request, context in
      guard let key = context.parameters.get("key") else {
        return ofrepFailure(.flagNotFound(""), key: nil)
      }
      let flag = key.utf8.contains(UInt8(ascii: "%")) ? key.removingPercentEncoding ?? key : key
      return try await evaluateOne(flag, request: request)
    }
    router.post("/ofrep/v1/evaluate/flags") { request, _ in
      try await evaluateAll(request: request)
    }
    router.post("/v1/decide") { request, _ in
      try await decide(request: request)
    }
    router.post("/admin/reload") { request, context in
      if let refusal = admin(request, context) { return refusal }
      switch await reload(trigger: "admin") {
      case .success(let snapshot):
        return json(
          200,
          #"{"ok":true,"rulesVersion":\#(snapshot.version),"decisions":\#(snapshot.served.rules.decisionNames.count)}"#
        )
      case .failure(let failure):
        var body: [UInt8] = []
        JSONValue.object(
          JSONObject([
            ("ok", false),
            ("error", .string("the rules did not load; the previous rules stay")),
            ("diagnostics", .string(failure.message)),
          ])
        ).write(into: &body)
        return json(422, body)
      }
    }
    if options.benchRoutes {
      router.post("/bench/constant") { request, _ in
        var request = request
        _ = try await request.collectBody(upTo: options.maxBodyBytes)
        return json(200, #"{"key":"constant","value":true,"reason":"STATIC","variant":"on"}"#)
      }
    }
    return router
  }

  // MARK: OFREP

  /// What every OFREP evaluation reads first: the caller's credentials, a JSON body
  /// and the context in it, read for one snapshot of the rules; or the refusal to answer.
  private func ofrepContext(
    _ request: Request,
    key: String?
  ) async -> Result<(RulesSnapshot, OFREP.Context), OFREPRefusal> {
    if let refusal = authorize(request) { return .failure(OFREPRefusal(response: refusal)) }
    if let refusal = requireJSON(request, ofrepKey: key) {
      return .failure(OFREPRefusal(response: refusal))
    }
    let body: [UInt8]
    switch await collect(request) {
    case .body(let bytes): body = bytes
    case .refused(let response): return .failure(OFREPRefusal(response: response))
    }
    let snapshot = state.snapshot
    switch OFREP.context(
      from: body,
      targetingKey: targetingKeyPath,
      rules: snapshot.served.rules,
      maxDepth: options.maxDepth
    ) {
    case .success(let context): return .success((snapshot, context))
    case .failure(let failure):
      return .failure(OFREPRefusal(response: ofrepFailure(failure, key: key)))
    }
  }

  private func evaluateOne(_ key: String, request: Request) async throws -> Response {
    let snapshot: RulesSnapshot
    let context: OFREP.Context
    switch await ofrepContext(request, key: key) {
    case .success(let read): (snapshot, context) = read
    case .failure(let refusal): return refusal.response
    }
    var output: [UInt8] = []
    output.reserveCapacity(512)
    if let failure = OFREP.evaluate(
      key,
      context: context,
      snapshot: snapshot,
      targetingKey: options.targetingKey,
      into: &output
    ) {
      return ofrepFailure(failure, key: key)
    }
    return json(200, output)
  }

  private func evaluateAll(request: Request) async throws -> Response {
    let snapshot: RulesSnapshot
    let context: OFREP.Context
    switch await ofrepContext(request, key: nil) {
    case .success(let read): (snapshot, context) = read
    case .failure(let refusal): return refusal.response
    }
    var output: [UInt8] = []
    OFREP.evaluateAll(
      context: context,
      snapshot: snapshot,
      targetingKey: options.targetingKey,
      into: &output
    )
    let tag = OFREP.entityTag(version: snapshot.version, body: output)
    var headers = HTTPFields()
    headers[.eTag] = tag
    if let ifNoneMatch = request.headers[.ifNoneMatch],
      OFREP.matches(ifNoneMatch: ifNoneMatch, tag: tag)
    {
      return Response(status: .notModified, headers: headers)
    }
    headers[.contentType] = "application/json"
    return Response(
      status: .ok,
      headers: headers,
      body: .init(byteBuffer: ByteBuffer(bytes: output))
    )
  }

  private func ofrepFailure(_ failure: OFREP.Failure, key: String?) -> Response {
    metrics.error(code: failure.code)
    var output: [UInt8] = []
    OFREP.writeFailure(failure, key: key, into: &output)
    return json(failure.status, output)
  }

  // MARK: /v1/decide

  private func decide(request: Request) async throws -> Response {
    if let refusal = authorize(request) { return refusal }
    let type = mediaType(request)
    let lines: Bool
    switch type {
    case "application/json": lines = false
    case "application/x-ndjson", "application/jsonl", "application/jsonlines": lines = true
    default:
      return generalError(
        415,
        "`/v1/decide` takes application/json (one request) or application/x-ndjson (one per line), not \(type ?? "a body without Content-Type")"
      )
    }
    let body: [UInt8]
    switch await collect(request) {
    case .body(let bytes): body = bytes
    case .refused(let response): return response
    }
    let handler = state.snapshot.handler
    if lines {
      let output = Decide.answerLines(body, handler: handler)
      var headers = HTTPFields()
      headers[.contentType] = "application/x-ndjson"
      return Response(
        status: .ok,
        headers: headers,
        body: .init(byteBuffer: ByteBuffer(bytes: output))
      )
    }
    let (answer, failed) = Decide.answerOne(body, handler: handler)
    if failed { metrics.error(code: "decide") }
    return json(failed ? 400 : 200, answer)
  }

  // MARK: Checks

  /// The media type of `Content-Type`, lowercased, without parameters.
  private func mediaType(_ request: Request) -> String? {
    guard let value = request.headers[.contentType] else { return nil }
    if value == "application/json" { return value }
    let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces } ?? ""
    return type.lowercased()
  }

  /// OFREP bodies are JSON: a body with another `Content-Type` is refused with 415.
  private func requireJSON(_ request: Request, ofrepKey: String?) -> Response? {
    guard let type = mediaType(request) else { return nil }
    if type == "application/json" || type.hasSuffix("+json") { return nil }
    return generalError(415, "OFREP requests are application/json, not \(type)")
  }

  /// Reads the body: at most `--max-body-bytes` (413 past that), within `--read-timeout`
  /// seconds (408 past that; a silent client is closed by the idle timeout, one that
  /// trickles bytes is stopped here when its next bytes arrive).
  private func collect(_ request: Request) async -> BodyRead {
    if let length = request.headers[.contentLength].flatMap({ Int($0) }),
      length > options.maxBodyBytes
    {
      return .refused(tooLarge())
    }
    let deadline = ContinuousClock.now + .seconds(options.readTimeout)
    var body: [UInt8] = []
    do {
      for try await chunk in request.body {
        guard body.count + chunk.readableBytes <= options.maxBodyBytes else {
          return .refused(tooLarge())
        }
        body.append(contentsOf: chunk.readableBytesView)
        if ContinuousClock.now > deadline {
          return .refused(
            generalError(408, "the body took longer than \(options.readTimeout) s (--read-timeout)")
          )
        }
      }
      return .body(body)
    } catch {
      return .refused(generalError(400, "the body could not be read"))
    }
  }

  /// A request body, or the response that refuses it.
  private enum BodyRead {
    case body([UInt8])
    case refused(Response)
  }

  private func tooLarge() -> Response {
    generalError(413, "the body is larger than \(options.maxBodyBytes) bytes (--max-body-bytes)")
  }

  /// OFREP's `ApiKeyAuth` scheme.
  private static let apiKeyHeader = HTTPField.Name("X-API-Key") ?? .authorization

  /// 401 without credentials, 403 with wrong ones, when an API key is set.
  private func authorize(_ request: Request) -> Response? {
    guard let key = options.apiKey else { return nil }
    let presented = request.headers[Self.apiKeyHeader] ?? bearer(request)
    guard let presented else {
      return generalError(401, "credentials needed: X-API-Key or Authorization: Bearer")
    }
    return constantTimeEqual(presented, key)
      ? nil : generalError(403, "the credentials are not valid")
  }

  /// Admin routes: loopback peers only (unless `--admin-from-anywhere`) and the admin token.
  private func admin(_ request: Request, _ context: TailorRequestContext) -> Response? {
    guard let token = options.adminToken else {
      return generalError(403, "admin routes are off: start tailor-http with --admin-token")
    }
    if !options.adminFromAnywhere && !isLoopback(context.remoteAddress) {
      return generalError(403, "admin routes answer loopback peers only (--admin-from-anywhere)")
    }
    guard let presented = bearer(request) else {
      return generalError(401, "the admin token is needed: Authorization: Bearer")
    }
    return constantTimeEqual(presented, token)
      ? nil : generalError(403, "the admin token is not valid")
  }

  private func bearer(_ request: Request) -> String? {
    guard let value = request.headers[.authorization] else { return nil }
    let parts = value.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
    return parts[1].trimmingSpaces
  }

  private func isLoopback(_ address: SocketAddress?) -> Bool {
    guard let ip = address?.ipAddress else { return false }
    return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
  }

  private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var difference = UInt8(x.count == y.count ? 0 : 1)
    for index in 0..<min(x.count, y.count) { difference |= x[index] ^ y[index] }
    return difference == 0
  }

  private func generalError(_ status: Int, _ details: String) -> Response {
    metrics.error(code: "http_\(status)")
    return json(status, generalErrorBody(details))
  }
}

/// `{"errorDetails":…}`, OFREP's general error response.
func generalErrorBody(_ details: String) -> [UInt8] {
  var output: [UInt8] = []
  JSONValue.object(JSONObject([("errorDetails", .string(details))])).write(into: &output)
  return output
}

func json(_ status: Int, _ body: String) -> Response {
  json(status, Array(body.utf8))
}

func json(_ status: Int, _ body: [UInt8]) -> Response {
  var headers = HTTPFields()
  headers[.contentType] = "application/json"
  return Response(
    status: HTTPResponse.Status(code: status),
    headers: headers,
    body: .init(byteBuffer: ByteBuffer(bytes: body))
  )
}

/// Counts and times every response; turns errors the framework throws (unknown routes, say)
/// into `{"errorDetails":…}` with their status, so every error body is JSON.
struct MetricsMiddleware: RouterMiddleware {
  typealias Context = TailorRequestContext
  let metrics: ServerMetrics

  func handle(
    _ request: Request,
    context: Context,
    next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    let began = ContinuousClock.now
    let response: Response
    do {
      response = try await next(request, context)
    } catch let error as HTTPResponseError {
      let status = error.status
      let details =
        status == .notFound
        ? "no route for \(request.method) \(request.uri.path)"
        : (status.reasonPhrase.isEmpty ? "error \(status.code)" : status.reasonPhrase)
      metrics.error(code: "http_\(status.code)")
      response = json(status.code, generalErrorBody(details))
    } catch {
      metrics.error(code: "http_500")
      response = json(500, generalErrorBody("internal error"))
    }
    let route = context.endpointPath ?? "unmatched"
    metrics.request(
      route: route,
      status: response.status.code,
      duration: ContinuousClock.now - began
    )
    return response
  }
}

/// An HTTP answer that ends an OFREP request before it is evaluated.
private struct OFREPRefusal: Error {
  let response: Response
}
