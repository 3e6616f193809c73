"""``python -m bot.testing.zalo_emulator``: the emulator with a console to play the people."""

from bot.testing.zalo_emulator.console import main

main()
