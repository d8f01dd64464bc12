"""The network itself: VGG-19 hypercolumns, tessellation, Tucker compression, the CAN, and
``HyperSegNet``, which folds them into the hot path."""
