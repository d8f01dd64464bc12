"""A stand-in for Foundry Nuke's ``nuke`` Python module, for tests (Nuke cannot be installed here).

It follows Nuke's documented Python API (learn.foundry.com/nuke/developers, "nuke" module
reference, checked against the 15.x/16.x pages) for exactly the calls the HyperSeg node makes,
and nothing more:

- module: ``GUI``, ``createNode(nodeClass, args, inpanel)``, ``nodes.<Class>(**knobs)``,
  ``toNode(name)``, ``allNodes(filter)``, ``thisNode()``, ``thisKnob()``, ``frame(f)``, ``root()``,
  ``scriptSaveAs(filename)``, ``execute(nameOrNode, start, end, incr)``,
  ``executeInMainThread(call, args, kwargs)``, ``sample(node, channel, x, y, dx, dy, frame)``,
  ``ProgressTask(name, maximum=100)`` with ``setMessage(s)``, ``setProgress(i)`` (an integer, the
  progress out of ``maximum``) and ``isCancelled()`` (True once the artist pressed Cancel), as
  learn.foundry.com/nuke/developers/17.1/pythondevguide/_autosummary/nuke.ProgressTask.html
  documents them; ``setProgress`` refuses anything else, ``menu(name)`` with
  ``addMenu``/``addCommand``, the interpolation constants ``CONSTANT``, ``LINEAR``, ``SMOOTH``,
  ``CATMULL_ROM``, ``CUBIC``.
- Node: ``Class``, ``name``, ``fullName``, ``setName``, ``knob``, ``[name]``, ``addKnob``,
  ``removeKnob``, ``input``, ``setInput``, ``begin``/``end`` (groups), ``format``, ``setSelected``,
  ``channels()`` (the channels the node outputs, ``layer.channel``), ``sample(...)``.
  ``nuke.root()`` has knobs ``format``, ``proxy``, ``proxy_scale``, ``first_frame``,
  ``last_frame``, and ``name()`` is the script's path (``"Root"`` while it is unsaved);
  a Format has ``width()``, ``height()``.
- Knobs: ``XY_Knob``, ``Double_Knob``, ``Int_Knob``, ``Boolean_Knob``, ``String_Knob``, ``File_Knob``,
  ``Text_Knob``, ``Tab_Knob``, ``Enumeration_Knob`` (``values``/``setValues``), ``PyScript_Knob``
  (``execute``); common: ``name``, ``label``, ``value``, ``getValue``, ``setValue``,
  ``setTooltip``, ``setVisible``; arrays: ``setValueAt(value, time, index)``,
  ``getValueAt(time, index)``, ``isAnimated(index)``, ``setAnimated(index)``, ``removeKeyAt(time, index)``,
  ``setExpression(expression, channel)``, ``hasExpression(index)``,
  ``animation(index)`` -> AnimationCurve with ``keys()`` (AnimationKey ``x``, ``y``,
  ``interpolation``), ``evaluate(t)`` and ``changeInterpolation(keys, type)``.
- Curves follow the AnimationKey reference: CONSTANT holds the left key; LINEAR slopes point at
  the neighbouring key; CATMULL_ROM slopes are (y[i+1] - y[i-1]) / (x[i+1] - x[i-1]); SMOOTH (the
  default for new keys, as in Nuke) is CATMULL_ROM with the slope clamped to 0 at a local extremum
  and at the end keys, so the curve stays inside its keys' hull; CUBIC is CATMULL_ROM here.
  Spans are cubic Hermite between the keys' slopes; before the first and after the last key the
  curve holds (Nuke's default constant extrapolation).
- Expressions (a knob linked to a Tracker, or ``frame * 2``): arithmetic on numbers, ``frame``
  (or ``t``) and references ``Node.knob`` / ``Node.knob.x`` / ``.y`` / ``.<index>``, looked up
  beside the knob's node and evaluated at the same time; a reference without a component takes
  the channel being evaluated (what Nuke writes when a whole XY knob is linked).
- Node classes and the knobs of theirs that are used: Read (file, proxy, first, last, before,
  after, on_error, colorspace, frame_mode, frame, reload), Write (file, proxy, file_type,
  datatype, channels, colorspace, raw, disable), Copy (from0..from3, to0..to3, channels),
  OCIOColorSpace (in_colorspace, out_colorspace), Switch (which), Tracker3 (track1), Input,
  Output, Dot, Group.
- Rendering (``execute`` on a Write, ``sample``, ``channels``) evaluates those classes: a Read
  maps EXR channels R, G, B, A to ``rgba.*`` and keeps ``layer.channel`` names, converts its
  ``colorspace`` to linear (``default``: linear for float files, sRGB for 8- and 16-bit ones),
  applies ``frame_mode offset`` (output frame t reads file frame t - frame), holds or goes black
  outside the file range first..last by ``before``/``after``, and on a missing file raises (``on_error error``),
  or gives black, a checkerboard, or the nearest existing frame. OCIOColorSpace knows the colour
  spaces ``linear``, ``scene_linear`` (role), ``raw``, ``sRGB``, ``rec709``, ``Gamma2.2`` and
  raises on any other name, as a Nuke node errors. Copy copies the ``channels`` layer and each
  fromN -> toN channel from input 1 into input 0. In proxy mode a Write renders at proxy scale.
- Callbacks: a node's ``knobChanged`` knob runs when one of its knobs changes, with ``thisNode`` and
  ``thisKnob`` set; a PyScript_Knob's ``execute()`` runs its command the same way; connecting an
  input of a node fires its knobChanged with the knob ``inputChange``.

Where Nuke's behaviour is strict the stand-in is stricter, so tests catch misuse: knobs may be
touched from the main thread only (Nuke is not thread-safe; workers must go through
``executeInMainThread``), ``execute`` raises inside a knobChanged callback, and unknown knob
names raise.

Test controls, not part of Nuke's API, are the ``standin_*`` functions at the end.
"""

