"""The signal pipeline: causal stages fed a whole recording or one packet at a time.

Public API (stable; live and batch both use it)::

    from sensorkit.pipeline import Pipeline, PipelineConfig, Rep
    p = Pipeline(PipelineConfig(), meta={"side": "left"})
    reps = p.update(samples)      # Samples block (any size); returns the Reps that ended in it
    reps += p.finish()            # end of stream: closes an open movement
    p.angle_deg_                  # latest exercise angle estimate above rest, degrees
    p.phase_                      # "rest" | "out" | "hold" | "return" | "still" | "moving"
                                  #   still: held still at a low pose, a hold or a rest (not timed)
                                  #   moving: turning about another axis, no rep under way
    p.hold_elapsed_s_             # seconds held so far in the current hold (0 outside one)
    p.peak_deg_                   # highest angle_deg_ of the movement under way (NaN: none), which
                                  #   its rep's ROM is judged by
    p.time_s_                     # time of the last sample analysed (s): a last one fed that may
                                  #   be a glitch of the gyro waits for the next (pipeline.spikes)
    p.reps_                       # every Rep so far
"""
from sensorkit.pipeline.rep import COUNTED_KINDS, KINDS, REP_COLUMNS, Rep

__all__ = ["Rep", "REP_COLUMNS", "KINDS", "COUNTED_KINDS", "Pipeline", "PipelineConfig"]


def __getattr__(name: str):  # the stages load on first use
    if name in ("Pipeline", "PipelineConfig"):
        from sensorkit.pipeline import pipeline as _p

        return getattr(_p, name)
    raise AttributeError(name)
