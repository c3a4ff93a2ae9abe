import Prometheus
import Synchronization

/// What `GET /metrics` reports, in Prometheus's text format.
final class ServerMetrics: Sendable {
  let registry = PrometheusCollectorRegistry()
  private let latency: DurationHistogram
  private let rulesVersion: Gauge
  private let rulesLoadedAt: Gauge
  private let rulesLoadSeconds: Gauge
  private let rulesCount: Gauge

  init() {
    latency = registry.makeDurationHistogram(
      descriptor: Self.name(
        "tailor_http_request_duration",
        "seconds",
        "Time from a request's head to its response, every route."
      ),
      buckets: [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .seconds(1),
      ]
    )
    rulesVersion = registry.makeGauge(
      descriptor: Self.name(
        "tailor_http_rules",
        "version",
        "Counts rules loads: 1 for the first document, one more per successful reload."
      )
    )
    rulesLoadedAt = registry.makeGauge(
      descriptor: Self.name(
        "tailor_http_rules_loaded_timestamp",
        "seconds",
        "When the served rules were loaded, in seconds since the epoch."
      )
    )
    rulesLoadSeconds = registry.makeGauge(
      descriptor: Self.name(
        "tailor_http_rules_load",
        "seconds",
        "How long reading and compiling the served rules took."
      )
    )
    rulesCount = registry.makeGauge(
      descriptor: Self.name("tailor_http_rules", "decisions", "Decisions in the served rules.")
    )
  }

  /// The request counters made so far, by route and status: the registry is asked once for each.
  private let requestCounters = Mutex<[RouteStatus: Counter]>([:])

  private struct RouteStatus: Hashable {
    var route: String
    var status: Int
  }

  /// Counts one response of `route` with `status`.
  func request(route: String, status: Int, duration: Duration) {
    let key = RouteStatus(route: route, status: status)
    let counter =
      requestCounters.withLock { $0[key] }
      ?? {
        let made = registry.makeCounter(
          descriptor: Self.name(
            "tailor_http_requests",
            "total",
            "Responses by route and HTTP status."
          ),
          labels: [("route", route), ("code", String(status))]
        )
        requestCounters.withLock { $0[key] = made }
        return made
      }()
    counter.increment()
    latency.record(duration)
  }

  /// Counts one OFREP or protocol error by its code (`FLAG_NOT_FOUND`, `bad_json`, …).
  func error(code: String) {
    registry.makeCounter(
      descriptor: Self.name(
        "tailor_http_errors",
        "total",
        "Errors answered, by OFREP error code or protocol error code."
      ),
      labels: [("code", code)]
    ).increment()
  }

  /// Counts one reload attempt.
  func reload(succeeded: Bool, trigger: String) {
    registry.makeCounter(
      descriptor: Self.name(
        "tailor_http_reloads",
        "total",
        "Reloads of the rules file, by result and what asked for them."
      ),
      labels: [("result", succeeded ? "ok" : "failed"), ("trigger", trigger)]
    ).increment()
  }

  /// Publishes the served rules' version and load time.
  func rules(_ snapshot: RulesSnapshot) {
    rulesVersion.set(Double(snapshot.version))
    rulesLoadedAt.set(snapshot.loadedAt)
    rulesLoadSeconds.set(snapshot.loadSeconds)
    rulesCount.set(Double(snapshot.served.rules.decisionNames.count))
  }

  private static func name(_ base: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(metricName: base, unitName: unit, helpText: help)
  }

  /// The text of `GET /metrics`.
  func render() -> [UInt8] { registry.emitToBuffer() }
}
