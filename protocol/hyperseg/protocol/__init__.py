"""hyperseg.protocol: the rules every side obeys, torch-free.

Host, daemon, batch and model all import these and nothing else defines them: errors and their
gRPC status codes (``errors``), clicks and their checks (``clicks``), the proxy scale
(``proxy``), click tracks and ``clicks.json`` (``clicktracks``), frame ranges (``framerange``),
frame identity on the wire (``frame_hash``), bearer-token files (``token_file``), the alpha
EXR's channels and ``hyperseg/`` metadata (``alpha_exr``), the small text files users hand over
(``text_file``) and device names (``device``).
"""

import os

#: gRPC's own fork handlers (on by default in gRPC core) can abort a child that ``subprocess`` forks
#: to exec a program while a channel or server is live in this process (grpc/grpc#43055; always a fork
#: on Python 3.9, Nuke 13/14). HyperSeg forks only to exec, so it needs none of them. Read when grpc
#: is first imported: ``hyperseg.plugin`` and ``hyperseg.daemon`` import this package first. A caller
#: that sets the variable keeps its own value.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
