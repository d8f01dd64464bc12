"""Nuke runs this at GUI start-up: a HyperSeg entry in the Nodes menu (toolbar)."""

import nuke

nuke.menu("Nodes").addMenu("HyperSeg").addCommand(
    "HyperSeg", "import hyperseg.plugin.nuke.node as hyperseg_node; hyperseg_node.create()"
)
