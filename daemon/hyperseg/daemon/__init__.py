"""hyperseg.daemon"""

import hyperseg.protocol  # noqa: F401  (first: gRPC's fork rule, before grpc loads)
