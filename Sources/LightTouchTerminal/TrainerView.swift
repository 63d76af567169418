import LightTouchCore
import LightTouchSession
import LightTouchTrainer

/// Everything the trainer screen shows at one instant, built from the
/// pipeline's latest snapshot and the practice session. A value, so the
/// layout is a pure function of it.
public struct TrainerView: Sendable {
    public var drillName: String
    public var sensor: String
    public var calibrated: Bool
    public var calibrationExpired: Bool
    /// The latest filtered force, grams.
    public var force: Double
    public var visibility: FeedbackVisibility
    /// The band the force is judged against now (with `+`/`-` applied).
    public var options: TrialOptions
    public var hold: Double
    public var trialNumber: Int?
    public var trialCount: Int
    public var phase: PracticeSession.Phase
    /// Seconds into the running trial, and its length.
    public var elapsed: Double
    public var trialLength: Double
    /// Seconds until the next trial starts by itself (resting).
    public var restLeft: Double?
    public var inBandPercent: Double?
    public var cv: Double?
    public var mode: FeedbackMode
    public var peeks: Int
    public var lastResult: TrialResult?
    public var warnings: [String]
    /// A tare is measuring (its warning then comes before any notice: the student just asked for it
    /// and must keep off the sensor).
    public var taring: Bool
    public var notice: String?
    /// The filtered force over the last seconds, oldest first.
    public var history: [(time: Double, force: Double)]
    /// The newest sample's time.
    public var now: Double
    /// The demo sensor takes arrow keys.
    public var isDemo: Bool
    public var bell: Bool
    /// Two hands: each hand's latest filtered force (nil for one hand).
    public var hands: HandForces?
    /// Two hands: the balance band.
    public var balance: BalanceSettings?
    /// Two hands: each hand's force at the points of `history`.
    public var handsHistory: [HandForces]
    /// Two hands: the running trial's balanced share of its balance phase, percent.
    public var balancedPercent: Double?
    /// The estimate asked now, with what the student has typed of it.
    public var estimate: EstimateDraft.Shown?
    /// The feedback sound (nil without `--sound`): its indicator and the `s` key.
    public var sound: SoundStatus?

    public init(
        snapshot: PipelineSnapshot, session: PracticeSession, history: [(time: Double, force: Double)], sensor: String,
        isDemo: Bool, bell: Bool, extraWarnings: [String] = [], handsHistory: [HandForces] = [],
        draft: EstimateDraft = EstimateDraft(), sound: SoundStatus? = nil
    ) {
        estimate = session.estimatePrompt.flatMap { draft.shown(for: $0) }
        self.sound = sound
        drillName = session.drill.name
        self.sensor = sensor
        calibrated = snapshot.calibrated
        calibrationExpired = snapshot.calibrationExpired
        force = snapshot.filtered
        visibility = session.visibility
        options = session.currentOptions
        hold = session.currentHold
        trialCount = session.drill.trials.count
        phase = session.phase
        trialNumber = session.trialIndex.map { $0 + 1 }
        elapsed = session.elapsed
        trialLength = session.trialIndex.map { session.drill.trials[$0].lengthSeconds } ?? 0
        if case .resting(_, let until) = session.phase { restLeft = max(0, until - session.time) }
        let running = session.currentTrial
        inBandPercent = running?.inBandPercent
        cv = running?.cv
        balance = session.drill.balance
        hands = balance == nil ? nil : snapshot.hands
        self.handsHistory = hands == nil ? [] : handsHistory
        balancedPercent = running?.hands?.balance.balancedPercent
        mode = session.currentMode
        peeks = session.currentPeeks
        lastResult = session.results.last
        notice = session.notice
        self.history = history
        now = snapshot.time
        self.isDemo = isDemo
        self.bell = bell
        var warnings = extraWarnings
        if !snapshot.connected { warnings.append("sensor unplugged: plug it back in, or press q to quit") }
        taring = snapshot.taring
        if snapshot.taring {
            warnings.append("taring: keep your hands off the sensor…")
        } else if case .refused(let refusal, _) = snapshot.tare {
            warnings.append(session.visibility == .all ? refusal.description : refusal.descriptionWithoutForce)
        }
        if snapshot.lostFrames > 0 { warnings.append("lost frames: \(snapshot.lostFrames)") }
        if snapshot.droppedBlocks > 0 { warnings.append("the pipeline fell behind: \(snapshot.droppedBlocks) blocks dropped") }
        if !snapshot.calibrated { warnings.append("uncalibrated: grams from the sensor's nominal sensitivity") }
        if snapshot.calibrationExpired { warnings.append("calibration EXPIRED: grams may be off; recalibrate with `lighttouch calibrate run`") }
        self.warnings = warnings
    }

    public var verdict: Verdict { Verdict(force: force, options: options) }

    /// Two hands: the left share now (nil unless both hands touch).
    public var leftShare: Double? { hands?.leftShare(contact: options.contact) }

    /// The gauge and plot run from 0 to this many grams.
    public var scaleMax: Double { max(10, (options.bandHigh * 2).rounded(.up)) }
}

extension SoundStatus {
    /// The screen's indicator: `sound on`, `sound off` or `no sound`, and the underruns when there were any.
    var indicator: String {
        underruns > 0 ? "\(label) · \(underruns) underrun\(underruns == 1 ? "" : "s")" : label
    }
}