from __future__ import annotations

import itertools
import queue
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import OpenImageIO as oiio

GUI = True
CONSTANT = "constant"
LINEAR = "linear"
SMOOTH = "smooth"
CATMULL_ROM = "catmull_rom"
CUBIC = "cubic"


class CancelledError(RuntimeError):
    """What Nuke raises when an execute() is cancelled."""


# ------------------------------------------------------------------------------------------ state

_main_queue: queue.Queue = queue.Queue()
_callback_context: list[tuple[object, object]] = []
_in_knob_changed = 0
_group_stack: list[Node] = []
_progress_tasks: list[ProgressTask] = []
_menus: dict[str, Menu] = {}
_frame = [1]
_script_path: list[str] = [""]
_render_log: list[tuple[str, int]] = []
_cancel_after: list[int | None] = [None]


def _check_main_thread(what: str) -> None:
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError(f"{what} touched from a worker thread; use nuke.executeInMainThread")


# ------------------------------------------------------------------------------------------ formats


class Format:
    def __init__(self, width: int, height: int, pixel_aspect: float = 1.0, name: str = "") -> None:
        self._w, self._h, self._aspect, self._name = int(width), int(height), float(pixel_aspect), name

    def width(self) -> int:
        return self._w

    def height(self) -> int:
        return self._h

    def name(self) -> str:
        return self._name


# ------------------------------------------------------------------------------------------ knobs


class Knob:
    def __init__(self, name: str, label: str | None = None, value=None) -> None:
        self._name = name
        self._label = label if label is not None else name
        self._value = value
        self._node: Node | None = None
        self._visible = True
        self._enabled = True
        self._tooltip = ""

    def Class(self) -> str:
        return type(self).__name__

    def name(self) -> str:
        return self._name

    def label(self) -> str:
        return self._label

    def node(self) -> Node | None:
        return self._node

    def value(self):
        _check_main_thread(f"knob {self._name}")
        return self._value

    def getValue(self):
        return self.value()

    def setValue(self, value) -> bool:
        _check_main_thread(f"knob {self._name}")
        self._value = value
        self._changed()
        return True

    def setTooltip(self, text: str) -> None:
        self._tooltip = text

    def setVisible(self, visible: bool) -> None:
        self._visible = bool(visible)

    def visible(self) -> bool:
        return self._visible

    def _changed(self) -> None:
        if self._node is not None:
            self._node._knob_changed(self)


class String_Knob(Knob):
    def __init__(self, name: str, label: str | None = None, text: str = "") -> None:
        super().__init__(name, label, str(text))

    def setValue(self, value) -> bool:
        return super().setValue(str(value))


class File_Knob(String_Knob):
    pass


class Text_Knob(String_Knob):
    pass


class Tab_Knob(Knob):
    pass


class Boolean_Knob(Knob):
    def __init__(self, name: str, label: str | None = None, value: bool = False) -> None:
        super().__init__(name, label, bool(value))

    def setValue(self, value) -> bool:
        return super().setValue(bool(value))


class Int_Knob(Knob):
    def __init__(self, name: str, label: str | None = None) -> None:
        super().__init__(name, label, 0)

    def setValue(self, value) -> bool:
        return super().setValue(int(value))


class Enumeration_Knob(Knob):
    def __init__(self, name: str, label: str | None = None, values: list[str] | None = None) -> None:
        self._items = list(values or [])
        super().__init__(name, label, 0)

    def values(self) -> list[str]:
        return list(self._items)

    def setValues(self, items: list[str]) -> None:
        _check_main_thread(f"knob {self._name}")
        self._items = list(items)
        self._value = min(self._value, max(0, len(self._items) - 1))

    def value(self) -> str:
        _check_main_thread(f"knob {self._name}")
        return self._items[self._value] if self._items else ""

    def getValue(self) -> float:
        _check_main_thread(f"knob {self._name}")
        return float(self._value)

    def setValue(self, value) -> bool:
        if isinstance(value, str):
            if value not in self._items:
                raise ValueError(f"{value!r} is not one of {self._items}")
            value = self._items.index(value)
        return super().setValue(int(value))


class PyScript_Knob(Knob):
    def __init__(self, name: str, label: str | None = None, command: str = "") -> None:
        super().__init__(name, label, command)

    def execute(self) -> None:
        _check_main_thread(f"knob {self._name}")
        self._node._run_script(self._value, self)


