"""Build the bundled MediaPipe Tasks model files from the mediapipe 0.10.21 wheel.

Why: mediapipe >= 0.10.30 ships no models and nothing may be downloaded at run time. The
0.10.21 wheel (Apache-2.0) still contains the legacy graph's TFLite files; the Tasks API only
refuses them because they lack TFLite metadata (input normalisation). This script adds that
metadata and zips the pair into a `.task` bundle the current Tasks API loads.

Run it with mediapipe 0.10.21 (1.x cannot import its own metadata writer):

    python3 -m venv /tmp/mp021 && /tmp/mp021/bin/pip install mediapipe==0.10.21
    npm pack @mediapipe/pose@0.5.1675469404      # optional, for the lite pose model (see below)
    /tmp/mp021/bin/python tools/build_models.py vision/models [mediapipe-pose-0.5.1675469404.tgz]

Outputs `pose_landmarker_full.task`, `hand_landmarker_full.task`, `hand_landmarker_lite.task` and
`selfie_segmenter_landscape.tflite` (a person/background mask for the people count: it sees a body
without a head, which the pose detector cannot). With the npm package of MediaPipe's JavaScript pose
solution (Apache-2.0, from the npm registry), also `pose_landmarker_lite.task`: the wheel downloads its
lite landmark model at run time, the npm package carries it (its full model is byte-identical to the
wheel's, so the two are of one generation; checked here).
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path

import mediapipe
from mediapipe.tasks.python.metadata.metadata_writers import image_segmenter, metadata_writer

MP_ROOT = Path(mediapipe.__file__).parent

# (source tflite, name inside the .task, normalisation mean, std, number of outputs)
BUNDLES: dict[str, list[tuple[str, str, float, float, int]]] = {
    "pose_landmarker_full.task": [
        ("modules/pose_detection/pose_detection.tflite", "pose_detector.tflite", 127.5, 127.5, 2),
        ("modules/pose_landmark/pose_landmark_full.tflite", "pose_landmarks_detector.tflite", 0.0, 255.0, 5),
    ],
    "hand_landmarker_full.task": [
        ("modules/palm_detection/palm_detection_full.tflite", "hand_detector.tflite", 0.0, 255.0, 2),
        ("modules/hand_landmark/hand_landmark_full.tflite", "hand_landmarks_detector.tflite", 0.0, 255.0, 4),
    ],
    # The live view's hands: the same fingertips within ~1 px on the sit-and-reach renders at ~2/3 of
    # the cost, which the webcam's 33 ms per frame needs (benchmarks/live.py --test sit-reach).
    "hand_landmarker_lite.task": [
        ("modules/palm_detection/palm_detection_lite.tflite", "hand_detector.tflite", 0.0, 255.0, 2),
        ("modules/hand_landmark/hand_landmark_lite.tflite", "hand_landmarks_detector.tflite", 0.0, 255.0, 4),
    ],
}


def with_metadata(model: bytes, name: str, mean: float, std: float, n_outputs: int) -> bytes:
    writer = metadata_writer.MetadataWriter.create(model)
    writer.add_general_info(model_name=name, model_description="MediaPipe 0.10.21 model (Apache-2.0)")
    writer.add_image_input(norm_mean=[mean], norm_std=[std])
    for _ in range(n_outputs):
        writer.add_feature_output()
    model_with_metadata, _ = writer.populate()
    return bytes(model_with_metadata)


# (source tflite, output name): single-model ImageSegmenter files. The legacy graph feeds RGB scaled to
# [0, 1] and applies no activation to the (already sigmoid) 1-channel output.
SEGMENTERS = [
    ("modules/selfie_segmentation/selfie_segmentation_landscape.tflite", "selfie_segmenter_landscape.tflite"),
]


def segmenter_with_metadata(model: bytes) -> bytes:
    writer = image_segmenter.MetadataWriter.create(
        bytearray(model), [0.0], [255.0], activation=image_segmenter.Activation.NONE
    )
    model_with_metadata, _ = writer.populate()
    return bytes(model_with_metadata)


def write_bundle(target: Path, parts: list[tuple[bytes, str, float, float, int]]) -> None:
    # ZIP_STORED: the Tasks API memory-maps the members and rejects compressed ones.
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        for raw, member, mean, std, n_out in parts:
            info = zipfile.ZipInfo(member, date_time=(2024, 1, 1, 0, 0, 0))  # reproducible bytes
            zf.writestr(info, with_metadata(raw, member, mean, std, n_out))
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")


def npm_member(tgz: Path, name: str) -> bytes:
    with tarfile.open(tgz) as tf:
        member = tf.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{tgz} has no package/{name}")
        return member.read()


def build_lite_pose(out_dir: Path, npm_tgz: Path) -> None:
    """`pose_landmarker_lite.task`: the wheel's pose detector and the npm package's lite landmark model."""
    detector, landmarks = BUNDLES["pose_landmarker_full.task"]
    if (MP_ROOT / landmarks[0]).read_bytes() != npm_member(npm_tgz, "pose_landmark_full.tflite"):
        raise SystemExit(f"{npm_tgz}: its full pose model differs from the wheel's (another generation)")
    lite = npm_member(npm_tgz, "pose_landmark_lite.tflite")
    # The full bundle's pair with the lite landmark model in place of the full one.
    write_bundle(
        out_dir / "pose_landmarker_lite.task",
        [((MP_ROOT / detector[0]).read_bytes(), *detector[1:]), (lite, *landmarks[1:])],
    )


def build(out_dir: Path, npm_pose_tgz: Path | None = None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for bundle, parts in BUNDLES.items():
        raw_parts = [((MP_ROOT / src).read_bytes(), member, m, sd, n) for src, member, m, sd, n in parts]
        write_bundle(out_dir / bundle, raw_parts)
    if npm_pose_tgz is not None:
        build_lite_pose(out_dir, npm_pose_tgz)
    for src, name in SEGMENTERS:
        target = out_dir / name
        target.write_bytes(segmenter_with_metadata((MP_ROOT / src).read_bytes()))
        print(f"wrote {target} ({target.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    build(
        Path(sys.argv[1] if len(sys.argv) > 1 else "vision/models"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
