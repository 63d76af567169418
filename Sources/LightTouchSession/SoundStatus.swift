import LightTouchCore

/// The feedback sound as a session knows it: whether a device plays it, the
/// `s` switch, and how often the device ran out of sound. The session owns it
/// on its queue and records every change as a `sound` event, so a replay
/// knows what was audible and when, and its results carry the same figures
/// (docs/sound.md).
public struct SoundStatus: Sendable, Equatable {
    /// Where the sound goes.
    public enum Device: Sendable, Equatable {
        /// Playing through this ALSA device.
        case playing(String)
        /// No sound: the device could not be opened, or failed (libasound's message).
        case failed(String)
    }

    /// Something that happened to the sound. Each is recorded as a `sound`
    /// event whose detail is `recordedDetail`.
    public enum Event: Sendable, Equatable {
        /// The device opened and plays from here on.
        case opened(device: String)
        /// The device could not be opened, or stopped working; silent from here on.
        case failed(reason: String)
        /// The `s` key turned the sound on or off.
        case switched(on: Bool)
        /// The device ran out of sound for a moment (recovered).
        case underrun

        /// The event's detail in a recording: `opened NAME`, `failed REASON`, `on`, `off`, `underrun`.
        public var recordedDetail: String {
            switch self {
            case .opened(let device): "opened \(device)"
            case .failed(let reason): "failed \(reason)"
            case .switched(let on): on ? "on" : "off"
            case .underrun: "underrun"
            }
        }

        /// Reads a recorded detail; nil for one this version does not know (a replay skips it).
        public init?(recordedDetail detail: String) {
            let word = detail.prefix { $0 != " " }
            let rest = String(detail.dropFirst(word.count).drop { $0 == " " })
            switch word {
            case "opened": self = .opened(device: rest)
            case "failed": self = .failed(reason: rest)
            case "on" where rest.isEmpty: self = .switched(on: true)
            case "off" where rest.isEmpty: self = .switched(on: false)
            case "underrun" where rest.isEmpty: self = .underrun
            default: return nil
            }
        }
    }

    public var device: Device
    /// The `s` switch.
    public var on = true
    public var underruns = 0

    public init(device: Device, on: Bool = true, underruns: Int = 0) {
        self.device = device
        self.on = on
        self.underruns = underruns
    }

    /// Whether the student could hear the sound: a device plays it and `s` has it on.
    public var isAudible: Bool {
        guard on, case .playing = device else { return false }
        return true
    }

    /// The status after `event` (nil: the session has no sound, as without `--sound`).
    public static func applying(_ event: Event, to status: SoundStatus?) -> SoundStatus? {
        switch event {
        case .opened(let device):
            var next = status ?? SoundStatus(device: .playing(device))
            next.device = .playing(device)
            return next
        case .failed(let reason):
            var next = status ?? SoundStatus(device: .failed(reason))
            next.device = .failed(reason)
            return next
        case .switched(let on):
            guard var next = status else { return nil }
            next.on = on
            return next
        case .underrun:
            guard var next = status else { return nil }
            next.underruns += 1
            return next
        }
    }

    /// The sound in a results line: `{"device": NAME or null, "failed": REASON or null, "underruns": N}`.
    public var json: JSONValue {
        var device: JSONValue = .null, failed: JSONValue = .null
        switch self.device {
        case .playing(let name): device = .string(name)
        case .failed(let reason): failed = .string(reason)
        }
        return .object([("device", device), ("failed", failed), ("underruns", .int(underruns))])
    }

    /// The status line's and the screen's word for it: `sound on`, `sound off`, `no sound`.
    public var label: String {
        switch device {
        case .failed: "no sound"
        case .playing: on ? "sound on" : "sound off"
        }
    }
}

extension SoundStatus {
    /// The sound of a recording: its `sound` events in order, each with the
    /// session time it was noted at (−1 before the first sample).
    public static func events(of session: RecordedSession) -> [(time: Double, event: Event)] {
        session.events.filter { $0.kind == .sound }.compactMap { recorded in
            recorded.detail.flatMap(Event.init(recordedDetail:)).map { (time: recorded.time ?? -1, event: $0) }
        }
    }
}

extension SessionResults {
    /// The results line, with the sound's figures last when the session had sound
    /// (a session without `--sound` has the line it always had).
    public func json(sound: SoundStatus?) -> JSONValue {
        guard let sound, case .object(var members) = json else { return json }
        members.append(("sound", sound.json))
        return .object(members)
    }

    /// The table, with a line for the sound when the session had sound.
    public func table(sound: SoundStatus?) -> String {
        guard let sound else { return table }
        let line: String
        switch sound.device {
        case .playing(let device):
            line = "sound: through \(device), \(sound.underruns) underrun\(sound.underruns == 1 ? "" : "s")"
        case .failed(let reason):
            line = "sound: none (\(reason))"
        }
        return table.hasSuffix("\n") ? table + line + "\n" : table + "\n" + line
    }
}
