import ArgumentParser
import LightTouchSensorModel
import LightTouchSensorOptions

/// How the demo sensor behaves: what presses on it and what its load cell and
/// link are like; the same options as `lighttouch-emulator`'s.
typealias DemoSensorOptions = SensorModelOptions

extension SensorModelOptions {
    /// The demo sensor's model at `rate` Hz; a bad setting is the user's one-line error.
    func modelConfiguration(rate: Int) throws -> SensorModelConfiguration {
        do {
            return try configuration(rate: rate)
        } catch {
            switch error {
            case .forceScript(let message): throw UserError.data(message)
            case .setting(let message): throw UserError("demo sensor: \(message)", exitCode: ExitCode(64))
            }
        }
    }
}
