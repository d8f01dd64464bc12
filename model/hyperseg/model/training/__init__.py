"""Training: examples and simulated clicks, eq. 3's loss, the trainer, the Tucker fit."""
