"""Tools › Source Maps…: the folders of JavaScript source maps applied to every open document."""
