"""The bundled program's entry point: the ``erial-desk`` command, as installed by pip."""

import sys

from erial_desk.cli import main

if __name__ == "__main__":
    # Started with nothing to do (a double-click, a shortcut without arguments): the window.
    sys.exit(main(sys.argv[1:] or ["gui"]))
