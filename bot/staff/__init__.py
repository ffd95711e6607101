"""What branch staff and campaigners use: the command line, chat commands, exports, campaign
assets, statistics and the web console."""
