import CLightTouchEmulatorSupport
import Dispatch
import Foundation
import LightTouchEmulator
import LightTouchFirmwareLoop

/// A sensor the emulator plugs in, and unplugs and replugs while COMMAND runs:
/// the built-in emulated device or a firmware on a simulated chip.
protocol PluggableSensor: AnyObject, Sendable {
    func plug() throws
    func unplug()
    var deviceNode: String { get }
}

extension EmulatedSensor: PluggableSensor {}
extension FirmwareSensor: PluggableSensor {}

extension LightTouchEmulatorCommand {
    /// Starts COMMAND, unplugs and replugs `sensor` at --unplug-at and
    /// --replug-at, and waits for COMMAND: its status, or nil when it could
    /// not be started (said on stderr).
    func supervise(_ sensor: some PluggableSensor) -> Int32? {
        let child: pid_t
        do {
            child = try Spawn.run(command)
        } catch {
            FileHandle.standardError.write(Data("lighttouch-emulator: \(error)\n".utf8))
            return nil
        }
        _ = lte_forward_signals(child)

        let announce = !quiet
        // One serial queue for both: when the machine is slow and both times
        // have passed, the replug must still come after the unplug, never
        // beside it.
        let plugging = DispatchQueue(label: "lighttouch-emulator.plugging")
        if let unplugAt {
            plugging.asyncAfter(deadline: .now() + unplugAt) { @Sendable [weak sensor] in
                guard let sensor else { return }
                if announce {
                    FileHandle.standardError.write(
                        Data("lighttouch-emulator: unplugging the sensor (\(sensor.deviceNode))\n".utf8))
                }
                sensor.unplug()
            }
        }
        if let replugAt {
            plugging.asyncAfter(deadline: .now() + replugAt) { @Sendable [weak sensor] in
                guard let sensor else { return }
                do {
                    try sensor.plug()
                    if announce {
                        FileHandle.standardError.write(
                            Data("lighttouch-emulator: plugged the sensor back in (\(sensor.deviceNode))\n".utf8))
                    }
                } catch {
                    FileHandle.standardError.write(Data("lighttouch-emulator: replug failed: \(error)\n".utf8))
                }
            }
        }

        return Spawn.wait(for: child)
    }
}
