import Dispatch
#if canImport(Glibc)
    import Glibc
#endif
import LightTouchCore
import LightTouchSession
import LightTouchTrainer
import Synchronization

/// The student's full screen over a live session: one queue owns ncurses;
/// at 20 Hz it reads the keys, hands them to the session, and draws one
/// `SessionFrame` (one consistent instant) laid out by `TrainerLayout`.
public struct TrainerScreen: Sendable {
    public let session: LiveSession
    /// Rings the terminal bell when the force leaves the band and when a hold goal is met.
    public let bell: Bool
    /// The demo sensor's arrow keys: press harder (positive grams) or lighter.
    public let nudge: (@Sendable (Double) -> Void)?
    /// Unicode or ASCII, colour or not (`TerminalScreen.choice`).
    public let style: ScreenStyle
    public init(session: LiveSession, bell: Bool, nudge: (@Sendable (Double) -> Void)? = nil, style: ScreenStyle = ScreenStyle()) {
        self.session = session
        self.bell = bell
        self.nudge = nudge
        self.style = style
    }

    /// Runs the session on the screen until it ends (q, a signal, `limit`
    /// seconds), and gives the terminal back before returning.
    /// - Returns: what drawing cost, for `LIGHTTOUCH_DISPLAY_STATS`.
    @discardableResult
    public func run(limit: Double?) throws -> DisplayCost {
        let screen = try TerminalScreen.startedOnOwnQueue(style: style)
        defer { screen.queue.sync { screen.stop() } }
        let session = session, ringBell = bell, nudge = nudge
        let serial = session.connection.info.serial
        let lastBell = Mutex<UInt64>(0)
        let draft = Mutex(EstimateDraft())
        let cost = DisplayCostMeter()
        try session.run(limit: limit, every: .milliseconds(50), on: screen.queue) {
            cost.measure {
                for key in screen.readKeys() {
                    // While an estimate is asked, the keys answer it (q still quits).
                    if key != .character("q"), key != .character("Q"), let prompt = session.frame.drill?.estimatePrompt {
                        if case .answer(let answer) = draft.withLock({ $0.take(key, for: prompt) }) {
                            session.handle(.drill(.estimate(answer)))
                        }
                        continue
                    }
                    switch key {
                    case .character("q"), .character("Q"): session.requestStop()
                    case .character(" "): session.handle(.drill(.space))
                    case .character("t"), .character("T"): session.handle(.tare)
                    case .character("f"), .character("F"): session.handle(.drill(.cycleFeedback))
                    case .character("p"), .character("P"): session.handle(.drill(.peek))
                    case .character("s"), .character("S"): session.handle(.sound)
                    case .character("+"), .character("="): session.handle(.drill(.targetUp))
                    case .character("-"), .character("_"): session.handle(.drill(.targetDown))
                    case .up: nudge?(0.5)
                    case .down: nudge?(-0.5)
                    case .right: nudge?(0.1)
                    case .left: nudge?(-0.1)
                    default: break
                    }
                }
                if session.takeBell(), ringBell {
                    let now = DispatchTime.now().uptimeNanoseconds
                    let ring = lastBell.withLock { last in
                        guard now - last > 1_000_000_000 else { return false }
                        last = now
                        return true
                    }
                    if ring { screen.bell() }
                }
                let frame = session.frame
                guard let drill = frame.drill else { return }
                let view = TrainerView(
                    snapshot: frame.snapshot, session: drill, history: Array(frame.history), sensor: serial, isDemo: nudge != nil,
                    bell: ringBell, handsHistory: Array(frame.handsHistory), draft: draft.withLock { $0 }, sound: frame.sound)
                let size = screen.size
                screen.draw(TrainerLayout.render(view, rows: size.rows, columns: size.columns, glyphs: screen.style.glyphs))
            }
        }
        return cost.total
    }
}

/// The examiner's full screen over an assessment: the rules, the phase and
/// the trials recorded; the force only as the protocol allows. `t` tares
/// (between trials only: the session refuses it during one), `q` ends.
public struct ExaminerScreen: Sendable {
    public let session: LiveSession
    public let protocolName: String
    public let grading: String
    public let student: String
    public let examiner: String?
    /// Unicode or ASCII, colour or not (`TerminalScreen.choice`).
    public let style: ScreenStyle

    public init(
        session: LiveSession, protocolName: String, grading: String, student: String, examiner: String?, style: ScreenStyle = ScreenStyle()
    ) {
        self.session = session
        self.protocolName = protocolName
        self.grading = grading
        self.student = student
        self.examiner = examiner
        self.style = style
    }

    /// Runs the session on the screen until it ends, and gives the terminal back.
    public func run(limit: Double?) throws {
        let screen = try TerminalScreen.startedOnOwnQueue(style: style)
        defer { screen.queue.sync { screen.stop() } }
        let session = session, name = protocolName, grading = grading, student = student, examiner = examiner
        let serial = session.connection.info.serial
        let draft = Mutex(EstimateDraft())
        try session.run(limit: limit, every: .milliseconds(50), on: screen.queue) {
            for key in screen.readKeys() {
                // The student's estimate after a trial, typed by whoever is at the keyboard (q still ends).
                if key != .character("q"), key != .character("Q"), let prompt = session.frame.drill?.estimatePrompt {
                    if case .answer(let answer) = draft.withLock({ $0.take(key, for: prompt) }) {
                        session.handle(.drill(.estimate(answer)))
                    }
                    continue
                }
                switch key {
                case .character("q"), .character("Q"): session.requestStop()
                case .character("t"), .character("T"): session.handle(.tare)
                case .character("s"), .character("S"): session.handle(.sound)
                default: break  // the protocol fixes the feedback and the target
                }
            }
            let frame = session.frame
            guard let drill = frame.drill else { return }
            let view = ExaminerView(
                snapshot: frame.snapshot, session: drill, protocolName: name, grading: grading, student: student,
                examiner: examiner, sensor: serial, draft: draft.withLock { $0 }, sound: frame.sound)
            let size = screen.size
            screen.draw(ExaminerLayout.render(view, rows: size.rows, columns: size.columns, glyphs: screen.style.glyphs))
        }
    }
}

/// What drawing the screen cost: frames and the CPU time spent in them.
public struct DisplayCost: Sendable {
    public var frames: Int
    public var nanos: UInt64
}

/// Measures the CPU time of each frame's handler (for docs/speed.md).
final class DisplayCostMeter: Sendable {
    private let cost = Mutex(DisplayCost(frames: 0, nanos: 0))

    func measure(_ body: () -> Void) {
        let start = Self.threadCPUNanos()
        body()
        let spent = Self.threadCPUNanos() &- start
        cost.withLock { $0 = DisplayCost(frames: $0.frames + 1, nanos: $0.nanos &+ spent) }
    }

    var total: DisplayCost { cost.withLock { $0 } }

    /// CPU time of the calling thread, nanoseconds.
    static func threadCPUNanos() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }
}

extension TerminalScreen {
    /// A screen on a queue of its own, started (stop it on that queue).
    static func startedOnOwnQueue(style: ScreenStyle) throws(TerminalError) -> TerminalScreen {
        let screen = TerminalScreen(queue: DispatchQueue(label: "lighttouch.screen", qos: .userInteractive), style: style)
        try screen.startFromOutside()
        return screen
    }
}
