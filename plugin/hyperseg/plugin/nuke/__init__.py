"""The Nuke node. This folder is what goes on NUKE_PATH (init.py, menu.py); node.py is the node."""
