import Dispatch
import Synchronization

/// The class view full-screen: `content` drawn ten times a second on the
/// screen's own queue (ncurses is called from that queue only) until q, a
/// stop request or the time limit.
public struct ClassViewScreen: Sendable {
    public let style: ScreenStyle

    public init(style: ScreenStyle) {
        self.style = style
    }

    /// - Parameters:
    ///   - content: the header line and the tiles, as they stand now.
    ///   - stop: signalled (by a signal handler, say) to end the view.
    public func run(
        limit: Double?, stop: DispatchSemaphore, content: @escaping @Sendable () -> (header: String, tiles: [ClassTile])
    ) throws {
        let screen = try TerminalScreen.startedOnOwnQueue(style: style)
        defer { screen.queue.sync { screen.stop() } }
        let timer = DispatchSource.makeTimerSource(queue: screen.queue)
        timer.schedule(deadline: .now(), repeating: .milliseconds(100), leeway: .milliseconds(10))
        let glyphs = style.glyphs
        timer.setEventHandler { @Sendable in
            for key in screen.readKeys() {
                if key == .character("q") || key == .character("Q") { stop.signal() }
            }
            let (header, tiles) = content()
            let size = screen.size
            screen.draw(ClassViewLayout.render(tiles, header: header, rows: size.rows, columns: size.columns, glyphs: glyphs))
        }
        timer.resume()
        if let limit {
            _ = stop.wait(timeout: .now() + limit)
        } else {
            stop.wait()
        }
        screen.queue.sync { timer.cancel() }
    }
}
