"""Where the sit-and-reach hip angle's error comes from: MediaPipe's landmarks against the true joints.

    .venv-synth/bin/python -m synth.joints2d FOLDER/*.json --out JOINTS     # true joints in the picture
    python benchmarks/hip_points.py FOLDER --joints JOINTS

For each sit-and-reach render in FOLDER (with `JOINTS/<name>.joints.npz`), over the held fold (true hip
angle within 5 deg of its deepest), in the raw image (no camera correction; so the numbers describe the
landmarks, not the engine's corrected result at a slant), prints in deg:
- `def`: the engine's definition (mid-shoulder, near hip, near knee) on the true joints minus the truth
  (perspective and the near-side points: what perfect landmarks would leave);
- `frame` / `pivot`: the same on MediaPipe's points, with each frame's hip or the hip's median over the
  whole clip as the vertex (a still hip pivot: tried, not adopted, docs/MEASURES.md);
- `hip`, `shoulder`, `knee`: the angle minus the angle with only that point replaced by the true joint
  (how much each landmark's placement moves the angle);
- `drift`: how far MediaPipe's near hip moves between the upright frames and the fold, in thigh lengths
  (the true hip joint does not move);
- `hip_u`, `hip_v`, `sh_fwd`, `knee_v`: where MediaPipe puts a point relative to the true joint, in the
  body's own frame and in (MediaPipe) thigh lengths: the hip along the thigh (+ toward the knee) and
  across it (+ toward the trunk), the mid-shoulder across the trunk (+ toward the legs), the knee across
  the thigh (+ toward the trunk). The last rows give their mean and sd over the clips: a constant offset
  (the mean) is what a per-landmark bias model could remove; the sd is what it could not.

`--model PATH` runs another pose `.task` instead of the bundled full model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # allow `python benchmarks/hip_points.py` from anywhere
    sys.path.insert(0, str(ROOT))

from analysis.geometry import joint_angle_deg  # noqa: E402
from analysis.measures import near_side  # noqa: E402
from vision.landmarks import LM, LandmarkSeries  # noqa: E402

FOLD_WINDOW_DEG = 5.0
UPRIGHT_WINDOW_DEG = 3.0


def landmarks(video: Path, model_path: Path | None = None) -> LandmarkSeries:
    """The pose model over every frame, as `flexcheck analyze` runs it on a short clip."""
    from analysis.estimate import SamplingConfig, estimate_clip
    from analysis.pipeline import AnalysisOptions, analyze_landmarks, video_info
    from vision.video_io import probe_video

    meta = probe_video(video)
    info = video_info(meta, meta.n_frames)
    opts = AnalysisOptions(test="sit-reach")
    est = estimate_clip(
        video,
        meta,
        "sit-reach",
        SamplingConfig(full_rate=True),
        lambda s: analyze_landmarks(s, info, opts),
        model_path=model_path,
    )
    return est.landmarks


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _normal_toward(direction: np.ndarray, toward: np.ndarray) -> np.ndarray:
    """Unit normals (N, 2) of `direction` (N, 2) unit vectors, each on the side of `toward`."""
    normal = np.stack([-direction[:, 1], direction[:, 0]], axis=1)
    return normal * np.sign(np.sum(normal * toward, axis=1, keepdims=True))


def body_frame_offsets(
    mp_sh: np.ndarray,
    mp_hip: np.ndarray,
    mp_knee: np.ndarray,
    t_sh: np.ndarray,
    t_hip: np.ndarray,
    t_knee: np.ndarray,
) -> dict[str, np.ndarray]:
    """MediaPipe's points minus the true joints (all (N, 2) px) in the body's frame, per frame, in
    MediaPipe thigh lengths (the frame and the unit come from MediaPipe's points: what a correction
    applied in the engine would have)."""
    thigh = mp_knee - mp_hip
    thigh_len = np.linalg.norm(thigh, axis=1)
    along = _unit(thigh)
    up = _normal_toward(along, mp_sh - mp_hip)
    forward = _normal_toward(_unit(mp_sh - mp_hip), thigh)

    def component(offset: np.ndarray, axis: np.ndarray) -> np.ndarray:
        return np.asarray(np.sum(offset * axis, axis=1) / thigh_len)

    return {
        "hip_u": component(mp_hip - t_hip, along),
        "hip_v": component(mp_hip - t_hip, up),
        "sh_fwd": component(mp_sh - t_sh, forward),
        "knee_v": component(mp_knee - t_knee, up),
    }


def clip_row(
    lms: LandmarkSeries, joints: dict[str, np.ndarray], true_hip_deg: np.ndarray
) -> dict[str, float]:
    """`joints`: name ("hip.left") -> (N, 2) px at the landmarks' frames; `true_hip_deg` (N,)."""
    near = near_side(lms)
    up = near.upper()

    def mp(name: str) -> np.ndarray:
        return lms.image_xy_px[:, LM[f"{up}_{name.upper()}"], :]

    mp_sh = (lms.image_xy_px[:, LM.LEFT_SHOULDER] + lms.image_xy_px[:, LM.RIGHT_SHOULDER]) / 2
    t_sh = (joints["shoulder.left"] + joints["shoulder.right"]) / 2
    t_hip, t_knee = joints[f"hip.{near}"], joints[f"knee.{near}"]
    mp_hip, mp_knee = mp("hip"), mp("knee")
    frame = joint_angle_deg(mp_sh, mp_hip, mp_knee)
    fold = np.isfinite(true_hip_deg) & (true_hip_deg <= np.nanmin(true_hip_deg) + FOLD_WINDOW_DEG)
    upright = true_hip_deg >= np.nanmax(true_hip_deg) - UPRIGHT_WINDOW_DEG
    thigh_px = float(np.median(np.linalg.norm(t_knee - t_hip, axis=1)))

    def at_fold(values: np.ndarray) -> float:
        return float(np.nanmean(values[fold]))

    drift = np.nanmedian(mp_hip[fold], axis=0) - np.nanmedian(mp_hip[upright], axis=0)
    offsets = body_frame_offsets(mp_sh, mp_hip, mp_knee, t_sh, t_hip, t_knee)
    return {
        "def": at_fold(joint_angle_deg(t_sh, t_hip, t_knee) - true_hip_deg),
        "frame": at_fold(frame - true_hip_deg),
        "pivot": at_fold(joint_angle_deg(mp_sh, np.nanmedian(mp_hip, axis=0), mp_knee) - true_hip_deg),
        "hip": at_fold(frame - joint_angle_deg(mp_sh, t_hip, mp_knee)),
        "shoulder": at_fold(frame - joint_angle_deg(t_sh, mp_hip, mp_knee)),
        "knee": at_fold(frame - joint_angle_deg(mp_sh, mp_hip, t_knee)),
        "drift": float(np.linalg.norm(drift) / thigh_px),
        **{name: at_fold(values) for name, values in offsets.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--joints", type=Path, required=True, help="folder of <name>.joints.npz (synth.joints2d)")
    ap.add_argument(
        "--model", type=Path, default=None, help="another pose .task (default: the bundled full model)"
    )
    args = ap.parse_args(argv)
    keys = ("def", "frame", "pivot", "hip", "shoulder", "knee", "drift", "hip_u", "hip_v", "sh_fwd", "knee_v")
    rows: list[dict[str, float]] = []
    print(f"{'clip':42} {'yaw':>4} " + " ".join(f"{k:>8}" for k in keys))
    for folder in args.folders:
        for sidecar in sorted(folder.glob("*.json")):
            side = json.loads(sidecar.read_text())
            npz = args.joints / f"{sidecar.stem}.joints.npz"
            if side.get("test") != "sit-reach" or not npz.exists():
                continue
            lms = landmarks(sidecar.with_suffix(".mp4"), args.model)
            truth = np.load(npz)
            at = np.array([int(np.argmin(np.abs(truth["t_s"] - t))) for t in lms.t_s])
            names = [str(n) for n in truth["names"]]
            joints = {n: truth["xy_px"][at, i] for i, n in enumerate(names)}
            true_hip = np.array([f["hip_angle_deg"] for f in side["frames"]])[at]
            row = clip_row(lms, joints, true_hip)
            rows.append(row)
            yaw = side.get("conditions", {}).get("camera_yaw_deg", 0)
            print(f"{sidecar.stem:42} {yaw:+4.0f} " + " ".join(f"{row[k]:+8.2f}" for k in keys), flush=True)
    if rows:
        table = np.array([[r[k] for k in keys] for r in rows])
        print(
            f"{'mean over ' + str(len(rows)) + ' clips':47} "
            + " ".join(f"{x:+8.2f}" for x in table.mean(axis=0))
        )
        print(f"{'sd':47} " + " ".join(f"{x:8.2f}" for x in table.std(axis=0)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
