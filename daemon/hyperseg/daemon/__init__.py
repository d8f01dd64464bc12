"""hyperseg.daemon"""
