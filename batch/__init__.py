"""hyperseg.batch"""
