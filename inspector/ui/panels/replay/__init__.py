"""Tools › Replay Folder…: send a folder of payloads through the send pipeline."""
