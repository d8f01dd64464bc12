"""The Nuke node: the folder to put on NUKE_PATH."""
