"""``python -m qa_assistant`` is the ``qa-assistant`` command."""

import sys

from .cli import main

sys.exit(main())
