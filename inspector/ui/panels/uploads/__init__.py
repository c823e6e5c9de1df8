"""Tools › Upload Symbols / Source Maps…: the upload dialog."""
