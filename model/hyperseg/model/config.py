"""Model configuration as data: everything that rebuilds a HyperSeg network.

``ModelConfig.paper()`` is Table 1 of the paper exactly. ``ModelConfig.default()`` is the
configuration the bundled checkpoint was trained with; every way it departs from the paper is a
named, documented field here, chosen on the tuning sequences (docs/tuning.md).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

#: Values of ``ModelConfig.click_changes`` (``hyperseg.model.cues.click_locality``).
CLICK_CHANGES = ("any", "direction", "connected", "reach")
#: How a later click's hypotheses are ordered (``hyperseg.model.cues.hypothesis_choice``): "first"
#: keeps the trained order, "least_change" puts the one that changes the previous answer least first.
LATER_CLICK_HYPOTHESES = ("first", "least_change")

#: VGG-19 layers whose post-ReLU activations form the hypercolumn, with their channel counts.
HYPERCOLUMN_CHANNELS: dict[str, int] = {
    "conv1_2": 64,
    "conv2_2": 128,
    "conv3_2": 256,
    "conv4_2": 512,
    "conv5_2": 512,
}

#: Context channels of the paper, in input order: X_{t-1} (RGB), X_t (RGB), B_p, B_n, D_p, D_n.
PAPER_CONTEXT = ("previous_rgb", "rgb", "positive_clicks", "negative_clicks", "positive_distance",
                 "negative_distance")

#: Optional context cues beyond the paper, each adding channels to every layer's context.
EXTRA_CONTEXT_CHANNELS: dict[str, int] = {
    # Geodesic distance to the nearest positive / negative click over image gradients (DeepIGeoS).
    "geodesic_distance": 2,
    # The previous prediction fed back (RITM's iterative training); zeros on the first click.
    "previous_mask": 1,
    # Random-walker foreground probability from the clicks (Grady 2006), solved over the whole
    # frame at most ``ModelConfig.walker_max_pixels`` pixels: an image-adaptive cue that follows
    # every click, for the network to refine.
    "walker_probability": 1,
    # Foreground posterior of colour models sampled around the clicks (GrabCut's strength on objects
    # a colour separates; ``hyperseg.model.cues.colour_model``).
    "colour_probability": 1,
}

CONTEXT_CHANNELS: dict[str, int] = {
    "previous_rgb": 3,
    "rgb": 3,
    "positive_clicks": 1,
    "negative_clicks": 1,
    "positive_distance": 1,
    "negative_distance": 1,
    **EXTRA_CONTEXT_CHANNELS,
}


#: 640x360: the default model trains at half of DAVIS's 854x480 with scale jitter up to 2x, and
#: on the tuning sequences answers best at three quarters of 480p (proxy 0.75 beat 0.5 and 1.0:
#: benchmarks/results/default_tuning.json, proxy_tuning.json).
RUN_PIXELS_640X360 = 640 * 360

#: Fields that change what a trained network's outputs become, not what its weights mean.
POST_PROCESS_FIELDS = ("name", "enforce_clicks", "boundary_band", "run_pixels", "click_changes", "click_reach",
                       "click_reach_min", "click_reach_positive", "click_reach_along", "click_reach_geodesic",
                       "click_reach_depth", "click_reach_depth_colour", "click_reach_thickness",
                       "mirror_first_click", "first_click_recut", "first_click_recut_wide",
                       "first_click_recut_overlap", "later_click_hypothesis")


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of one HyperSeg network (paper section 2 and Table 1)."""

    name: str = "paper"
    #: Backbone weights, a key of ``hyperseg.model.network.backbone.BACKBONE_WEIGHTS``.
    backbone: str = "vgg19-random-v1"
    #: Tucker ranks along the channel mode, one per hypercolumn layer (conv1_2 .. conv5_2).
    tucker_ranks: tuple[int, ...] = (32, 64, 128, 256, 256)
    #: Output channels of every CAN layer but the last (70 in the paper).
    width: int = 70
    #: Dilations of the 3x3 layers 2-9 of the CAN.
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128)
    #: M, the number of hypotheses (segmentations) the network outputs.
    hypotheses: int = 6
    #: Tile edge of the convolutional tessellation (the backbone's input size), pixels.
    tile_size: int = 224
    #: Euclidean click distances are clipped here, in pixels of the frame at ``distance_frame``'s size.
    distance_clip: float = 255.0
    #: (width, height) of the frame that click distances, their clip and click radii are measured in:
    #: a frame of another size is measured as if resized to this diagonal (``cue_scale``), so a 2K plate's
    #: click sees the cues the same picture gives at 854x480, the DAVIS frames every network here trained on.
    distance_frame: tuple[int, int] = (854, 480)
    #: Extra context cues (keys of EXTRA_CONTEXT_CHANNELS), added after the paper's ten channels.
    extra_context: tuple[str, ...] = ()
    #: Radius of a click's disk in the binary click maps B_p, B_n, pixels of the frame at ``distance_frame``'s size.
    click_radius: float = 3.0
    #: The random walker (cue and click enforcement) is solved on the whole frame at most this many pixels.
    walker_max_pixels: int = 50_000
    #: Patch a hypothesis that contradicts a click with the walker's region around it
    #: (``hyperseg.model.cues.click_enforcement``); a post-process, not trained through.
    enforce_clicks: bool = False
    #: Re-solve a band of this fraction of the run-resolution diagonal around each hypothesis's
    #: contour with a random walker (``hyperseg.model.cues.boundary_band``); 0 turns it off.
    boundary_band: float = 0.0
    #: Pixels a frame runs at when the caller gives no proxy (``hyperseg.protocol.proxy.model_proxy``):
    #: the resolution the network answers best at; 0 = full resolution.
    run_pixels: int = 0
    #: What a click added to a frame's earlier clicks may change (``hyperseg.model.cues.click_locality``):
    #: "any", "direction" (positive clicks only grow the mask, negative ones only shrink it) or
    #: "connected" (only the region that flipped around the new click) or "reach" (as "direction",
    #: within a disc around the click sized by its distance to the previous contour).
    click_changes: str = "any"
    #: With click_changes "reach": a click's reach in multiples of its distance to the previous
    #: contour, and the smallest reach as a fraction of the run grid's diagonal.
    click_reach: float = 3.0
    click_reach_min: float = 0.02
    #: With click_changes "reach": a positive click's reach in the same multiples, where floods into
    #: the background come from; 0: ``click_reach``, as a negative click's.
    click_reach_positive: float = 0.0
    #: With click_changes "reach": a click's own region also changes along the previous contour as far
    #: as it stays within this multiple of the click's distance to it (no smallest reach); 0: off.
    click_reach_along: float = 0.0
    #: With click_changes "reach": a click's reach is measured along the image (the geodesic
    #: distance over colour gradients of the geodesic cue) instead of straight, so it stops sooner at
    #: edges: a click on a head no longer pours the mask into the wall behind it.
    click_reach_geodesic: bool = False
    #: With click_changes "reach": a click's change also keeps within this multiple of its distance to
    #: the previous contour, measured from that contour (at least ``click_reach_min``): an error lies
    #: about twice its click's depth deep at most, a flood runs on into the other side; 0: off.
    click_reach_depth: float = 0.0
    #: With click_reach_depth: a pixel deeper than that still changes where a colour model of the
    #: previous mask (its pixels against the rest of the window) puts it on the side the click asks for.
    click_reach_depth_colour: bool = False
    #: With click_changes "reach": a click's change keeps out of the parts of what it flipped that are
    #: thicker than this multiple of that change's half-width at the click (at least ``click_reach_min``):
    #: the clicker puts a click where its error is thickest, so a limb filled along its length is as
    #: thin as where it was clicked, and a flood into the background is a blob far thicker; 0: off.
    click_reach_thickness: float = 0.0
    #: The first click on a frame also runs on the frame mirrored left to right (its own backbone
    #: pass, cues and post-processes), and its hypotheses are the mean of the two answers
    #: (test-time augmentation); later clicks run once. Doubles the first click's cost.
    mirror_first_click: bool = False
    #: A frame's first answer is re-cut by GrabCut within this multiple of each hypothesis's
    #: equivalent radius around it (``hyperseg.model.cues.colour_recut``); 0 turns it off.
    first_click_recut: float = 0.0
    #: With first_click_recut: a hypothesis whose colours and those of the ring around it (out to its
    #: equivalent radius) overlap by less than ``first_click_recut_overlap`` (the Bhattacharyya
    #: coefficient of their colour histograms, 1 for the same colours) is re-cut within this wider
    #: band: where a colour model separates the object from its surroundings, GrabCut may take its edge
    #: further out than the network's answer reached; 0: off.
    first_click_recut_wide: float = 0.0
    first_click_recut_overlap: float = 0.0
    #: Which of a later click's hypotheses comes first (``LATER_CLICK_HYPOTHESES``).
    later_click_hypothesis: str = "first"

    def __post_init__(self) -> None:
        if len(self.tucker_ranks) != len(HYPERCOLUMN_CHANNELS):
            raise ValueError(f"tucker_ranks needs {len(HYPERCOLUMN_CHANNELS)} entries, got {self.tucker_ranks}")
        for rank, (layer, channels) in zip(self.tucker_ranks, HYPERCOLUMN_CHANNELS.items(), strict=True):
            if not 0 < rank <= channels:
                raise ValueError(f"Tucker rank {rank} for {layer} must be in 1..{channels}")
        unknown = set(self.extra_context) - set(EXTRA_CONTEXT_CHANNELS)
        if unknown:
            raise ValueError(f"unknown extra context {sorted(unknown)}; known: {sorted(EXTRA_CONTEXT_CHANNELS)}")
        if self.run_pixels < 0:
            raise ValueError(f"run_pixels must be >= 0, got {self.run_pixels}")
        if len(self.distance_frame) != 2 or min(self.distance_frame) <= 0:
            raise ValueError(f"distance_frame must be (width, height) > 0, got {self.distance_frame}")
        if self.click_changes not in CLICK_CHANGES:
            raise ValueError(f"click_changes must be one of {CLICK_CHANGES}, got {self.click_changes!r}")
        if (self.click_reach <= 0 or self.click_reach_positive < 0 or self.click_reach_along < 0
                or self.click_reach_depth < 0 or self.click_reach_thickness < 0
                or not 0 <= self.click_reach_min <= 1):
            raise ValueError(f"click_reach must be > 0, click_reach_positive, click_reach_along, click_reach_depth "
                             f"and click_reach_thickness >= 0 and click_reach_min in [0, 1], got {self.click_reach}, "
                             f"{self.click_reach_positive}, {self.click_reach_along}, {self.click_reach_depth}, "
                             f"{self.click_reach_thickness}, {self.click_reach_min}")
        if self.later_click_hypothesis not in LATER_CLICK_HYPOTHESES:
            raise ValueError(f"later_click_hypothesis must be one of {LATER_CLICK_HYPOTHESES}, "
                             f"got {self.later_click_hypothesis!r}")
        if self.first_click_recut < 0:
            raise ValueError(f"first_click_recut must be >= 0, got {self.first_click_recut}")
        if self.first_click_recut_wide < 0 or not 0 <= self.first_click_recut_overlap <= 1:
            raise ValueError(f"first_click_recut_wide must be >= 0 and first_click_recut_overlap in [0, 1], got "
                             f"{self.first_click_recut_wide}, {self.first_click_recut_overlap}")
        if not 0.0 <= self.boundary_band < 0.5:
            raise ValueError(f"boundary_band must be in [0, 0.5), got {self.boundary_band}")

    @property
    def context_names(self) -> tuple[str, ...]:
        return PAPER_CONTEXT + tuple(self.extra_context)

    @property
    def context_channels(self) -> int:
        return sum(CONTEXT_CHANNELS[name] for name in self.context_names)

    @property
    def compressed_channels(self) -> int:
        return sum(self.tucker_ranks)

    def to_dict(self) -> dict:
        return asdict(self)

    def weights_compatible(self, other: ModelConfig) -> bool:
        """Whether weights trained under ``other`` mean the same under this config.

        Everything but the name and post-processing (``POST_PROCESS_FIELDS``) must match: a
        context channel of the same width but another meaning (previous_mask vs walker) does not.
        """
        def essential(config: ModelConfig) -> dict:
            return {k: v for k, v in config.to_dict().items() if k not in POST_PROCESS_FIELDS}

        return essential(self) == essential(other)

    def added_context(self, other: ModelConfig) -> tuple[str, ...] | None:
        """The cues this config appends to ``other``'s, all else that weights depend on equal; None when
        ``other``'s weights do not carry over that way. Weights of ``other`` then fit this config with
        zeros on the added channels (``ContextAggregationNet.load_narrower``): the same network until trained."""
        base = other.extra_context
        if self.extra_context[: len(base)] != base:
            return None
        added = self.extra_context[len(base):]
        return added if replace(self, extra_context=base).weights_compatible(other) else None

    def cue_scale(self, fraction: float, frame_size: tuple[int, int]) -> float:
        """Pixels of a grid at ``fraction`` of a frame of ``frame_size`` (either order) per pixel of the frame
        resized to ``distance_frame``'s diagonal: what click distances are divided by and radii multiplied by."""
        return fraction * math.hypot(*frame_size) / math.hypot(*self.distance_frame)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model config fields {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return cls(**values)

    @classmethod
    def paper(cls) -> ModelConfig:
        """Table 1 exactly: 746 -> 70, eight dilated 80 -> 70, 80 -> 6."""
        return cls()

    @classmethod
    def default(cls) -> ModelConfig:
        """The bundled checkpoint's configuration: the paper plus image-adaptive cues.

        Departures: geodesic click distances, a random-walker probability and the clicks' colour
        models as extra context (cues that follow every click on unseen images, where random-init
        features alone memorised the training sequences; the colour models are what make GrabCut
        strong on the first click), clicks enforced on the output, boundaries re-solved in a band
        of 1% of the diagonal (2%, 3% and none did worse on NoC@85), a later click that changes the
        mask only in its direction and within 4x its depth in the error (harmful clicks 7.2% -> 1.3%
        on the tuning frames: benchmarks/results/click_changes_tuning.json), a run resolution of
        640x360 pixels' worth, a frame's first answer re-cut by GrabCut within a quarter of its radius
        around it (mIoU@1 0.677 -> 0.723 and NoC@85 6.19 -> 5.06 on the tuning frames:
        benchmarks/results/first_click_recut_tuning.json), and a narrower CAN (32 channels) that trains in
        CPU time. Post-processes and run resolution are chosen on the tuning sequences
        (``hyperseg.model.data.SPLIT``).
        """
        return cls(name="default", width=32,
                   extra_context=("geodesic_distance", "walker_probability", "colour_probability"),
                   enforce_clicks=True, boundary_band=0.01, run_pixels=RUN_PIXELS_640X360, click_changes="reach",
                   click_reach=4.0, first_click_recut=0.25)

    @classmethod
    def default_previous_mask(cls) -> ModelConfig:
        """The default plus its previous answer fed back on a later click (RITM's ``previous_mask`` cue):
        a network that sees what it answered before can keep it away from the click. Trained from the
        bundled default with the new channel's weights starting at zero (docs/tuning.md)."""
        default = cls.default()
        return replace(default, name="default_previous_mask",
                       extra_context=(*default.extra_context, "previous_mask"))

    @classmethod
    def tiny(cls) -> ModelConfig:
        """A small network for tests: same structure, few channels."""
        return cls(name="tiny", tucker_ranks=(4, 4, 4, 4, 4), width=8, dilations=(1, 2, 4), hypotheses=3)


CONFIGS = {"paper": ModelConfig.paper, "default": ModelConfig.default,
           "default_previous_mask": ModelConfig.default_previous_mask, "tiny": ModelConfig.tiny}

