"""Evaluation: metrics, the RITM clicker, classical baselines, reports."""
