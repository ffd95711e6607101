"""The outside world: settings, the message service, channel adapters and the command line."""
