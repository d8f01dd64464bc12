"""hyperseg.plugin"""
