import LightTouchCLI

LightTouchCommand.main()
