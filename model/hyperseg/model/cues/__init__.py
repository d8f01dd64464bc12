"""Click cues and post-processes: context channels built from clicks and the image, the classical
solvers they use (random walker, GrabCut), click enforcement and the boundary band."""
