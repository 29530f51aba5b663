"""The built-in ``smtp`` channel: reminder emails with their PDFs, threaded, with proof."""
