import ArgumentParser
import Dispatch
import Foundation
import LightTouchClass
import LightTouchCore
import LightTouchTerminal
import Synchronization

struct ClassWatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "The class's live view: every station's trial, force, verdict, hold and last score (an instructor's login).",
        discussion: """
            Each station publishes its state ten times a second while a session runs. A blind trial publishes no \
            force, verdict or hold. A station with nothing new for \(Int(ClassWatch.quietAfter)) s is marked quiet. \
            With --plain, one line per update (and one when a station goes quiet); with --json, one JSON object per \
            update: the station's state with `station`, `age_s`, `latency_ms` (from the newest sample reaching \
            the station to this view), `publish_latency_ms` (from the station's publishing), `server_latency_ms` (from the server \
            writing the state), `notify_latency_ms` (from the server writing the state to its notification \
            reaching this view; null for a state read at connection) and `quiet`.
            """)

    @Flag(help: "One line per update.")
    var plain = false

    @Flag(help: "One JSON object per update.")
    var json = false

    @Flag(help: "Draw the screen in ASCII (the default when the locale is not UTF-8).")
    var ascii = false

    @Option(help: ArgumentHelp("Stop after this many seconds. Default: until q or Ctrl-C.", valueName: "s"))
    var duration: Double?

    @OptionGroup var classOptions: ClassOptions

    func validate() throws {
        if plain && json { throw ValidationError("--plain and --json cannot be used together") }
        if let duration, !(duration.isFinite && duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
    }

    func run() throws {
        let endpoint = try classOptions.required()
        let display = TerminalScreen.choice(plain: plain || json, ascii: ascii, environment: ProcessInfo.processInfo.environment)
        if let reason = display.reason { printError(reason) }
        let fullScreen = display.style != nil
        let asJSON = json
        let output = OutputBuffer()
        let state = WatchState()
        let tiles = state.tiles, quietShown = state.quietShown, lastStatus = state.lastStatus
        let task = Task.detached {
            await ClassWatch.run(
                endpoint,
                update: { tile in
                    tiles.withLock { $0[tile.station] = tile }
                    _ = quietShown.withLock { $0.remove(tile.station) }
                    if fullScreen { return }
                    output.line(asJSON ? Self.json(tile, nowMs: tile.receivedAtMs) : Self.plainLine(tile, nowMs: tile.receivedAtMs))
                    output.flush()
                },
                status: { error in
                    let text = error.map { "class watch: \($0.description); retrying" }
                    let changed = lastStatus.withLock { last in
                        defer { last = text }
                        return last != text
                    }
                    if changed, let text, !fullScreen { printError(text) }
                })
        }
        let stop = DispatchSemaphore(value: 0)
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM]) { stop.signal() }
        defer { signals.cancel() }
        if let style = display.style {
            let place = endpoint.description
            try UserError.onTerminal {
                try ClassViewScreen(style: style).run(limit: duration, stop: stop) {
                    let now = Int(Date().timeIntervalSince1970 * 1000)
                    let shown = tiles.withLock { $0.values.sorted { $0.station < $1.station } }.map { Self.tile($0, nowMs: now) }
                    let problem = lastStatus.withLock { $0 }
                    return (problem ?? "Class \(place): \(shown.count) station\(shown.count == 1 ? "" : "s")   q quits", shown)
                }
            }
            task.cancel()
            return
        }
        // Quiet stations, checked once a second; the watch ends at --duration or on a signal.
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "lighttouch.class.quiet"))
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { @Sendable in
            let now = Int(Date().timeIntervalSince1970 * 1000)
            for tile in tiles.withLock({ Array($0.values) }) where tile.silence(nowMs: now) >= ClassWatch.quietAfter {
                guard quietShown.withLock({ $0.insert(tile.station).inserted }) else { continue }
                output.line(asJSON ? Self.json(tile, nowMs: now) : Self.plainLine(tile, nowMs: now))
                output.flush()
            }
        }
        timer.resume()
        if let duration {
            _ = stop.wait(timeout: .now() + duration)
        } else {
            stop.wait()
        }
        timer.cancel()
        task.cancel()
        output.flush()
    }

    /// What the watch's tasks share: the latest tile of each station, the
    /// stations already reported quiet, the connection's last problem.
    final class WatchState: Sendable {
        let tiles = Shared<[String: LiveTile]>([:])
        let quietShown = Shared<Set<String>>([])
        let lastStatus = Shared<String?>(nil)
    }

    /// A value behind a lock, shareable by reference.
    final class Shared<Value: Sendable>: Sendable {
        private let mutex: Mutex<Value>
        init(_ value: Value) { mutex = Mutex(value) }
        func withLock<T>(_ body: (inout sending Value) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    /// A station's tile on the full screen.
    static func tile(_ tile: LiveTile, nowMs: Int) -> ClassTile {
        let s = tile.state
        let silence = tile.silence(nowMs: nowMs)
        var result = ClassTile(
            station: tile.station, student: s["student"]?.stringValue, title: s["title"]?.stringValue ?? s["kind"]?.stringValue ?? "",
            phase: phaseText(s), force: s["force_g"]?.doubleValue, verdict: s["verdict"]?.stringValue, hold: s["hold_s"]?.doubleValue,
            holdGoal: s["hold_goal_s"]?.doubleValue ?? 0, target: s["target_g"]?.doubleValue ?? 5, tolerance: s["tolerance_g"]?.doubleValue ?? 1,
            lastScore: s["last_score"]?.doubleValue, quietFor: silence >= ClassWatch.quietAfter ? silence : nil)
        result.left = s["hands"]?["left_g"]?.doubleValue
        result.right = s["hands"]?["right_g"]?.doubleValue
        return result
    }

    static func phaseText(_ s: JSONValue) -> String {
        let phase = s["phase"]?.stringValue ?? "?"
        guard let trial = s["trial"]?.intValue else { return phase }
        let of = s["trials"]?.intValue.map { "/\($0)" } ?? ""
        switch phase {
        case "trial": return "trial \(trial)\(of)"
        case "ready": return "ready for \(trial)\(of)"
        case "estimate": return "estimating \(trial)\(of)"
        default: return "rest, then \(trial)\(of)"
        }
    }

    static func json(_ tile: LiveTile, nowMs: Int) -> String {
        guard case .object(var members) = tile.state else { return "{}" }
        let silence = tile.silence(nowMs: nowMs)
        members.insert(("station", .string(tile.station)), at: 0)
        members.append(("age_s", .double(TrialMetrics.rounded(silence))))
        members.append(("latency_ms", tile.latencyMs.map(JSONValue.int) ?? .null))
        members.append(("publish_latency_ms", tile.publishLatencyMs.map(JSONValue.int) ?? .null))
        members.append(("server_latency_ms", tile.serverLatencyMs.map(JSONValue.int) ?? .null))
        members.append(("notify_latency_ms", tile.notifyLatencyMs.map(JSONValue.int) ?? .null))
        members.append(("quiet", .bool(silence >= ClassWatch.quietAfter)))
        return JSONValue.object(members).serialized()
    }

    /// `station  student  title  trial 2/5  4.98 g  on target  hold 1.2/3 s  last 87.0` (`blind` instead of the force);
    /// two hands add `L 4.20 g R 6.80 g L 38.2 %` after the verdict.
    static func plainLine(_ tile: LiveTile, nowMs: Int) -> String {
        let s = tile.state
        var parts = [tile.station, s["student"]?.stringValue ?? "—", s["title"]?.stringValue ?? s["kind"]?.stringValue ?? ""]
        parts.append(phaseText(s))
        if let force = s["force_g"]?.doubleValue {
            parts.append("\(force.fixed(2)) g")
            parts.append(s["verdict"]?.stringValue ?? "")
            if let hands = s["hands"], let left = hands["left_g"]?.doubleValue, let right = hands["right_g"]?.doubleValue {
                parts.append("L \(left.fixed(2)) g R \(right.fixed(2)) g" + (hands["left_share_pct"]?.doubleValue.map { " L \($0.fixed(1)) %" } ?? ""))
            }
            parts.append("hold \((s["hold_s"]?.doubleValue ?? 0).fixed(1))/\((s["hold_goal_s"]?.doubleValue ?? 0).fixed(0)) s")
        } else {
            parts.append("blind")
        }
        if let score = s["last_score"]?.doubleValue { parts.append("last \(score.fixed(1))") }
        let silence = tile.silence(nowMs: nowMs)
        if silence >= ClassWatch.quietAfter { parts.append("QUIET \(silence.fixed(0)) s") }
        return parts.joined(separator: "  ")
    }
}
