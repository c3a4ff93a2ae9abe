import ArgumentParser
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import UnixSignals

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `tailor-http`: Tailor's decisions over HTTP, as OFREP and as the JSON-lines protocol.
@main
struct TailorHTTP: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tailor-http",
    abstract: "Serves a Tailor rules document over HTTP: OFREP, /v1/decide, health and metrics.",
    discussion: """
      Routes: POST /ofrep/v1/evaluate/flags/{key}, POST /ofrep/v1/evaluate/flags (ETag, \
      If-None-Match), POST /v1/decide, GET /healthz, GET /readyz, GET /metrics, \
      POST /admin/reload. SIGHUP reloads the rules file; SIGTERM and SIGINT stop \
      accepting connections and finish the requests in flight.
      """
  )

  @Option(name: .long, help: ArgumentHelp("The rules document to serve.", valueName: "file"))
  var rules: String

  @Option(name: .long, help: "The address to listen on.")
  var host = "127.0.0.1"

  @Option(name: .long, help: "The port to listen on (0 picks a free one and logs it).")
  var port = 8016

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The attribute an OFREP context's `targetingKey` becomes.",
      valueName: "path"
    )
  )
  var targetingKey = "id"

  @Option(name: .long, help: ArgumentHelp("The largest request body accepted.", valueName: "bytes"))
  var maxBodyBytes = 1 << 20

  @Option(name: .long, help: "The deepest nesting a request body may have.")
  var maxDepth = 64

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Seconds a connection may stay idle (a slow or silent client) before it is closed.",
      valueName: "seconds"
    )
  )
  var idleTimeout = 30

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Seconds a request body may take to arrive; a client that trickles it is answered 408.",
      valueName: "seconds"
    )
  )
  var readTimeout = 10

  @Option(
    name: .long,
    help: "Connections served at once; further ones wait in the listen backlog."
  )
  var maxConnections = 1024

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A file holding the API key the evaluation routes require (X-API-Key or Authorization: Bearer); also TAILOR_HTTP_API_KEY.",
      valueName: "file"
    )
  )
  var apiKeyFile: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "A file holding the bearer token POST /admin/reload requires; also TAILOR_HTTP_ADMIN_TOKEN. Without one, admin routes are off.",
      valueName: "file"
    )
  )
  var adminTokenFile: String?

  @Flag(name: .long, help: "Let admin routes answer peers other than loopback.")
  var adminFromAnywhere = false

  @Flag(
    name: .long,
    help: "Serve POST /bench/constant, a constant answer that measures the framework's own floor."
  )
  var benchRoutes = false

  @Option(name: .long, help: "The log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel = "info"

  func validate() throws {
    guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
    guard maxDepth > 0 else { throw ValidationError("--max-depth must be positive") }
    guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be positive") }
    guard readTimeout > 0 else { throw ValidationError("--read-timeout must be positive") }
    guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError("unknown --log-level `\(logLevel)`")
    }
  }

  func run() async throws {
    var logger = Logger(label: "tailor-http")
    logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

    let state: RulesState
    do {
      state = try RulesState.load(path: rules, targetingKey: targetingKey, maxDepth: maxDepth)
    } catch {
      logger.critical("the rules did not load", metadata: ["diagnostics": "\(error.message)"])
      throw ExitCode(2)
    }
    let options = Endpoints.Options(
      targetingKey: targetingKey,
      maxBodyBytes: maxBodyBytes,
      maxDepth: maxDepth,
      readTimeout: readTimeout,
      apiKey: try secret(file: apiKeyFile, environment: "TAILOR_HTTP_API_KEY"),
      adminToken: try secret(file: adminTokenFile, environment: "TAILOR_HTTP_ADMIN_TOKEN"),
      adminFromAnywhere: adminFromAnywhere,
      benchRoutes: benchRoutes
    )
    let endpoints = Endpoints(
      options: options,
      state: state,
      metrics: ServerMetrics(),
      logger: logger
    )
    let snapshot = state.snapshot
    logger.info(
      "rules loaded",
      metadata: [
        "file": "\(rules)", "decisions": "\(snapshot.served.rules.decisionNames.count)",
        "seconds": "\(snapshot.loadSeconds)",
      ]
    )
    let runningLogger = logger
    let app = Application(
      router: endpoints.router(),
      server: .http1(configuration: .init(idleTimeout: .seconds(Int64(idleTimeout)))),
      configuration: .init(
        address: .hostname(host, port: port),
        serverName: "tailor-http",
        availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)
      ),
      onServerRunning: { channel in
        let address = channel.localAddress
        runningLogger.info(
          "listening",
          metadata: [
            "address": "\(address?.ipAddress ?? host)", "port": "\(address?.port ?? port)",
          ]
        )
      },
      logger: logger
    )
    let group = ServiceGroup(
      services: [app, ReloadOnHangup(endpoints: endpoints)],
      gracefulShutdownSignals: [.sigterm, .sigint],
      logger: logger
    )
    try await group.run()
  }

  /// A secret from a file (trailing newline dropped) or the environment; `nil` when neither is set.
  private func secret(file: String?, environment: String) throws -> String? {
    if let file {
      guard let data = FileManager.default.contents(atPath: file),
        let text = String(data: data, encoding: .utf8)
      else { throw ValidationError("cannot read \(file)") }
      let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
      guard !secret.isEmpty else { throw ValidationError("\(file) is empty") }
      return secret
    }
    if let value = ProcessInfo.processInfo.environment[environment], !value.isEmpty { return value }
    return nil
  }
}

/// Reloads the rules file on every SIGHUP until the server shuts down.
struct ReloadOnHangup: Service {
  let endpoints: Endpoints

  func run() async throws {
    let hangups = await UnixSignalsSequence(trapping: .sighup)
    for await _ in hangups.cancelOnGracefulShutdown() {
      _ = await endpoints.reload(trigger: "sighup")
    }
  }
}
