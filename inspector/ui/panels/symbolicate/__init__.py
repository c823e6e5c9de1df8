"""Tools › Symbolicate…: a minidump's frames walked and named with Breakpad symbols, off the GUI thread."""
