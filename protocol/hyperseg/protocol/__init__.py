"""hyperseg.protocol: the rules every side obeys, torch-free.

Host, daemon, batch and model all import these and nothing else defines them: errors and their
gRPC status codes (``errors``), clicks and their checks (``clicks``), the proxy scale
(``proxy``), click tracks and ``clicks.json`` (``clicktracks``), frame ranges (``framerange``),
frame identity on the wire (``frame_hash``), bearer-token files (``token_file``), the alpha
EXR's channels and ``hyperseg/`` metadata (``alpha_exr``), the small text files users hand over
(``text_file``) and device names (``device``).
"""
