import LightTouchCLI

LightTouchCommand.runMain()
