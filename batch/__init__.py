"""Batch analysis: every clip in a folder, one CSV row per clip, resumable, on a process pool or Ray.

    jobs.find_clips(folder) -> [Path]                 # recursive, video extensions only
    jobs.ClipJob(...); jobs.analyze_clip(job) -> ClipOutcome(row, result)   # never raises
    runners.run_pool(jobs, workers) / runners.run_ray(jobs, address)  -> Iterator[ClipOutcome]
    results_csv.ResultsFile(path)                     # resume keys, crash-safe appends

The job function is the same for both runners, so a Ray cluster computes exactly what the local
pool computes. Nothing here imports Streamlit; the CLI wiring is `flexcheck/batch_cli.py`.
"""
