"""Person/background mask of a frame: MediaPipe's selfie segmenter through the Tasks ImageSegmenter.

The people count uses it to see a second body the pose detector cannot (it keys on a head): someone
cut at the neck by the frame's edge, or only a leg and an arm at its side. The model (~0.25 MB) is
built from the mediapipe 0.10.21 wheel by tools/build_models.py; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vision.frames import VideoError

DEFAULT_SEGMENTER_MODEL = Path(__file__).parent / "models" / "selfie_segmenter_landscape.tflite"
# The landscape model's input is 256 x 144: a frame is shrunk to this width first, so the mask comes
# back at the model's own resolution and the mask work after it stays small.
MASK_WIDTH_PX = 256


class PersonSegmenter:
    """IMAGE-mode ImageSegmenter: one call per frame, no state between calls (safe to share)."""

    def __init__(self, model_path: Path = DEFAULT_SEGMENTER_MODEL) -> None:
        if not model_path.is_file():
            raise VideoError(f"Segmentation model not found: {model_path}")
        import mediapipe as mp
        from mediapipe.tasks.python import vision as mpv
        from mediapipe.tasks.python.core.base_options import BaseOptions

        self._mp: Any = mp
        try:
            self._task: Any = mpv.ImageSegmenter.create_from_options(
                mpv.ImageSegmenterOptions(
                    base_options=BaseOptions(model_asset_path=str(model_path)),
                    running_mode=mpv.RunningMode.IMAGE,
                    output_confidence_masks=True,
                    output_category_mask=False,
                )
            )
        except (RuntimeError, ValueError) as exc:
            raise VideoError(f"Could not load the segmentation model {model_path.name}: {exc}") from exc

    def person_prob(self, rgb: np.ndarray) -> tuple[np.ndarray, float]:
        """Person probability (h, MASK_WIDTH_PX) of a shrunk copy of `rgb`, and the shrink factor
        (mask px per frame px)."""
        import cv2  # opencv comes with mediapipe

        height, width = rgb.shape[:2]
        scale = MASK_WIDTH_PX / width
        small = cv2.resize(rgb, (MASK_WIDTH_PX, max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(small))
        mask = self._task.segment(image).confidence_masks[0].numpy_view()
        return np.array(mask, dtype=np.float32).reshape(small.shape[:2]), scale

    def close(self) -> None:
        self._task.close()
