"""Fixtures of the plugin tests; plates and the daemon they use are built in plugin_plates.py."""

from plugin_plates import address, daemon, plate_files, predictor

__all__ = ["address", "daemon", "plate_files", "predictor"]
