"""hyperseg.model"""
