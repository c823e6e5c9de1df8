"""Use cases without Qt, shared by the window (:mod:`inspector.ui`) and the command line (:mod:`inspector.cli`).

A use case here is what a user asks for in one step, over the lower layers: send and record a payload
(:mod:`.sending`), replay a folder (:mod:`.replay`), name a native report's frames with symbols
(:mod:`.symbolication`), prepare a document's text for the editor (:mod:`.document_text`). The window runs them on
its worker pool; the CLI runs them on its one thread. Nothing here imports Qt, the window or the CLI.
"""
