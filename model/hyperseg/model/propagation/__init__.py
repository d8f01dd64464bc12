"""Clicks that follow the image through a frame range.

``point_tracker`` moves points from one frame to the next (OpenCV pyramidal Lucas-Kanade on a
small grid of support points around each click, with a forward-backward check) and says why a
point it cannot trust switches itself off; ``click_propagation`` runs it over a range from the
clicks' key frames, in one or both directions, and writes the tracked positions back as keys of
a :class:`~hyperseg.protocol.clicktracks.ClickTracks`.
"""
