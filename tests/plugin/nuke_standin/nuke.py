"""A stand-in for Foundry Nuke's ``nuke`` Python module, for tests (Nuke cannot be installed here).

It follows Nuke's documented Python API (learn.foundry.com/nuke/developers, "nuke" module
reference) for exactly the calls the HyperSeg node makes, and nothing more:

- module: ``GUI``, ``createNode(nodeClass, args, inpanel)``, ``nodes.<Class>(**knobs)``,
  ``toNode(name)``, ``allNodes(filter)``, ``thisNode()``, ``thisKnob()``, ``frame(f)``, ``root()``,
  ``execute(nameOrNode, start, end, incr)``, ``executeInMainThread(call, args, kwargs)``,
  ``ProgressTask(name)`` with ``setMessage``/``setProgress``/``isCancelled``, ``menu(name)`` with
  ``addMenu``/``addCommand``, the constant ``LINEAR``.
- Node: ``Class``, ``name``, ``fullName``, ``setName``, ``knob``, ``[name]``, ``addKnob``,
  ``removeKnob``, ``input``, ``setInput``, ``begin``/``end`` (groups), ``format``, ``setSelected``.
  ``nuke.root()`` has knobs ``format``, ``proxy``, ``proxy_scale``, ``first_frame``,
  ``last_frame``; a Format has ``width()``, ``height()``.
- Knobs: ``XY_Knob``, ``Double_Knob``, ``Int_Knob``, ``Boolean_Knob``, ``String_Knob``, ``File_Knob``,
  ``Text_Knob``, ``Tab_Knob``, ``Enumeration_Knob`` (``values``/``setValues``), ``PyScript_Knob``
  (``execute``); common: ``name``, ``label``, ``value``, ``getValue``, ``setValue``,
  ``setTooltip``, ``setVisible``; arrays: ``setValueAt(value, time, index)``,
  ``getValueAt(time, index)``, ``isAnimated(index)``, ``setAnimated(index)``, ``removeKeyAt(time, index)``,
  ``animation(index)`` -> AnimationCurve with ``keys()`` (AnimationKey ``x``, ``y``) and
  ``changeInterpolation(keys, type)``.
- Node classes and the knobs of theirs that are used: Read (file, proxy, on_error, reload), Write
  (file, proxy, file_type, datatype, channels, disable), Copy (from0, to0), Input, Output, Dot, Group.
- Callbacks: a node's ``knobChanged`` knob runs when one of its knobs changes, with ``thisNode`` and
  ``thisKnob`` set; a PyScript_Knob's ``execute()`` runs its command the same way.

Where Nuke's behaviour is strict the stand-in is stricter, so tests catch misuse: knobs may be
touched from the main thread only (Nuke is not thread-safe; workers must go through
``executeInMainThread``), ``execute`` raises inside a knobChanged callback, and unknown knob
names raise. Rendering a Write evaluates only Read -> Write chains (through Dots and group Inputs), resizing
with OpenImageIO when the root's proxy mode is on. Animation curves evaluate linearly.

Test controls, not part of Nuke's API, are the ``standin_*`` functions at the end.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import OpenImageIO as oiio

GUI = True
LINEAR = "linear"


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
    def __init__(self, x: float, y: float, interpolation: str) -> None:
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
        for left, right in itertools.pairwise(keys):
            if left.x <= t <= right.x:
                return left.y + (right.y - left.y) * (t - left.x) / (right.x - left.x)
        raise AssertionError("unreachable")


class Array_Knob(Knob):
    size = 1

    def __init__(self, name: str, label: str | None = None) -> None:
        super().__init__(name, label, [0.0] * self.size)
        self._keys: list[dict[float, AnimationKey] | None] = [None] * self.size

    def _indices(self, index: int) -> range:
        return range(self.size) if index < 0 else range(index, index + 1)

    def value(self, index: int = -1):
        return self.getValueAt(frame(), index)

    def getValue(self, index: int = -1):
        return self.value(index)

    def setValue(self, value, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        values = list(value) if isinstance(value, list | tuple) else [value] * self.size
        for i in self._indices(index):
            v = float(values[i] if index < 0 else value)
            if self._keys[i] is not None:
                self._keys[i][float(frame())] = AnimationKey(frame(), v, "smooth")
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
                self._keys[i][float(time)] = AnimationKey(time, value, "smooth")
        self._changed()
        return True

    def getValueAt(self, time: float, index: int = -1):
        _check_main_thread(f"knob {self._name}")
        values = [
            AnimationCurve(self, i).evaluate(time) if self._keys[i] else self._value[i] for i in range(self.size)
        ]
        return values if index < 0 and self.size > 1 else values[max(index, 0)]

    def isAnimated(self, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        return any(self._keys[i] is not None for i in self._indices(index))

    def setAnimated(self, index: int = -1) -> bool:
        _check_main_thread(f"knob {self._name}")
        for i in self._indices(index):
            if self._keys[i] is None:
                self._keys[i] = {float(frame()): AnimationKey(frame(), self._value[i], "smooth")}
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
    "Read": {"file": File_Knob, "proxy": File_Knob, "on_error": String_Knob, "reload": PyScript_Knob},
    "Write": {
        "file": File_Knob,
        "proxy": File_Knob,
        "file_type": String_Knob,
        "datatype": String_Knob,
        "channels": String_Knob,
        "disable": Boolean_Knob,
    },
    "Copy": {"from0": String_Knob, "to0": String_Knob},
    "Input": {"number": Int_Knob},
    "Dot": {},
    "Output": {},
    "Group": {},
    "Root": {},
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
        if parent is not None:
            self._name = _unique_name(parent, node_class)
            parent._children.append(self)

    def Class(self) -> str:
        return self._class

    def name(self) -> str:
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
            spec = _read_spec(Path(_frame_path(self["file"].value(), frame())))
            return Format(spec.full_width, spec.full_height)
        if self._class == "Input":
            outer = self._parent.input(int(self["number"].value()))
            return outer.format() if outer is not None else _root["format"].value()
        upstream = self._upstream()
        return upstream.format() if upstream is not None else _root["format"].value()

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
    return node


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
    def __init__(self, name: str) -> None:
        self.name = name
        self.message = ""
        self.progress: list[int] = []
        _progress_tasks.append(self)

    def setMessage(self, message: str) -> None:
        self.message = message

    def setProgress(self, i: int) -> None:
        self.progress.append(int(i))

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


def _render_write(write: Node, f: int) -> None:
    source = write.input(0)
    while source is not None and source.Class() in ("Input", "Dot"):
        source = source._parent.input(int(source["number"].value())) if source.Class() == "Input" else source.input(0)
    if source is None or source.Class() != "Read":
        raise NotImplementedError("the stand-in renders only Read -> Write chains")
    buf = oiio.ImageBuf(_frame_path(source["file"].value(), f))
    rgb = oiio.ImageBufAlgo.channels(buf, (0, 1, 2), ("R", "G", "B"))
    proxy = bool(_root["proxy"].value())
    target = write["proxy" if proxy and write["proxy"].value() else "file"].value()
    if proxy:
        scale = float(_root["proxy_scale"].value())
        spec = rgb.spec()
        width, height = max(1, round(spec.full_width * scale)), max(1, round(spec.full_height * scale))
        rgb = oiio.ImageBufAlgo.resize(rgb, roi=oiio.ROI(0, width, 0, height, 0, 1, 0, 3))
    pixels = np.asarray(rgb.get_pixels(oiio.FLOAT), dtype=np.float32)
    out = Path(_frame_path(target, f))
    out.parent.mkdir(parents=True, exist_ok=True)
    from hyperseg.imageio import write_image

    write_image(out, pixels, ("R", "G", "B"))
    _render_log.append((write.fullName(), f))


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
        knob._keys[0][float(frame())] = AnimationKey(frame(), x, "smooth")
        knob._keys[1][float(frame())] = AnimationKey(frame(), y, "smooth")
        knob._changed()
    else:
        knob.setValue([x, y])


def standin_cancel_progress_after(steps: int | None) -> None:
    """The artist presses Cancel on a ProgressTask once it has reported ``steps`` progress values."""
    _cancel_after[0] = steps


def standin_progress_tasks() -> list[ProgressTask]:
    return list(_progress_tasks)


def standin_render_log() -> list[tuple[str, int]]:
    return list(_render_log)


def standin_reloads(node: Node) -> int:
    return node._reloads
