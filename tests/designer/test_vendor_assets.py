"""The committed browser assets under designer/static/designer/vendor match their VENDOR.json
manifests (sha256 of every file), carry a licence, and are all named in THIRD_PARTY_NOTICES.

Pure file checks, no browser and no Node: the assets are built by frontend/build.sh and committed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "designer" / "static" / "designer" / "vendor"
NOTICES = ROOT / "THIRD_PARTY_NOTICES"
EXPECTED_FOLDERS = {"bpmn-js", "motcua-modeler", "motcua-form-editor", "form-js", "htmx", "alpinejs"}


def _manifests() -> list[Path]:
    return sorted(VENDOR.glob("*/VENDOR.json"))


def _load(manifest: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    return data


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_vendor_folder_has_a_manifest() -> None:
    folders = {p.name for p in VENDOR.iterdir() if p.is_dir()}
    assert folders == EXPECTED_FOLDERS
    assert {m.parent.name for m in _manifests()} == folders


@pytest.mark.parametrize("manifest", _manifests(), ids=lambda m: m.parent.name)
def test_listed_files_exist_with_their_sha256(manifest: Path) -> None:
    data = _load(manifest)
    assert data["package"] and data["version"]
    assert data["files"], "a manifest lists its files"
    wrong = {
        name: "missing" if not (manifest.parent / name).is_file() else "sha256 differs"
        for name, digest in data["files"].items()
        if not (manifest.parent / name).is_file() or _sha256(manifest.parent / name) != digest
    }
    assert not wrong, f"rebuild with frontend/build.sh: {wrong}"


@pytest.mark.parametrize("manifest", _manifests(), ids=lambda m: m.parent.name)
def test_no_unlisted_files_in_a_vendor_folder(manifest: Path) -> None:
    listed = set(_load(manifest)["files"])
    present = {
        p.relative_to(manifest.parent).as_posix() for p in manifest.parent.rglob("*") if p.is_file() and p != manifest
    }
    assert present == listed


@pytest.mark.parametrize("manifest", _manifests(), ids=lambda m: m.parent.name)
def test_vendor_folder_carries_its_licence(manifest: Path) -> None:
    data = _load(manifest)
    licence = data.get("license", "LICENSE")
    assert licence in data["files"], "the licence file is listed (and so hash-checked)"
    assert (manifest.parent / licence).read_text(encoding="utf-8").strip()


def test_third_party_notices_name_every_manifest_package() -> None:
    notices = NOTICES.read_text(encoding="utf-8")
    missing = []
    for manifest in _manifests():
        data = _load(manifest)
        if not manifest.parent.name.startswith("motcua-"):  # our own bundles; their contents are listed
            missing += [] if f"{data['package']} {data['version']}" in notices else [data["package"]]
        for pkg in data["packages"]:
            if f"{pkg['name']} {pkg['version']}" not in notices:
                missing.append(f"{pkg['name']} {pkg['version']} ({manifest.parent.name})")
    assert not missing, f"THIRD_PARTY_NOTICES lacks: {missing}"


def test_bpmn_io_watermark_clause_is_kept() -> None:
    clause = "MUST NOT be\nremoved or changed"
    notices = NOTICES.read_text(encoding="utf-8")
    assert "watermark" in notices
    for folder in ("bpmn-js", "form-js"):
        text = (VENDOR / folder / "LICENSE").read_text(encoding="utf-8")
        assert "watermark" in text and " ".join(clause.split()) in " ".join(text.split())


def test_modeler_bundle_contains_the_pinned_upstream_versions() -> None:
    packages = {p["name"]: p["version"] for p in _load(VENDOR / "motcua-modeler" / "VENDOR.json")["packages"]}
    assert packages["bpmn-js"].startswith("18.31.")
    assert packages["bpmn-js-properties-panel"].startswith("5.65.")
    assert packages["@bpmn-io/properties-panel"].startswith("3.55.")
    assert _load(VENDOR / "form-js" / "VENDOR.json")["version"] == "1.23.0"
    assert packages["bpmn-auto-layout"] == "1.3.0"
    editor = {p["name"]: p["version"] for p in _load(VENDOR / "motcua-form-editor" / "VENDOR.json")["packages"]}
    assert editor["@bpmn-io/form-js-editor"] == "1.23.0"
    assert _load(VENDOR / "htmx" / "VENDOR.json")["version"].startswith("2.0.")
    assert _load(VENDOR / "alpinejs" / "VENDOR.json")["version"].startswith("3.")
