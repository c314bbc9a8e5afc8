"""The pipeline's history of per-sample rows (``_History``), which live use extends a packet at a
time: what it keeps, and how often it copies what it keeps."""
import numpy as np

from sensorkit.pipeline.pipeline import _COLS, _History


def fed_a_row_at_a_time(n_rows: int, keep_rows: int) -> tuple[_History, int]:
    """A history given ``n_rows`` rows one at a time (row i holds i), keeping the last
    ``keep_rows`` after each (as a rest between movements keeps a few seconds); and how many rows
    it copied on the way: the rows kept whenever extending or trimming moved them elsewhere."""
    history, copied = _History(), 0
    for i in range(n_rows):
        kept = history.rows(history.first, history.end)
        history.extend(1)[:] = i
        copied += 0 if np.shares_memory(kept, history.rows(history.first, history.end)) else len(kept)
        kept = history.rows(history.end - keep_rows, history.end)
        history.keep_from(history.end - keep_rows)
        copied += 0 if np.shares_memory(kept, history.rows(history.first, history.end)) else len(kept)
    return history, copied


def test_the_rows_kept_are_copied_about_once_each_however_small_the_packets():
    # 6000 packets of one sample (4 min at 25 Hz), 500 rows kept: every packet copied all 500
    # (3 million rows); now a row is copied about once on average
    history, copied = fed_a_row_at_a_time(6000, 500)
    assert copied <= 2 * 6000
    assert history.first == 5500 and history.end == 6000
    assert np.array_equal(history.rows(5500, 6000), np.repeat(np.arange(5500.0, 6000.0)[:, None], _COLS, axis=1))


def test_rows_read_earlier_keep_their_values_as_the_history_grows_and_is_trimmed():
    # a rep held back until the next movement keeps views of its rows (Window): they must not change
    history = _History()
    history.extend(100)[:] = np.arange(100.0)[:, None]
    held = history.rows(40, 60)
    for i in range(100, 3000):
        history.extend(1)[:] = i
        history.keep_from(i - 200)
    assert np.array_equal(held[:, 0], np.arange(40.0, 60.0))
    assert history.rows(0, 10).shape == (0, _COLS) and history.rows(2990, 3005)[:, 0].tolist() == list(range(2990, 3000))
