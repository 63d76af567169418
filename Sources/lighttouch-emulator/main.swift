LightTouchEmulatorCommand.main()
