"""blocbot: a chat assistant for Vietnamese emulation blocs (khối thi đua)."""

__version__ = "0.1.0"
