"""Serialized SpiffWorkflow state: the spec stored once per version, the instance state per dossier.

`dump_state` writes the workflow without its spec; `load_state` rebuilds it around the shared,
cached spec objects and re-attaches the restricted script engine (SpiffWorkflow does not
serialize the engine: a bare load would silently get plain eval/exec).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SERIALIZER_MODULE_VERSION
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG

from engine.workflow.scripting import SAFE_ENGINE

SERIALIZER_VERSION = SERIALIZER_MODULE_VERSION  # "1.5", pinned with SpiffWorkflow==3.2.0


class MotcuaWorkflow(BpmnWorkflow):  # type: ignore[misc]
    """A BpmnWorkflow whose default script engine is the restricted one."""

    def __init__(self, spec: Any, subprocess_specs: Any = None, script_engine: Any = None, **kwargs: Any) -> None:
        super().__init__(spec, subprocess_specs, script_engine=script_engine or SAFE_ENGINE, **kwargs)


class SpecRefWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Writes no spec; restores around the spec objects passed in by the caller."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


_spec_registry = BpmnWorkflowSerializer.configure(DEFAULT_CONFIG)
SPEC_SERIALIZER = BpmnWorkflowSerializer(_spec_registry)  # for specs (and full workflows, e.g. tests)

_state_config = {k: v for k, v in DEFAULT_CONFIG.items() if k is not BpmnWorkflow}
_state_config[MotcuaWorkflow] = SpecRefWorkflowConverter
STATE_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_state_config))


def dump_spec(spec: Any, subprocess_specs: dict[str, Any]) -> str:
    return json.dumps({
        "spec": SPEC_SERIALIZER.to_dict(spec),
        "subprocess_specs": {k: SPEC_SERIALIZER.to_dict(v) for k, v in subprocess_specs.items() if v is not None},
    })


def load_spec(spec_json: str) -> tuple[Any, dict[str, Any]]:
    dct = json.loads(spec_json)
    spec = SPEC_SERIALIZER.from_dict(dct["spec"])
    subs = {k: SPEC_SERIALIZER.from_dict(v) for k, v in dct["subprocess_specs"].items()}
    return spec, subs


def dump_state(workflow: MotcuaWorkflow) -> str:
    state: str = STATE_SERIALIZER.serialize_json(workflow)
    return state


def load_state(state: str, spec: Any, subprocess_specs: dict[str, Any], engine: Any = None) -> MotcuaWorkflow:
    dct = json.loads(state)
    STATE_SERIALIZER.migrate(dct)
    workflow: MotcuaWorkflow = STATE_SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = engine or SAFE_ENGINE  # never trust a default engine after a load
    return workflow


class SpecCache:
    """Process-wide LRU of parsed specs, keyed by the version digest (versions are immutable)."""

    def __init__(self, size: int = 256) -> None:
        self._items: OrderedDict[Any, tuple[Any, dict[str, Any]]] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key: Any, load: Callable[[], str]) -> tuple[Any, dict[str, Any]]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = load_spec(load())
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


SPEC_CACHE = SpecCache()