class AnimationKey:
    def __init__(self, x: float, y: float, interpolation: str = SMOOTH) -> None:
        self.x = float(x)
        self.y = float(y)
        self.interpolation = interpolation


class AnimationCurve:
    def __init__(self, knob: Array_Knob, index: int) -> None:
        self._knob = knob
        self._index = index

    def _keys(self) -> dict[float, AnimationKey]:
        return self._knob._keys[self._index]

    def keys(self) -> list[AnimationKey]:
        _check_main_thread(f"knob {self._knob.name()}")
        return [self._keys()[t] for t in sorted(self._keys())]

    def changeInterpolation(self, keys: list[AnimationKey], type: str) -> None:
        for key in keys:
            key.interpolation = type

    def knob(self) -> Array_Knob:
        return self._knob

    def evaluate(self, t: float) -> float:
        keys = self.keys()
        if t <= keys[0].x:
            return keys[0].y
        if t >= keys[-1].x:
            return keys[-1].y
        i = max(j for j, key in enumerate(keys) if key.x <= t)
        left, right = keys[i], keys[i + 1]
        if left.interpolation == CONSTANT:
            return left.y
        h = right.x - left.x
        s = (t - left.x) / h
        m0, m1 = _slope(keys, i, side=1), _slope(keys, i + 1, side=-1)
        h00, h10, h01, h11 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2
        return h00 * left.y + h10 * h * m0 + h01 * right.y + h11 * h * m1


def _slope(keys: list[AnimationKey], i: int, side: int) -> float:
    """The slope of key ``i`` on its left (side -1) or right (side 1) span, by its interpolation."""
    key = keys[i]
    neighbour = keys[i + side]
    secant = (neighbour.y - key.y) / (neighbour.x - key.x)
    if key.interpolation == LINEAR:
        return secant
    if i == 0 or i == len(keys) - 1:
        return 0.0 if key.interpolation == SMOOTH else secant
    before, after = keys[i - 1], keys[i + 1]
    if key.interpolation == SMOOTH and (key.y - before.y) * (after.y - key.y) <= 0:
        return 0.0
    return (after.y - before.y) / (after.x - before.x)


_REFERENCE = re.compile(r"[A-Za-z_]\w*(?:\.\w+)+|\b(?:frame|t)\b")
_EXPRESSION_CHARS = re.compile(r"^[\d\s.+\-*/()_]*$")


def _evaluate_expression(knob: Array_Knob, expression: str, time: float, index: int) -> float:
    """An expression of the subset the module docstring names, at ``time`` for channel ``index``."""
    values: list[float] = []

    def substitute(match: re.Match[str]) -> str:
        values.append(_reference(knob, match.group(0), time, index))
        return f"_v[{len(values) - 1}]"

    python = _REFERENCE.sub(substitute, expression)
    if not _EXPRESSION_CHARS.match(python.replace("_v[", "(").replace("]", ")")):
        raise RuntimeError(f"{knob.name()}: the stand-in cannot evaluate the expression {expression!r}")
    return float(eval(python, {"__builtins__": {}}, {"_v": values}))


def _reference(knob: Array_Knob, text: str, time: float, index: int) -> float:
    if text in ("frame", "t"):
        return float(time)
    parts = text.split(".")
    if parts[0] == "parent":
        parts = parts[1:]
    group = knob.node()._parent if knob.node() is not None else _root
    found = [n for n in group._children if n._name == parts[0]]
    if not found or parts[1] not in found[0]._knobs:
        raise RuntimeError(f"{knob.name()}: expression refers to {text!r}, which does not exist")
    target = found[0]._knobs[parts[1]]
    component = {"x": 0, "y": 1}.get(parts[2]) if len(parts) > 2 else index
    if component is None:
        component = int(parts[2])
    return float(target.getValueAt(time, component))


