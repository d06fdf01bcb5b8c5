#!/usr/bin/env python3
"""Reference timing of the same face pipeline in Python (onnxruntime + numpy), for
`face-speed`'s `speedup_vs_python`. Run with the models venv:

    .cache/models-venv/bin/python models/bench_python.py FRAMES_DIR

FRAMES_DIR (written by `face-speed`) holds `index.json` ({"frames": [{"file", "width",
"height"}], "detect_max_side", "gallery": "gallery.f32", "gallery_size", "iterations"})
and raw RGB frames. The pipeline matches the Rust one step for step: downscale to
`detect_max_side`, pad to multiples of 32, CenterFace, decode + NMS, choose the largest
face, 5-point similarity alignment (Umeyama) + bilinear warp to the dlib 150x150 template,
dlib ResNet, nearest of `gallery_size` embeddings. One intra-op thread, no spinning.
Prints one JSON line.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

MODELS = Path(__file__).resolve().parent
TEMPLATE = np.array([[47.55, 46.60], [100.48, 46.60], [74.01, 76.56], [50.41, 103.02], [97.61, 103.02]])
MEAN = np.array([122.782, 117.001, 104.298], dtype=np.float32)


def session(name):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(MODELS / name), so, providers=["CPUExecutionProvider"])


def resize_bilinear(img, w, h):
    H, W, _ = img.shape
    xs = (np.arange(w) + 0.5) * W / w - 0.5
    ys = (np.arange(h) + 0.5) * H / h - 0.5
    x0 = np.clip(np.floor(xs).astype(int), 0, W - 1)
    y0 = np.clip(np.floor(ys).astype(int), 0, H - 1)
    x1 = np.clip(x0 + 1, 0, W - 1)
    y1 = np.clip(y0 + 1, 0, H - 1)
    fx = np.clip(xs - x0, 0, 1)[None, :, None]
    fy = np.clip(ys - y0, 0, 1)[:, None, None]
    f = img.astype(np.float32)
    top = f[y0][:, x0] * (1 - fx) + f[y0][:, x1] * fx
    bot = f[y1][:, x0] * (1 - fx) + f[y1][:, x1] * fx
    return top * (1 - fy) + bot * fy


def detect(sess, img, max_side, thr=0.5, iou=0.3):
    h0, w0, _ = img.shape
    scale = min(1.0, max_side / max(w0, h0))
    w1, h1 = max(1, round(w0 * scale)), max(1, round(h0 * scale))
    src = resize_bilinear(img, w1, h1) if (w1, h1) != (w0, h0) else img.astype(np.float32)
    iw, ih = -(-w1 // 32) * 32, -(-h1 // 32) * 32
    inp = np.zeros((1, 3, ih, iw), np.float32)
    inp[0, :, :h1, :w1] = src.transpose(2, 0, 1)
    heat, sc, off, lmk = sess.run(None, {"input.1": inp})
    heat = heat[0, 0]
    ys, xs = np.where(heat > thr)
    if len(ys) == 0:
        return []
    s0 = np.exp(sc[0, 0, ys, xs]) * 4
    s1 = np.exp(sc[0, 1, ys, xs]) * 4
    x1 = np.maximum(0, (xs + off[0, 1, ys, xs] + 0.5) * 4 - s1 / 2)
    y1 = np.maximum(0, (ys + off[0, 0, ys, xs] + 0.5) * 4 - s0 / 2)
    x2 = np.minimum(x1 + s1, w1)
    y2 = np.minimum(y1 + s0, h1)
    score = heat[ys, xs]
    lx = lmk[0, 1::2][:, ys, xs] * s1 + x1
    ly = lmk[0, 0::2][:, ys, xs] * s0 + y1
    order = np.argsort(-score)
    keep = []
    area = (x2 - x1) * (y2 - y1)
    for i in order:
        ok = True
        for k in keep:
            w = max(0.0, min(x2[i], x2[k]) - max(x1[i], x1[k]))
            h = max(0.0, min(y2[i], y2[k]) - max(y1[i], y1[k]))
            inter = w * h
            if inter / (area[i] + area[k] - inter) > iou:
                ok = False
                break
        if ok:
            keep.append(i)
    inv = 1.0 / scale
    return [dict(box=np.array([x1[i], y1[i], x2[i], y2[i]]) * inv, score=float(score[i]),
                 lm=np.stack([lx[:, i], ly[:, i]], 1) * inv) for i in keep]


def umeyama(src, dst):
    sm, dm = src.mean(0), dst.mean(0)
    s, d = src - sm, dst - dm
    den = (s ** 2).sum()
    a = (d[:, 0] * s[:, 0] + d[:, 1] * s[:, 1]).sum() / den
    b = (d[:, 1] * s[:, 0] - d[:, 0] * s[:, 1]).sum() / den
    t = dm - np.array([a * sm[0] - b * sm[1], b * sm[0] + a * sm[1]])
    return a, b, t


def warp(img, a, b, t, size=150):
    det = a * a + b * b
    ia, ib = a / det, -b / det
    tx, ty = -(ia * t[0] - ib * t[1]), -(ib * t[0] + ia * t[1])
    v, u = np.mgrid[0:size, 0:size].astype(np.float64)
    x = ia * u - ib * v + tx
    y = ib * u + ia * v + ty
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = (x - x0)[..., None], (y - y0)[..., None]
    H, W, _ = img.shape
    out = np.zeros((size, size, 3))
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            xs, ys = x0 + dx, y0 + dy
            valid = ((xs >= 0) & (ys >= 0) & (xs < W) & (ys < H))[..., None]
            px = img[np.clip(ys, 0, H - 1), np.clip(xs, 0, W - 1)]
            out += np.where(valid, px, 0) * wx * wy
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def main():
    d = Path(sys.argv[1])
    idx = json.loads((d / "index.json").read_text())
    frames = []
    for f in idx["frames"]:
        raw = np.fromfile(d / f["file"], dtype=np.uint8)
        frames.append(raw.reshape(f["height"], f["width"], 3))
    gallery = np.fromfile(d / idx["gallery"], dtype="<f4").reshape(idx["gallery_size"], 128)
    det = session("centerface.onnx")
    emb = session("dlib_resnet128.onnx")
    max_side = idx["detect_max_side"]

    def pipeline(img):
        t0 = time.perf_counter()
        faces = detect(det, img, max_side)
        t1 = time.perf_counter()
        if not faces:
            return t1 - t0, 0.0
        f = max(faces, key=lambda f: (f["box"][2] - f["box"][0]) * (f["box"][3] - f["box"][1]))
        a, b, t = umeyama(f["lm"], TEMPLATE)
        chip = warp(img, a, b, t)
        x = ((chip.astype(np.float32) - MEAN) / 256.0).transpose(2, 0, 1)[None]
        t2 = time.perf_counter()
        e = emb.run(None, {"input": x})[0][0]
        t3 = time.perf_counter()
        dist = np.sqrt(((gallery - e) ** 2).sum(1))
        int(np.argmin(dist))
        return t1 - t0, t3 - t2

    for img in frames[:3]:
        pipeline(img)
    total, dets, embs = [], [], []
    n = idx["iterations"]
    for i in range(n):
        img = frames[i % len(frames)]
        t0 = time.perf_counter()
        dt, et = pipeline(img)
        total.append((time.perf_counter() - t0) * 1000)
        dets.append(dt * 1000)
        embs.append(et * 1000)
    total.sort()
    print(json.dumps({
        "python_p50_ms": round(float(np.percentile(total, 50)), 3),
        "python_p99_ms": round(float(np.percentile(total, 99)), 3),
        "python_detect_ms": round(float(np.median(dets)), 3),
        "python_embed_ms": round(float(np.median(embs)), 3),
        "python_frames": n,
        "onnxruntime": ort.__version__,
    }))


if __name__ == "__main__":
    main()
