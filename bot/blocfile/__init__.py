"""The bloc file (tệp khối, YAML): read, checked and turned into a BlocSpec, every problem with
its path. An input adapter like the command line: it imports only the domain."""

from bot.blocfile.reader import *  # noqa: F403
from bot.blocfile.reader import __all__ as __all__