class Array_Knob(Knob):
    size = 1

    def __init__(self, name: str, label: str | None = None) -> None:
        super().__init__(name, label, [0.0] * self.size)
        self._keys: list[dict[float, AnimationKey] | None] = [None] * self.size
        self._expressions: list[str | None] = [None] * self.size

    def _indices(self, index: int) -> range:
        return range(self.size) if index < 0 else range(index, index + 1)

    def value(self, index: int = -1):
        return self.getValueAt(frame(), index)

    def getValue(self, index: int = -1):
        return self.value(index)

    def setValue(self, value, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        values = list(value) if isinstance(value, (list, tuple)) else [value] * self.size
        for i in self._indices(index):
            v = float(values[i] if index < 0 else value)
            if self._keys[i] is not None:
                self._set_key(i, frame(), v)
            else:
                self._value[i] = v
        self._changed()
        return True

    def setValueAt(self, value: float, time: float, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        for i in self._indices(index):
            if self._keys[i] is None:
                self._value[i] = float(value)
            else:
                self._set_key(i, time, value)
        self._changed()
        return True

    def _set_key(self, index: int, time: float, value: float) -> None:
        """A key's value changes in place (keeping its interpolation); a new key is SMOOTH, Nuke's default."""
        existing = self._keys[index].get(float(time))
        if existing is None:
            self._keys[index][float(time)] = AnimationKey(time, value)
        else:
            existing.y = float(value)

    def setExpression(self, expression: str, channel: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        for i in self._indices(channel):
            self._expressions[i] = expression
        self._changed()
        return True

    def hasExpression(self, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        return any(self._expressions[i] is not None for i in self._indices(index))

    def getValueAt(self, time: float, index: int = -1):
        _check_main_thread(f"knob {self._name}")
        values = []
        for i in range(self.size):
            if self._expressions[i] is not None:
                values.append(_evaluate_expression(self, self._expressions[i], time, i))
            elif self._keys[i]:
                values.append(AnimationCurve(self, i).evaluate(time))
            else:
                values.append(self._value[i])
        return values if index < 0 and self.size > 1 else values[max(index, 0)]

    def isAnimated(self, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        return any(self._keys[i] is not None or self._expressions[i] is not None for i in self._indices(index))

    def setAnimated(self, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        for i in self._indices(index):
            if self._keys[i] is None:
                self._keys[i] = {float(frame()): AnimationKey(frame(), self._value[i])}
        return True

    def removeKeyAt(self, time: float, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        for i in self._indices(index):
            if self._keys[i] is not None:
                self._keys[i].pop(float(time), None)
        return True

    def animation(self, index: int) -> AnimationCurve | None:
        _check_main_thread(f"knob {self._name}")
        return AnimationCurve(self, index) if self._keys[index] is not None else None


class Double_Knob(Array_Knob):
    size = 1


class XY_Knob(Array_Knob):
    size = 2


# ------------------------------------------------------------------------------------------ nodes

_NODE_KNOBS: dict[str, dict[str, type[Knob]]] = {
    "Read": {
        "file": File_Knob,
        "proxy": File_Knob,
        "first": Int_Knob,
        "last": Int_Knob,
        "before": String_Knob,
        "after": String_Knob,
        "on_error": String_Knob,
        "colorspace": String_Knob,
        "frame_mode": String_Knob,
        "frame": String_Knob,
        "reload": PyScript_Knob,
    },
    "Write": {
        "file": File_Knob,
        "proxy": File_Knob,
        "file_type": String_Knob,
        "datatype": String_Knob,
        "channels": String_Knob,
        "colorspace": String_Knob,
        "raw": Boolean_Knob,
        "disable": Boolean_Knob,
    },
    "Copy": {
        **{f"{side}{i}": String_Knob for side in ("from", "to") for i in range(4)},
        "channels": String_Knob,
    },
    "OCIOColorSpace": {"in_colorspace": String_Knob, "out_colorspace": String_Knob},
    "Switch": {"which": Int_Knob},
    "Tracker3": {"track1": XY_Knob},
    "Input": {"number": Int_Knob},
    "Dot": {},
    "Output": {},
    "Group": {},
    "Root": {},
}
_KNOB_DEFAULTS = {
    "Read": {"before": "hold", "after": "hold", "on_error": "error", "colorspace": "default", "frame_mode": "",
             "frame": "", "first": 1, "last": 1},
    "Write": {"colorspace": "default", "channels": "rgb"},
    "Copy": {"from0": "rgba.alpha", "to0": "rgba.alpha", "from1": "none", "to1": "none", "from2": "none",
             "to2": "none", "from3": "none", "to3": "none", "channels": "none"},
    "OCIOColorSpace": {"in_colorspace": "scene_linear", "out_colorspace": "scene_linear"},
}


class Node:
    def __init__(self, node_class: str, parent: Node | None) -> None:
        if node_class not in _NODE_KNOBS:
            raise RuntimeError(f"unknown command: {node_class} (the stand-in knows {sorted(_NODE_KNOBS)})")
        self._class = node_class
        self._parent = parent
        self._knobs: dict[str, Knob] = {}
        self._inputs: dict[int, Node] = {}
        self._children: list[Node] = []
        self._selected = False
        self._reloads = 0
        self._name = ""
        for name, cls in {"name": String_Knob, "knobChanged": String_Knob, **_NODE_KNOBS[node_class]}.items():
            command = "nuke.thisNode()._reloads += 1" if name == "reload" else ""
            knob = cls(name) if cls is not PyScript_Knob else PyScript_Knob(name, name, command)
            knob._node = self
            self._knobs[name] = knob
        for name, value in _KNOB_DEFAULTS.get(node_class, {}).items():
            self._knobs[name]._value = value
        if parent is not None:
            self._name = _unique_name(parent, node_class)
            parent._children.append(self)

    def Class(self) -> str:
        return self._class

    def name(self) -> str:
        if self._class == "Root":
            return _script_path[0] or "Root"
        return self._name

    def fullName(self) -> str:
        if self._parent is None or self._parent is _root:
            return self._name
        return f"{self._parent.fullName()}.{self._name}"

    def setName(self, name: str, uncollide: bool = True) -> None:
        _check_main_thread(f"node {self._name}")
        taken = {n._name for n in self._parent._children if n is not self}
        if name in taken and not uncollide:
            raise ValueError(f"name {name!r} is taken")
        base, n = name.rstrip("0123456789") or name, 1
        while name in taken:
            name, n = f"{base}{n}", n + 1
        self._name = name

    def knob(self, name: str) -> Knob | None:
        _check_main_thread(f"node {self._name}")
        return self._knobs.get(name)

    def __getitem__(self, name: str) -> Knob:
        knob = self.knob(name)
        if knob is None:
            raise NameError(f"knob {name} does not exist")
        return knob

    def addKnob(self, knob: Knob) -> None:
        _check_main_thread(f"node {self._name}")
        if knob.name() in self._knobs:
            raise ValueError(f"knob {knob.name()} already exists on {self._name}")
        knob._node = self
        self._knobs[knob.name()] = knob

    def removeKnob(self, knob: Knob) -> None:
        _check_main_thread(f"node {self._name}")
        del self._knobs[knob.name()]
        knob._node = None

    def input(self, i: int) -> Node | None:
        _check_main_thread(f"node {self._name}")
        return self._inputs.get(i)

    def setInput(self, i: int, node: Node | None) -> bool:
        _check_main_thread(f"node {self._name}")
        if node is None:
            self._inputs.pop(i, None)
        else:
            self._inputs[i] = node
        self._knob_changed(Knob("inputChange"))
        return True

    def setSelected(self, selected: bool) -> None:
        self._selected = bool(selected)

    def begin(self) -> Node:
        if self._class not in ("Group", "Root"):
            raise RuntimeError(f"{self._name} is not a group")
        _group_stack.append(self)
        return self

    def end(self) -> None:
        if not _group_stack or _group_stack[-1] is not self:
            raise RuntimeError(f"end() without begin() on {self._name}")
        _group_stack.pop()

    def nodes(self) -> list[Node]:
        return list(self._children)

    def format(self) -> Format:
        _check_main_thread(f"node {self._name}")
        if self._class == "Read":
            first, last = int(self["first"].value()), int(self["last"].value())
            file_frame = min(max(_read_file_frame(self, frame()), first), last)
            spec = _read_spec(Path(_frame_path(self["file"].value(), file_frame)))
            return Format(spec.full_width, spec.full_height)
        if self._class == "Input":
            outer = self._parent.input(int(self["number"].value()))
            return outer.format() if outer is not None else _root["format"].value()
        upstream = self._upstream()
        return upstream.format() if upstream is not None else _root["format"].value()

    def channels(self) -> list[str]:
        """The channels this node outputs on the current frame (``layer.channel``), rendered to know."""
        _check_main_thread(f"node {self._name}")
        return sorted(_render(self, frame()).channels)

    def sample(self, channel: str, x: float, y: float, dx: float = 1, dy: float = 1, frame: int | None = None):
        return sample(self, channel, x, y, dx, dy, frame)

    def _upstream(self) -> Node | None:
        if self._class == "Group":
            outputs = [n for n in self._children if n._class == "Output"]
            return outputs[0] if outputs else None
        return self._inputs.get(0)

    def _knob_changed(self, knob: Knob) -> None:
        script = self._knobs["knobChanged"]._value
        if script and knob.name() != "knobChanged":
            global _in_knob_changed
            _in_knob_changed += 1
            try:
                self._run_script(script, knob)
            finally:
                _in_knob_changed -= 1

    def _run_script(self, script: str, knob: Knob) -> None:
        import nuke as this_module

        _callback_context.append((self, knob))
        try:
            exec(script, {"nuke": this_module})
        finally:
            _callback_context.pop()


def _unique_name(parent: Node, node_class: str) -> str:
    taken = {n._name for n in parent._children}
    for n in itertools.count(1):
        if f"{node_class}{n}" not in taken:
            return f"{node_class}{n}"
    raise AssertionError("unreachable")


def _make_root() -> Node:
    root_node = Node("Root", None)
    root_node._name = "root"
    for knob in (
        Knob("format", value=Format(64, 48, 1.0, "standin")),
        Boolean_Knob("proxy"),
        Knob("proxy_scale", value=0.5),
        Int_Knob("first_frame"),
        Int_Knob("last_frame"),
    ):
        root_node.addKnob(knob)
    root_node["first_frame"]._value = 1
    root_node["last_frame"]._value = 100
    return root_node


_root = _make_root()


def _current_group() -> Node:
    return _group_stack[-1] if _group_stack else _root


def _create(node_class: str, knobs: dict) -> Node:
    node = Node(node_class, _current_group())
    for name, value in knobs.items():
        if name not in node._knobs:
            raise NameError(f"{node_class} has no knob named {name!r}")
        node._knobs[name]._value = value
    if node_class == "Read" and "file" in knobs and not {"first", "last"} & set(knobs):
        _detect_read_range(node)
    return node


def _detect_read_range(read: Node) -> None:
    """As Nuke does when a Read's file is set: first/last from the frames found on disk."""
    from hyperseg.imageio import FramePattern

    try:
        found = sorted(FramePattern(read["file"].value()).frames())
    except (ValueError, FileNotFoundError):
        return
    if found:
        read["first"]._value, read["last"]._value = found[0], found[-1]


def _constructor(node_class: str):
    def construct(**knobs) -> Node:
        return _create(node_class, knobs)

    return construct


nodes = SimpleNamespace(**{cls: _constructor(cls) for cls in _NODE_KNOBS})


# ------------------------------------------------------------------------------------------ module functions


def createNode(nodeClass: str, args: str = "", inpanel: bool = True) -> Node:
    """Creates a node connected to the selected node (input 0), as Nuke's createNode does."""
    _check_main_thread("createNode")
    selected = [n for n in _current_group()._children if n._selected]
    node = _create(nodeClass, {})
    for other in selected:
        other._selected = False
    if selected:
        node.setInput(0, selected[-1])
    node._selected = True
    return node


def toNode(name: str) -> Node | None:
    _check_main_thread("toNode")
    group = _current_group() if "." not in name else _root
    for part in name.split("."):
        found = [n for n in group._children if n._name == part]
        if not found:
            return None
        group = found[0]
    return group


def allNodes(filter: str | None = None) -> list[Node]:
    _check_main_thread("allNodes")
    return [n for n in _current_group()._children if filter is None or n._class == filter]


def thisNode() -> Node:
    return _callback_context[-1][0]


def thisKnob() -> Knob:
    return _callback_context[-1][1]


def frame(f: int | None = None) -> int:
    if f is not None:
        _frame[0] = int(f)
    return _frame[0]


def root() -> Node:
    return _root


def scriptSaveAs(filename: str, overwrite: int = -1) -> None:
    """Saves the script as ``filename``: ``root().name()`` is that path from now on."""
    Path(filename).parent.mkdir(parents=True, exist_ok=True)
    Path(filename).write_text("# stand-in script\n")
    _script_path[0] = str(filename)


def execute(nameOrNode, start: int | None = None, end: int | None = None, incr: int = 1) -> None:
    """Render a Write for frames start..end (Read -> Write chains only, proxy-aware)."""
    _check_main_thread("execute")
    if _in_knob_changed:
        raise RuntimeError("I'm already executing something else (nuke.execute called inside knobChanged)")
    node = toNode(nameOrNode) if isinstance(nameOrNode, str) else nameOrNode
    if node is None or node.Class() != "Write":
        raise ValueError(f"{nameOrNode!r} is not a Write node")
    if node["disable"].value():
        raise RuntimeError(f"{node.name()} is disabled")
    start = _root["first_frame"].value() if start is None else start
    end = _root["last_frame"].value() if end is None else end
    for f in range(int(start), int(end) + 1, int(incr)):
        _render_write(node, f)


def executeInMainThread(call, args=(), kwargs=None) -> None:
    if not isinstance(args, tuple):
        args = (args,)
    _main_queue.put((call, args, dict(kwargs or {})))


class ProgressTask:
    """Foundry's ``nuke.ProgressTask(name, maximum=100)``: ``setMessage(s)``, ``setProgress(i)`` with ``i``
    an integer progress out of ``maximum``, ``isCancelled()``: whether the artist pressed Cancel."""

    def __init__(self, name: str, maximum: int = 100) -> None:
        if not isinstance(name, str) or not isinstance(maximum, int) or maximum <= 0:
            raise TypeError(f"ProgressTask(name: str, maximum: int > 0), got {name!r}, {maximum!r}")
        self.name = name
        self.maximum = maximum
        self.message = ""
        self.messages: list[str] = []
        self.progress: list[int] = []
        _progress_tasks.append(self)

    def setMessage(self, message: str) -> None:
        if not isinstance(message, str):
            raise TypeError(f"setMessage(s: str), got {message!r}")
        self.message = message
        self.messages.append(message)

    def setProgress(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i <= self.maximum:
            raise TypeError(f"setProgress(i: int in 0..{self.maximum}), got {i!r}")
        self.progress.append(i)

    def isCancelled(self) -> bool:
        limit = _cancel_after[0]
        return limit is not None and len(self.progress) >= limit


class Menu:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: dict[str, object] = {}

    def addMenu(self, name: str, icon: str = "") -> Menu:
        return self.items.setdefault(name, Menu(name))

    def addCommand(self, name: str, command="", shortcut: str = "", icon: str = "") -> None:
        self.items[name] = command


def menu(name: str) -> Menu:
    return _menus.setdefault(name, Menu(name))


# ------------------------------------------------------------------------------------------ rendering


class _Plane:
    """A rendered image: channels by Nuke name (``rgba.red``, ``hypotheses.h0``), rows top-down."""

    def __init__(self, width: int, height: int, channels: dict[str, np.ndarray] | None = None) -> None:
        self.width, self.height = width, height
        self.channels: dict[str, np.ndarray] = dict(channels or {})

    def copy(self) -> _Plane:
        return _Plane(self.width, self.height, {k: v.copy() for k, v in self.channels.items()})

    def get(self, name: str) -> np.ndarray:
        return self.channels.get(name, np.zeros((self.height, self.width), np.float32))


_RGB = ("rgba.red", "rgba.green", "rgba.blue")
_FILE_CHANNELS = {"R": "rgba.red", "G": "rgba.green", "B": "rgba.blue", "A": "rgba.alpha"}


def _srgb_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4)


def _linear_to_srgb(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055)


def _rec709_to_linear(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0.081, v / 4.5, ((np.maximum(v, 0.081) + 0.099) / 1.099) ** (1 / 0.45))


def _linear_to_rec709(v: np.ndarray) -> np.ndarray:
    return np.where(v < 0.018, v * 4.5, 1.099 * np.maximum(v, 0.018) ** 0.45 - 0.099)


def _identity(v: np.ndarray) -> np.ndarray:
    return v


# colour space -> (to scene linear, from scene linear)
_COLORSPACES = {
    "linear": (_identity, _identity),
    "scene_linear": (_identity, _identity),
    "raw": (_identity, _identity),
    "sRGB": (_srgb_to_linear, _linear_to_srgb),
    "rec709": (_rec709_to_linear, _linear_to_rec709),
    "Gamma2.2": (lambda v: np.maximum(v, 0) ** 2.2, lambda v: np.maximum(v, 0) ** (1 / 2.2)),
}


def _colorspace(name: str, node: Node) -> tuple:
    if name not in _COLORSPACES:
        raise RuntimeError(f"{node.name()}: OCIO: colour space '{name}' could not be found")
    return _COLORSPACES[name]


def _frame_path(pattern: str, f: int) -> str:
    from hyperseg.imageio import FramePattern

    try:
        return str(FramePattern(pattern).path(f))
    except ValueError:
        return pattern


def _read_spec(path: Path) -> oiio.ImageSpec:
    inp = oiio.ImageInput.open(str(path))
    if inp is None:
        raise RuntimeError(f"Read error: {path}: {oiio.geterror()}")
    try:
        return inp.spec()
    finally:
        inp.close()


def _read_file_frame(read: Node, t: int) -> int:
    offset = read["frame"].value().strip()
    if read["frame_mode"].value() == "offset" and offset:
        return t - int(offset)
    return t


def _render(node: Node, t: int) -> _Plane:
    """Evaluate ``node``'s output at frame ``t`` (the classes the module docstring names)."""
    cls = node.Class()
    if cls == "Read":
        return _render_read(node, t)
    if cls == "Input":
        outer = node._parent.input(int(node["number"].value()))
        if outer is None:
            raise RuntimeError(f"{node._parent.name()}: input {node['number'].value()} is not connected")
        return _render(outer, t)
    if cls == "Group":
        return _render(node._upstream(), t)
    if cls == "Switch":
        inputs = sorted(node._inputs)
        which = min(max(int(node["which"].value()), 0), max(inputs))
        return _render(node._inputs[which], t)
    upstream = node.input(0)
    if upstream is None:
        raise RuntimeError(f"{node.fullName()}: input 0 is not connected")
    plane = _render(upstream, t)
    if cls == "Copy":
        return _render_copy(node, plane, t)
    if cls == "OCIOColorSpace":
        to_linear = _colorspace(node["in_colorspace"].value(), node)[0]
        from_linear = _colorspace(node["out_colorspace"].value(), node)[1]
        plane = plane.copy()
        for name in _RGB:
            plane.channels[name] = from_linear(to_linear(plane.get(name))).astype(np.float32)
    return plane


def _render_read(read: Node, t: int) -> _Plane:
    first, last = int(read["first"].value()), int(read["last"].value())
    t = _read_file_frame(read, t)
    if t < first or t > last:
        mode = read["before" if t < first else "after"].value()
        if mode == "black":
            fmt = _root["format"].value()
            return _Plane(fmt.width(), fmt.height())
        t = first if t < first else last
    return _read_file(read, t)


def _read_file(read: Node, t: int) -> _Plane:
    """File frame ``t`` of a Read, through its ``on_error`` and ``colorspace``."""
    first, last = int(read["first"].value()), int(read["last"].value())
    proxy = bool(_root["proxy"].value()) and read["proxy"].value()
    path = Path(_frame_path(read["proxy" if proxy else "file"].value(), t))
    if not path.is_file():
        on_error = read["on_error"].value()
        fmt = _root["format"].value()
        if on_error == "black":
            return _Plane(fmt.width(), fmt.height())
        if on_error == "checkerboard":
            yy, xx = np.mgrid[0 : fmt.height(), 0 : fmt.width()]
            board = (((xx // 8) + (yy // 8)) % 2).astype(np.float32) * 0.5 + 0.25
            return _Plane(fmt.width(), fmt.height(), {name: board for name in _RGB})
        if on_error == "nearest frame":
            existing = [f for f in range(first, last + 1) if Path(_frame_path(read["file"].value(), f)).is_file()]
            if existing:
                return _read_file(read, min(existing, key=lambda f: abs(f - t)))
        raise RuntimeError(f"{read.fullName()}: Read error: No such file or directory: {path}")
    buf = oiio.ImageBuf(str(path))
    spec = buf.spec()
    pixels = np.asarray(buf.get_pixels(oiio.FLOAT), dtype=np.float32).reshape(spec.height, spec.width, -1)
    space = read["colorspace"].value()
    if space == "default":
        space = "linear" if spec.format.basetype in (oiio.FLOAT, oiio.HALF) else "sRGB"
    to_linear = _colorspace(space, read)[0]
    channels = {}
    for i, name in enumerate(spec.channelnames):
        nuke_name = _FILE_CHANNELS.get(name, name if "." in name else f"other.{name}")
        plane = pixels[:, :, i]
        channels[nuke_name] = (to_linear(plane) if nuke_name in _RGB else plane).astype(np.float32)
    return _Plane(spec.full_width, spec.full_height, channels)


def _render_copy(copy: Node, b: _Plane, t: int) -> _Plane:
    source = copy.input(1)
    if source is None:
        return b
    a = _render(source, t)
    out = b.copy()
    layer = copy["channels"].value()
    if layer not in ("none", ""):
        for name, plane in a.channels.items():
            if name.split(".")[0] == layer:
                out.channels[name] = plane
    for i in range(4):
        origin, target = copy[f"from{i}"].value(), copy[f"to{i}"].value()
        if origin != "none" and target != "none":
            out.channels[target] = a.get(origin)
    return out


def _render_write(write: Node, f: int) -> None:
    source = write.input(0)
    if source is None:
        raise RuntimeError(f"{write.fullName()}: input 0 is not connected")
    plane = _render(source, f)
    wanted = {"rgb": _RGB, "rgba": (*_RGB, "rgba.alpha")}.get(write["channels"].value(), tuple(plane.channels))
    names = [_FILE_NAMES.get(c, c) for c in wanted]
    pixels = np.stack([plane.get(c) for c in wanted], axis=-1)
    proxy = bool(_root["proxy"].value())
    target = write["proxy" if proxy and write["proxy"].value() else "file"].value()
    if proxy:
        scale = float(_root["proxy_scale"].value())
        buf = oiio.ImageBuf(oiio.ImageSpec(plane.width, plane.height, len(names), oiio.FLOAT))
        buf.set_pixels(oiio.ROI(), np.ascontiguousarray(pixels))
        width, height = max(1, round(plane.width * scale)), max(1, round(plane.height * scale))
        resized = oiio.ImageBufAlgo.resize(buf, roi=oiio.ROI(0, width, 0, height, 0, 1, 0, len(names)))
        pixels = np.asarray(resized.get_pixels(oiio.FLOAT), dtype=np.float32)
    out = Path(_frame_path(target, f))
    out.parent.mkdir(parents=True, exist_ok=True)
    from hyperseg.imageio import write_image

    write_image(out, pixels, names)
    _render_log.append((write.fullName(), f))


_FILE_NAMES = {v: k for k, v in _FILE_CHANNELS.items()}


def sample(node: Node, channel: str, x: float, y: float, dx: float = 1, dy: float = 1, frame: int | None = None):
    """The value of ``channel`` at (x, y) in Nuke's coordinates (y up) on ``frame`` (default: current)."""
    _check_main_thread("sample")
    plane = _render(node, _frame[0] if frame is None else int(frame))
    row, col = plane.height - 1 - int(np.floor(y)), int(np.floor(x))
    return float(plane.get(channel)[row, col])


# ------------------------------------------------------------------------------------------ test controls


def standin_reset(width: int = 64, height: int = 48) -> None:
    """A fresh script: empty root of the given format, frame 1, GUI on, nothing queued."""
    global _root, GUI, _in_knob_changed
    _root = _make_root()
    _root["format"]._value = Format(width, height, 1.0, "standin")
    _group_stack.clear()
    _callback_context.clear()
    _progress_tasks.clear()
    _menus.clear()
    _render_log.clear()
    _cancel_after[0] = None
    _frame[0] = 1
    _script_path[0] = ""
    _in_knob_changed = 0
    GUI = True
    while not _main_queue.empty():
        _main_queue.get_nowait()


def standin_process_events(until=None, timeout: float = 30.0) -> None:
    """Run Nuke's main-thread event loop: queued executeInMainThread calls, until ``until()`` is true."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            call, args, kwargs = _main_queue.get(timeout=0.01)
            call(*args, **kwargs)
        except queue.Empty:
            if until is None:
                return
        if until is not None and until():
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the stand-in's event loop timed out waiting for the condition")


def standin_user_drag(knob: XY_Knob, x: float, y: float) -> None:
    """The artist drags an XY knob in the viewer: a key at the current frame if animated."""
    if knob.isAnimated():
        knob._set_key(0, frame(), x)
        knob._set_key(1, frame(), y)
        knob._changed()
    else:
        knob.setValue([x, y])


def standin_cancel_progress_after(steps: int | None) -> None:
    """The artist presses Cancel on a ProgressTask once it has reported ``steps`` progress values."""
    _cancel_after[0] = steps


def standin_progress_tasks() -> list[ProgressTask]:
    return list(_progress_tasks)


def standin_render(node: Node, f: int | None = None) -> dict[str, np.ndarray]:
    """Every channel ``node`` outputs on frame ``f`` (default: current), rows top-down like a file."""
    plane = _render(node, frame() if f is None else f)
    return {name: values.copy() for name, values in plane.channels.items()}


def standin_render_log() -> list[tuple[str, int]]:
    return list(_render_log)


def standin_reloads(node: Node) -> int:
    return node._reloads
